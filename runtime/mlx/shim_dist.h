// shim_dist.h is the part of hf2go's C ABI that covers mlx::core::distributed
// (mx.distributed in Python): communication groups and the collective and
// point-to-point ops. Same conventions as shim.h: a function that can fail
// returns NULL or a malloc'd message, and no C++ exception crosses into Go.
#ifndef HF2GO_MLX_SHIM_DIST_H
#define HF2GO_MLX_SHIM_DIST_H

#include "shim.h"

#ifdef __cplusplus
extern "C" {
#endif

// An mlxg_group is an owned, heap-allocated mlx::core::distributed::Group (a
// shared reference to the backend's group); mlxg_group_free releases it.
typedef struct mlxg_group_s* mlxg_group;

enum { MLXG_ALL_SUM, MLXG_ALL_GATHER, MLXG_ALL_MAX, MLXG_ALL_MIN, MLXG_SUM_SCATTER };

// backend NULL means "any"; *available gets 0 or 1.
mlxg_err mlxg_dist_is_available(const char* backend, int* available);
mlxg_err mlxg_dist_init(int strict, const char* backend, mlxg_group* out);
void mlxg_group_free(mlxg_group g);
int mlxg_group_rank(mlxg_group g);
int mlxg_group_size(mlxg_group g);
mlxg_err mlxg_group_split(mlxg_group g, int color, int key, mlxg_group* out);

// A NULL group is the global group (Python's group=None).
mlxg_err mlxg_dist_collective(int op, mlxg_array x, mlxg_group g, mlxg_array* out);
mlxg_err mlxg_dist_send(mlxg_array x, int dst, mlxg_group g, mlxg_array* out);
mlxg_err mlxg_dist_recv(const int* shape, int ndim, int dtype, int src, mlxg_group g, mlxg_array* out);
mlxg_err mlxg_dist_recv_like(mlxg_array x, int src, mlxg_group g, mlxg_array* out);

#ifdef __cplusplus
}
#endif

#endif
