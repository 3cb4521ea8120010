// mx::compile for Go functions (compile.go). A compiled function is traced by
// calling back into Go (hf2goCompileTrace, exported by compile.go) with tracer
// arrays; MLX caches the trace per function id, per Python-scalar constants
// and, unless shapeless, per input shapes and dtypes (per thread, as MLX's
// compiler cache is), and replays it without Go afterwards.
#include "mlx/compile_impl.h"
#include "shim_internal.h"

using namespace hf2go;

extern "C" {
// Defined in Go (compile.go). Returns the number of outputs written to outs,
// or -1 with a malloc'd message in *err.
int hf2goCompileTrace(uintptr_t go_fn, mlxg_array* ins, int nin, uint64_t* consts, int nconst, mlxg_array* outs, int maxout,
                      char** err);
}

// How many Compile traces the calling thread is inside (mlxg_in_tracing):
// libmlx does not export mx::detail::in_tracing, and a Go trace callback runs
// on the thread that called mx::compile, so the shim counts its own.
static thread_local int go_traces = 0;
struct TraceGuard {
  TraceGuard() { go_traces++; }
  ~TraceGuard() { go_traces--; }
};

struct mlxg_fn_s {
  uintptr_t go_fn;
  bool shapeless;
};

extern "C" {

int mlxg_in_tracing(void) { return go_traces > 0; }

mlxg_fn mlxg_compile_new(uintptr_t go_fn, int shapeless) { return new mlxg_fn_s{go_fn, shapeless != 0}; }

mlxg_err mlxg_compile_call(mlxg_fn f, mlxg_array* ins, int nin, const uint64_t* consts, int nconst, mlxg_array* outs,
                           int maxout, int* nout) {
  GUARD({
    std::vector<mx::array> inputs = arrays(ins, nin);
    std::vector<uint64_t> cs(consts, consts + nconst);
    uintptr_t go_fn = f->go_fn;
    int max = maxout;
    auto trace = [go_fn, max, cs](const std::vector<mx::array>& xs) -> std::vector<mx::array> {
      std::vector<mlxg_array> hin;
      hin.reserve(xs.size());
      for (auto& x : xs) hin.push_back(wrap(x));
      std::vector<mlxg_array> hout(max, nullptr);
      char* err = nullptr;
      std::vector<uint64_t> c = cs;
      TraceGuard in_trace;
      int n = hf2goCompileTrace(go_fn, hin.data(), static_cast<int>(hin.size()), c.data(), static_cast<int>(c.size()),
                                hout.data(), max, &err);
      // Go frees the input handles it was given (they belong to its trace scope).
      if (n < 0) {
        std::string msg = err ? err : "compiled function failed";
        std::free(err);
        throw std::runtime_error(msg);
      }
      std::vector<mx::array> res;
      res.reserve(n);
      for (int i = 0; i < n; i++) {
        res.push_back(hout[i]->a);
        delete hout[i];  // Go handed these handles over
      }
      return res;
    };
    // As Python's mx.compile does per call: the id keys MLX's cache, the
    // constants (the Python scalars' values) are part of the key.
    auto fn = mx::detail::compile(trace, reinterpret_cast<std::uintptr_t>(f), f->shapeless, cs);
    auto res = fn(inputs);
    if (static_cast<int>(res.size()) > maxout) throw std::runtime_error("compiled function returned too many outputs");
    for (size_t i = 0; i < res.size(); i++) outs[i] = wrap(res[i]);
    *nout = static_cast<int>(res.size());
  })
}

void mlxg_compile_set_enabled(int on) {
  if (on) {
    mx::enable_compile();
  } else {
    mx::disable_compile();
  }
}

}  // extern "C"
