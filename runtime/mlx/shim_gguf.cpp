// GGUF tensors through libmlx's own reader (see shim_gguf.h).
#include <algorithm>

#include "shim_gguf.h"
#include "shim_internal.h"

using hf2go::wrap;

struct mlxg_gguf_s {
  std::vector<std::pair<std::string, mx::array>> arrays;
};

extern "C" {

mlxg_err mlxg_gguf_load(const char* path, mlxg_gguf* out) {
  GUARD({
    auto loaded = mx::load_gguf(std::string(path), hf2go::cpu_stream());
    auto* f = new mlxg_gguf_s;
    for (auto& kv : loaded.first) f->arrays.emplace_back(kv.first, kv.second);
    // Sorted so that iteration order never depends on a hash map.
    std::sort(f->arrays.begin(), f->arrays.end(), [](auto& a, auto& b) { return a.first < b.first; });
    *out = f;
  })
}
int mlxg_gguf_count(mlxg_gguf f) { return static_cast<int>(f->arrays.size()); }
const char* mlxg_gguf_name(mlxg_gguf f, int i) { return f->arrays[i].first.c_str(); }
mlxg_array mlxg_gguf_take(mlxg_gguf f, int i) { return wrap(f->arrays[i].second); }
void mlxg_gguf_free(mlxg_gguf f) { delete f; }

}  // extern "C"
