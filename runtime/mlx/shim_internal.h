// Shared helpers for the shim's C++ translation units. Not part of the C ABI.
#pragma once

#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mlx/mlx.h"
#include "shim.h"

namespace mx = mlx::core;

// The handle behind mlxg_array. It starts with the mlxg_meta header (shim.h),
// which Go reads directly: the context that created the handle (which scope
// stack it belongs to) and the array's dtype and shape, so that none of them
// costs a cgo call. An array's dtype and shape never change after it is made,
// and the handle keeps the array's descriptor (and so its shape) alive.
struct mlxg_array_s {
  mlxg_meta meta;
  mx::array a;
};

namespace hf2go {

// The stream ops are issued on: the bound context's own stream on a thread
// that runtime/mlx.Bind bound to a context, else the process's shared stream.
// All are made with new_thread_unsafe_stream, so any thread may use them
// (goroutines move between OS threads); what such a stream asks for, that no
// two threads submit work to it at once, is what submit_lock() provides.
// Building ops touches no stream state and needs no lock.
mx::Stream& stream();

// The context bound to this thread (0: none, the shared context).
int32_t current_ctx();

// The lock every graph submission (eval, async_eval, synchronize) holds while
// it hands work to the streams' encoders; waiting for results happens outside
// it, so one goroutine's wait never holds up another's submission.
std::mutex& submit_lock();

// eval waits for arrays the way mx::eval does, submitting under submit_lock.
void eval(std::vector<mx::array> arrs);

// A CPU stream made the same way, for work MLX only does on the CPU (loading
// files); it is stream() itself when stream() is on the CPU.
mx::Stream& cpu_stream();

inline mlxg_err dup_msg(const char* m) {
  size_t n = std::strlen(m);
  char* out = static_cast<char*>(std::malloc(n + 1));
  if (out) std::memcpy(out, m, n + 1);
  return out;
}

inline mlxg_array wrap(mx::array a) {
  auto* h = new mlxg_array_s{mlxg_meta{}, std::move(a)};
  h->meta.ctx = current_ctx();
  h->meta.dtype = static_cast<int32_t>(h->a.dtype().val());
  h->meta.ndim = static_cast<int32_t>(h->a.ndim());
  h->meta.shape = h->a.shape().data();
  return h;
}
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

// A Python scalar as mx::array(v, dtype) makes it.
mx::array scalar_of(double v, int dtype);

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
