// shim_gguf.h is the part of hf2go's C ABI that reads GGUF files through
// mlx::core::load_gguf (mx.load on a .gguf in Python). Same conventions as
// shim.h. Only the tensors are returned: the Go side parses and validates the
// header itself before calling this (lm/gguf), so metadata is not needed here.
#ifndef HF2GO_MLX_SHIM_GGUF_H
#define HF2GO_MLX_SHIM_GGUF_H

#include "shim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlxg_gguf_s* mlxg_gguf;  // the arrays of a loaded GGUF file, sorted by name
mlxg_err mlxg_gguf_load(const char* path, mlxg_gguf* out);
int mlxg_gguf_count(mlxg_gguf f);
const char* mlxg_gguf_name(mlxg_gguf f, int i);
mlxg_array mlxg_gguf_take(mlxg_gguf f, int i);  // a new reference to array i
void mlxg_gguf_free(mlxg_gguf f);

#ifdef __cplusplus
}
#endif

#endif
