// shim_recurrent.h is the part of hf2go's C ABI for the ops that recurrent
// and state-space models use beyond shim.h (mx.conv1d, mx.hadamard_transform).
// Same conventions as shim.h: a function that can fail returns NULL or a
// malloc'd message, and no C++ exception crosses into Go.
#ifndef HF2GO_MLX_SHIM_RECURRENT_H
#define HF2GO_MLX_SHIM_RECURRENT_H

#include "shim.h"

#ifdef __cplusplus
extern "C" {
#endif

mlxg_err mlxg_conv1d(mlxg_array x, mlxg_array w, int stride, int padding, int dilation, int groups, mlxg_array* out);
mlxg_err mlxg_conv_general(mlxg_array x, mlxg_array w, int stride, int padding, int kernel_dilation,
                           int input_dilation, int groups, int flip, mlxg_array* out);
// has_scale 0: MLX's default scale (1/sqrt(n)).
mlxg_err mlxg_hadamard_transform(mlxg_array x, float scale, int has_scale, mlxg_array* out);

#ifdef __cplusplus
}
#endif

#endif
