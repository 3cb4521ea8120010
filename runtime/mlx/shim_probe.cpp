// Probes for the per-op cost breakdown of the binding (runtime/mlx/profile_test.go,
// docs/bench/profile.md): an empty entry point, to time a bare cgo transition, and
// a chain of adds built entirely in C++, to time what MLX itself costs per op
// (the floor that the Go and the Python binding share). Not part of the API.
#include <chrono>

#include "shim_internal.h"

using namespace hf2go;

extern "C" {

void mlxg_probe_noop(void) {}

mlxg_err mlxg_probe_chain(mlxg_array x, mlxg_array c, int n, int wrap_each, double* build_ns, double* free_ns) {
  GUARD({
    using clk = std::chrono::steady_clock;
    std::vector<mlxg_array> hs;
    hs.reserve(wrap_each ? n : 0);
    auto t0 = clk::now();
    mx::array y = A(x);
    for (int i = 0; i < n; i++) {
      y = (i % 2 == 0) ? mx::add(y, A(c), S) : mx::multiply(y, A(c), S);
      // The binding's handle: one heap cell per op result, as wrap() makes.
      if (wrap_each) hs.push_back(wrap(y));
    }
    auto t1 = clk::now();
    for (auto h : hs) delete h;
    { mx::array drop = std::move(y); }
    auto t2 = clk::now();
    *build_ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / n;
    *free_ns = std::chrono::duration<double, std::nano>(t2 - t1).count() / n;
  })
}

}  // extern "C"
