// Shared helpers for the shim's C++ translation units. Not part of the C ABI.
#pragma once

#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "mlx/mlx.h"
#include "shim.h"

namespace mx = mlx::core;

// The handle behind mlxg_array.
struct mlxg_array_s {
  mx::array a;
};

namespace hf2go {

// The one stream every op is issued on. It is created with
// new_thread_unsafe_stream so that it may be used from any OS thread: Go moves
// goroutines between threads, and the Go side serialises MLX calls with a
// mutex, which is exactly the discipline such a stream asks for.
mx::Stream& stream();

// A CPU stream made the same way, for work MLX only does on the CPU (loading
// files); it is stream() itself when stream() is on the CPU.
mx::Stream& cpu_stream();

inline mlxg_err dup_msg(const char* m) {
  size_t n = std::strlen(m);
  char* out = static_cast<char*>(std::malloc(n + 1));
  if (out) std::memcpy(out, m, n + 1);
  return out;
}

inline mlxg_array wrap(mx::array a) { return new mlxg_array_s{std::move(a)}; }
inline const mx::array& A(mlxg_array h) { return h->a; }
inline std::optional<mx::array> opt(mlxg_array h) {
  if (h == nullptr) return std::nullopt;
  return h->a;
}
inline mx::Shape shape_of(const int* s, int n) { return mx::Shape(s, s + n); }
inline std::vector<int> ints(const int* s, int n) { return std::vector<int>(s, s + n); }
inline std::vector<mx::array> arrays(mlxg_array* hs, int n) {
  std::vector<mx::array> v;
  v.reserve(n);
  for (int i = 0; i < n; i++) v.push_back(hs[i]->a);
  return v;
}
mx::Dtype dtype_of(int code);

}  // namespace hf2go

// GUARD wraps a body so that no C++ exception crosses into Go.
#define GUARD(...)                                           \
  try {                                                      \
    __VA_ARGS__;                                             \
    return nullptr;                                          \
  } catch (const std::exception& e) {                        \
    return hf2go::dup_msg(e.what());                         \
  } catch (...) {                                            \
    return hf2go::dup_msg("unknown C++ exception from MLX"); \
  }

#define OUT(expr) *out = hf2go::wrap(expr)
#define S hf2go::stream()
