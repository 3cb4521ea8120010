// The shim's mx.distributed entry points (see shim_dist.h).
#include "mlx/distributed/distributed.h"
#include "mlx/distributed/ops.h"
#include "shim_dist.h"
#include "shim_internal.h"

namespace dist = mlx::core::distributed;
using namespace hf2go;

struct mlxg_group_s {
  dist::Group g;
};

namespace {

std::optional<dist::Group> grp(mlxg_group g) {
  if (g == nullptr) return std::nullopt;
  return g->g;
}

std::string backend_of(const char* b) { return b == nullptr || *b == 0 ? std::string("any") : std::string(b); }

}  // namespace

extern "C" {

mlxg_err mlxg_dist_is_available(const char* backend, int* available) {
  GUARD({
    std::string b = backend_of(backend);
    *available = b == "any" ? dist::is_available() : dist::is_available(b);
  })
}

mlxg_err mlxg_dist_init(int strict, const char* backend, mlxg_group* out) {
  GUARD(*out = new mlxg_group_s{dist::init(strict != 0, backend_of(backend))})
}

void mlxg_group_free(mlxg_group g) { delete g; }
int mlxg_group_rank(mlxg_group g) { return g->g.rank(); }
int mlxg_group_size(mlxg_group g) { return g->g.size(); }

mlxg_err mlxg_group_split(mlxg_group g, int color, int key, mlxg_group* out) {
  GUARD(*out = new mlxg_group_s{g->g.split(color, key)})
}

// The ops are issued on the binding's stream, as every other op; the group's
// backend picks the stream it communicates on from it (the ring backend: a
// CPU stream).
mlxg_err mlxg_dist_collective(int op, mlxg_array x, mlxg_group g, mlxg_array* out) {
  GUARD({
    switch (op) {
      case MLXG_ALL_SUM: OUT(dist::all_sum(A(x), grp(g), S)); break;
      case MLXG_ALL_GATHER: OUT(dist::all_gather(A(x), grp(g), S)); break;
      case MLXG_ALL_MAX: OUT(dist::all_max(A(x), grp(g), S)); break;
      case MLXG_ALL_MIN: OUT(dist::all_min(A(x), grp(g), S)); break;
      case MLXG_SUM_SCATTER: OUT(dist::sum_scatter(A(x), grp(g), S)); break;
      default: throw std::invalid_argument("unknown collective op " + std::to_string(op));
    }
  })
}

mlxg_err mlxg_dist_send(mlxg_array x, int dst, mlxg_group g, mlxg_array* out) {
  GUARD(OUT(dist::send(A(x), dst, grp(g), S)))
}

mlxg_err mlxg_dist_recv(const int* shape, int ndim, int dtype, int src, mlxg_group g, mlxg_array* out) {
  GUARD(OUT(dist::recv(shape_of(shape, ndim), dtype_of(dtype), src, grp(g), S)))
}

mlxg_err mlxg_dist_recv_like(mlxg_array x, int src, mlxg_group g, mlxg_array* out) {
  GUARD(OUT(dist::recv_like(A(x), src, grp(g), S)))
}

}  // extern "C"
