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

// mlxg_graph_census walks the graph below arrs (stopping at evaluated arrays,
// which eval would not run again) and writes "name count" lines, one per
// primitive name, sorted, into a malloc'd string: what one eval of arrs would
// execute, comparable with the same walk in Python (scripts/gpu/memprobe
// -census, bench_gpu.py --census).
#include <map>
#include "mlx/primitives.h"
#include <sstream>
#include <unordered_set>
mlxg_err mlxg_graph_census(mlxg_array* arrs, int n, char** out) {
  GUARD({
    std::map<std::string, int> counts;
    std::unordered_set<std::uintptr_t> seen;
    std::vector<mx::array> todo;
    for (int i = 0; i < n; i++) todo.push_back(arrs[i]->a);
    while (!todo.empty()) {
      mx::array a = todo.back();
      todo.pop_back();
      if (!seen.insert(a.id()).second) continue;
      if (a.is_available() || !a.has_primitive()) continue;
      counts[a.primitive().name()]++;
      for (auto& in : a.inputs()) todo.push_back(in);
      for (auto& s : a.siblings()) seen.insert(s.id());
    }
    std::ostringstream os;
    for (auto& kv : counts) os << kv.first << " " << kv.second << "\n";
    *out = dup_msg(os.str().c_str());
  })
}
