// The shim's entry points for recurrent and state-space models.
#include "shim_internal.h"
#include "shim_recurrent.h"

using namespace hf2go;

extern "C" {

mlxg_err mlxg_conv1d(mlxg_array x, mlxg_array w, int stride, int padding, int dilation, int groups, mlxg_array* out) {
  GUARD(OUT(mx::conv1d(A(x), A(w), stride, padding, dilation, groups, S)))
}

mlxg_err mlxg_hadamard_transform(mlxg_array x, float scale, int has_scale, mlxg_array* out) {
  GUARD({
    std::optional<float> s = has_scale ? std::optional<float>(scale) : std::nullopt;
    OUT(mx::hadamard_transform(A(x), s, S));
  })
}

}  // extern "C"
