// The shim's entry points for recurrent and state-space models.
#include "shim_internal.h"
#include "shim_recurrent.h"

using namespace hf2go;

extern "C" {

mlxg_err mlxg_conv1d(mlxg_array x, mlxg_array w, int stride, int padding, int dilation, int groups, mlxg_array* out) {
  GUARD(OUT(mx::conv1d(A(x), A(w), stride, padding, dilation, groups, S)))
}

// mx.conv_general with int arguments: one value for every spatial dimension
// (the C++ op widens a one-element vector, as the Python binding's int does).
mlxg_err mlxg_conv_general(mlxg_array x, mlxg_array w, int stride, int padding, int kernel_dilation,
                           int input_dilation, int groups, int flip, mlxg_array* out) {
  GUARD(OUT(mx::conv_general(A(x), A(w), {stride}, {padding}, {kernel_dilation}, {input_dilation}, groups,
                             flip != 0, S)))
}

mlxg_err mlxg_hadamard_transform(mlxg_array x, float scale, int has_scale, mlxg_array* out) {
  GUARD({
    std::optional<float> s = has_scale ? std::optional<float>(scale) : std::nullopt;
    OUT(mx::hadamard_transform(A(x), s, S));
  })
}

}  // extern "C"
