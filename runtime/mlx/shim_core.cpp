// The shim's runtime, creation, element-wise, reduction and shape entry points.
#include <deque>

#include "shim_internal.h"

namespace hf2go {

static std::optional<mx::Stream> g_stream;
static std::optional<mx::Stream> g_cpu_stream;

// The contexts' streams, by index; a deque so that bound threads may keep
// pointers into it while it grows.
static std::mutex g_ctx_mu;
static std::deque<mx::Stream> g_ctx_streams;

// What mlxg_ctx_bind set on this thread.
static thread_local int32_t t_ctx = 0;
static thread_local mx::Stream* t_stream = nullptr;

// Some MLX ops build helper arrays on the calling thread's default stream
// rather than on the stream they are given: in MLX 0.32.4 quantized_matmul
// and gather_qmm cast their input with an astype given no stream when the
// input and scales dtypes differ (float32 activations, float16/bfloat16
// scales, as in a GGUF model with float32 norms). A thread's default stream
// is a thread-local stream that exists only on that thread, so when the graph
// is evaluated from another OS thread (an unbound goroutine moves between
// threads; a bound goroutine's arrays may be evaluated by another goroutine)
// MLX fails with "There is no Stream(cpu, N) in current thread". Making the
// stream this thread issues ops on (its bound context's, else the shared
// one: both thread-unsafe streams, usable from any thread) the thread's
// default keeps every array of the graph on it. One thread-local compare per
// op; set_default_stream only when the thread's stream changes (bind/unbind).
//
// On a GPU the thread's default CPU stream is made the shared CPU stream
// (also thread-unsafe) as well: MLX code that picks "the default CPU stream"
// by itself then gets one that exists on every thread. The H200 run of 14:40
// failed TestDistributedRing with "There is no Stream(cpu, 0) in current
// thread" in the ring backend's all_sum (a CPU-only backend under a GPU
// stream); this is meant to cover that path too, not yet re-run on a GPU.
mx::Stream& stream() {
  thread_local const mx::Stream* t_default = nullptr;
  mx::Stream& s = t_stream ? *t_stream : *g_stream;
  if (t_default != &s) {
    mx::set_default_stream(s);
    if (s.device != mx::Device::cpu) mx::set_default_stream(*g_cpu_stream);
    t_default = &s;
  }
  return s;
}
mx::Stream& cpu_stream() { return *g_cpu_stream; }
int32_t current_ctx() { return t_ctx; }

std::mutex& submit_lock() {
  static std::mutex m;
  return m;
}

void eval(std::vector<mx::array> arrs) {
  // Arrays already computed (weights, a token a submitter thread has waited
  // for) need neither the submit lock nor a wait: reading them must not queue
  // behind another thread's submission.
  bool ready = true;
  for (auto& a : arrs) {
    if (a.status() != mx::array::Status::available) {
      ready = false;
      break;
    }
  }
  if (ready) return;
  {
    std::lock_guard<std::mutex> g(submit_lock());
    mx::async_eval(arrs);
  }
  for (auto& a : arrs) a.wait();
}

mx::array scalar_of(double v, int dtype) {
  mx::Dtype dt = dtype_of(dtype);
  switch (dt.val()) {
    case mx::Dtype::Val::bool_: return mx::array(v != 0);
    case mx::Dtype::Val::int32: return mx::array(static_cast<int32_t>(v), dt);
    case mx::Dtype::Val::int64: return mx::array(static_cast<int64_t>(v), dt);
    case mx::Dtype::Val::uint32: return mx::array(static_cast<uint32_t>(v), dt);
    case mx::Dtype::Val::uint8: return mx::array(static_cast<uint8_t>(v), dt);
    default: return mx::array(static_cast<float>(v), dt);
  }
}

mx::Dtype dtype_of(int code) {
  switch (static_cast<mx::Dtype::Val>(code)) {
    case mx::Dtype::Val::bool_: return mx::bool_;
    case mx::Dtype::Val::uint8: return mx::uint8;
    case mx::Dtype::Val::uint16: return mx::uint16;
    case mx::Dtype::Val::uint32: return mx::uint32;
    case mx::Dtype::Val::uint64: return mx::uint64;
    case mx::Dtype::Val::int8: return mx::int8;
    case mx::Dtype::Val::int16: return mx::int16;
    case mx::Dtype::Val::int32: return mx::int32;
    case mx::Dtype::Val::int64: return mx::int64;
    case mx::Dtype::Val::float16: return mx::float16;
    case mx::Dtype::Val::float32: return mx::float32;
    case mx::Dtype::Val::float64: return mx::float64;
    case mx::Dtype::Val::bfloat16: return mx::bfloat16;
    case mx::Dtype::Val::complex64: return mx::complex64;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(code));
}

}  // namespace hf2go

using namespace hf2go;

extern "C" {

mlxg_err mlxg_init(int want_gpu, int* on_gpu) {
  GUARD({
    if (g_stream) {
      *on_gpu = g_stream->device == mx::Device::gpu;
      return nullptr;
    }
    mx::Device dev = mx::Device::cpu;
    if (want_gpu && mx::is_available(mx::Device::gpu)) dev = mx::Device::gpu;
    mx::set_default_device(dev);
    g_stream = mx::new_thread_unsafe_stream(dev);
    g_cpu_stream = dev == mx::Device::cpu ? *g_stream : mx::new_thread_unsafe_stream(mx::Device::cpu);
    *on_gpu = dev == mx::Device::gpu;
  })
}

mlxg_err mlxg_ctx_new_stream(int* index) {
  GUARD({
    std::lock_guard<std::mutex> g(g_ctx_mu);
    g_ctx_streams.push_back(mx::new_thread_unsafe_stream(g_stream->device));
    *index = static_cast<int>(g_ctx_streams.size()) - 1;
  })
}

void mlxg_ctx_bind(int32_t ctx, int stream_index) {
  std::lock_guard<std::mutex> g(g_ctx_mu);
  t_ctx = ctx;
  t_stream = &g_ctx_streams[stream_index];
}

void mlxg_ctx_unbind(void) {
  t_ctx = 0;
  t_stream = nullptr;
}

int32_t mlxg_ctx_current(void) { return t_ctx; }

const char* mlxg_version(void) { return mx::version(); }

void mlxg_free(mlxg_array a) { delete a; }
mlxg_array mlxg_dup(mlxg_array a) { return wrap(a->a); }
void mlxg_free_many(mlxg_array* arrs, int n) {
  for (int i = 0; i < n; i++) delete arrs[i];
}

mlxg_err mlxg_eval(mlxg_array* arrs, int n) { GUARD(hf2go::eval(arrays(arrs, n))) }
mlxg_err mlxg_async_eval(mlxg_array* arrs, int n) {
  GUARD({
    auto v = arrays(arrs, n);
    std::lock_guard<std::mutex> g(submit_lock());
    mx::async_eval(std::move(v));
  })
}
mlxg_err mlxg_synchronize(void) {
  GUARD({
    std::lock_guard<std::mutex> g(submit_lock());
    mx::synchronize(S);
  })
}

size_t mlxg_active_memory(void) { return mx::get_active_memory(); }
size_t mlxg_peak_memory(void) { return mx::get_peak_memory(); }
size_t mlxg_cache_memory(void) { return mx::get_cache_memory(); }
void mlxg_reset_peak_memory(void) { mx::reset_peak_memory(); }
void mlxg_clear_cache(void) { mx::clear_cache(); }
size_t mlxg_set_cache_limit(size_t limit) { return mx::set_cache_limit(limit); }
size_t mlxg_set_memory_limit(size_t limit) { return mx::set_memory_limit(limit); }

int mlxg_ndim(mlxg_array a) { return static_cast<int>(a->a.ndim()); }
void mlxg_shape(mlxg_array a, int* out) {
  const auto& s = a->a.shape();
  for (size_t i = 0; i < s.size(); i++) out[i] = s[i];
}
int mlxg_dtype(mlxg_array a) { return static_cast<int>(a->a.dtype().val()); }
size_t mlxg_size(mlxg_array a) { return a->a.size(); }
size_t mlxg_nbytes(mlxg_array a) { return a->a.nbytes(); }
// Reads the status only: array::is_available may set it, and a weight is read
// by many threads at once. eval (above) waits on each array it is given, which
// makes it available.
int mlxg_is_available(mlxg_array a) { return a->a.status() == mx::array::Status::available; }
int mlxg_dtype_size(int dtype) {
  try {
    return dtype_of(dtype).size();
  } catch (...) {
    return 0;
  }
}

mlxg_err mlxg_from_data(const void* data, const int* shape, int ndim, int dtype, mlxg_array* out) {
  GUARD({
    mx::Dtype dt = dtype_of(dtype);
    mx::Shape sh = shape_of(shape, ndim);
    size_t n = 1;
    for (auto d : sh) n *= static_cast<size_t>(d);
    // Copy into an MLX-owned buffer so the Go slice may be reused at once.
    mx::allocator::Data buf = mx::allocator::malloc(n * dt.size());
    if (n > 0) std::memcpy(buf.buffer().raw_ptr(), data, n * dt.size());
    OUT(mx::array(std::move(buf), sh, dt));
  })
}

mlxg_err mlxg_scalar(double v, int dtype, mlxg_array* out) { GUARD(OUT(scalar_of(v, dtype))) }

mlxg_err mlxg_full(const int* shape, int ndim, mlxg_array val, int dtype, mlxg_array* out) {
  GUARD(OUT(mx::full(shape_of(shape, ndim), A(val), dtype_of(dtype), S)))
}

mlxg_err mlxg_arange(double start, double stop, double step, int dtype, mlxg_array* out) {
  GUARD(OUT(mx::arange(start, stop, step, dtype_of(dtype), S)))
}

mlxg_err mlxg_copy_out(mlxg_array h, void* dst, size_t nbytes) {
  GUARD({
    mx::array a = h->a;
    if (nbytes != a.nbytes()) throw std::invalid_argument("destination has the wrong size");
    hf2go::eval({a});
    if (!a.flags().row_contiguous) {
      a = mx::contiguous(a, false, S);
      hf2go::eval({a});
    }
    if (nbytes > 0) std::memcpy(dst, a.data<char>(), nbytes);
  })
}

mlxg_err mlxg_item(mlxg_array h, double* out) {
  GUARD({
    mx::array a = h->a;
    if (a.size() != 1) throw std::invalid_argument("item() needs an array of one element, got " + std::to_string(a.size()));
    // Read the element where it is, as Python's item() does: no conversion
    // graph, no extra evaluation (the array is host-visible once evaluated).
    hf2go::eval({a});
    switch (a.dtype().val()) {
      case mx::Dtype::Val::bool_: *out = a.item<bool>(); break;
      case mx::Dtype::Val::uint8: *out = a.item<uint8_t>(); break;
      case mx::Dtype::Val::uint16: *out = a.item<uint16_t>(); break;
      case mx::Dtype::Val::uint32: *out = a.item<uint32_t>(); break;
      case mx::Dtype::Val::uint64: *out = static_cast<double>(a.item<uint64_t>()); break;
      case mx::Dtype::Val::int8: *out = a.item<int8_t>(); break;
      case mx::Dtype::Val::int16: *out = a.item<int16_t>(); break;
      case mx::Dtype::Val::int32: *out = a.item<int32_t>(); break;
      case mx::Dtype::Val::int64: *out = static_cast<double>(a.item<int64_t>()); break;
      case mx::Dtype::Val::float16: *out = static_cast<float>(a.item<mx::float16_t>()); break;
      case mx::Dtype::Val::bfloat16: *out = static_cast<float>(a.item<mx::bfloat16_t>()); break;
      case mx::Dtype::Val::float32: *out = a.item<float>(); break;
      case mx::Dtype::Val::float64: *out = a.item<double>(); break;
      default: throw std::invalid_argument("item() of a complex array");
    }
  })
}

static mx::array unary_op(int op, const mx::array& a) {
    switch (op) {
      case MLXG_ABS: return mx::abs(a, S);
      case MLXG_NEG: return mx::negative(a, S);
      case MLXG_EXP: return mx::exp(a, S);
      case MLXG_LOG: return mx::log(a, S);
      case MLXG_LOG2: return mx::log2(a, S);
      case MLXG_SQRT: return mx::sqrt(a, S);
      case MLXG_RSQRT: return mx::rsqrt(a, S);
      case MLXG_SQUARE: return mx::square(a, S);
      case MLXG_SIGMOID: return mx::sigmoid(a, S);
      case MLXG_TANH: return mx::tanh(a, S);
      case MLXG_SIN: return mx::sin(a, S);
      case MLXG_COS: return mx::cos(a, S);
      case MLXG_FLOOR: return mx::floor(a, S);
      case MLXG_CEIL: return mx::ceil(a, S);
      case MLXG_ERF: return mx::erf(a, S);
      case MLXG_ERFINV: return mx::erfinv(a, S);
      case MLXG_EXPM1: return mx::expm1(a, S);
      case MLXG_LOG1P: return mx::log1p(a, S);
      case MLXG_LOGICAL_NOT: return mx::logical_not(a, S);
      case MLXG_STOP_GRADIENT: return mx::stop_gradient(a, S);
      case MLXG_ISINF: return mx::isinf(a, S);
      case MLXG_ISNAN: return mx::isnan(a, S);
      case MLXG_ISPOSINF: return mx::isposinf(a, S);
      case MLXG_ISNEGINF: return mx::isneginf(a, S);
      case MLXG_SIGN: return mx::sign(a, S);
      case MLXG_RECIPROCAL: return mx::reciprocal(a, S);
      case MLXG_COPY: return mx::copy(a, S);
      case MLXG_CONTIGUOUS: return mx::contiguous(a, false, S);
      default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
    }
}

mlxg_err mlxg_unary(int op, mlxg_array h, mlxg_array* out) { GUARD(OUT(unary_op(op, A(h)))) }

mlxg_res mlxg_unary_r(int op, mlxg_array h) {
  try {
    return mlxg_res{wrap(unary_op(op, A(h))), nullptr};
  } catch (const std::exception& e) {
    return mlxg_res{nullptr, dup_msg(e.what())};
  } catch (...) {
    return mlxg_res{nullptr, dup_msg("unknown C++ exception from MLX")};
  }
}

static mx::array binary_op(int op, const mx::array& a, const mx::array& b) {
    switch (op) {
      case MLXG_ADD: return mx::add(a, b, S);
      case MLXG_SUBTRACT: return mx::subtract(a, b, S);
      case MLXG_MULTIPLY: return mx::multiply(a, b, S);
      case MLXG_DIVIDE: return mx::divide(a, b, S);
      case MLXG_FLOOR_DIVIDE: return mx::floor_divide(a, b, S);
      case MLXG_REMAINDER: return mx::remainder(a, b, S);
      case MLXG_POWER: return mx::power(a, b, S);
      case MLXG_MAXIMUM: return mx::maximum(a, b, S);
      case MLXG_MINIMUM: return mx::minimum(a, b, S);
      case MLXG_EQUAL: return mx::equal(a, b, S);
      case MLXG_NOT_EQUAL: return mx::not_equal(a, b, S);
      case MLXG_LESS: return mx::less(a, b, S);
      case MLXG_LESS_EQUAL: return mx::less_equal(a, b, S);
      case MLXG_GREATER: return mx::greater(a, b, S);
      case MLXG_GREATER_EQUAL: return mx::greater_equal(a, b, S);
      case MLXG_LOGICAL_AND: return mx::logical_and(a, b, S);
      case MLXG_LOGICAL_OR: return mx::logical_or(a, b, S);
      case MLXG_MATMUL: return mx::matmul(a, b, S);
      case MLXG_ARCTAN2: return mx::arctan2(a, b, S);
      case MLXG_LOGADDEXP: return mx::logaddexp(a, b, S);
      case MLXG_BITWISE_AND: return mx::bitwise_and(a, b, S);
      case MLXG_BITWISE_OR: return mx::bitwise_or(a, b, S);
      case MLXG_LEFT_SHIFT: return mx::left_shift(a, b, S);
      case MLXG_RIGHT_SHIFT: return mx::right_shift(a, b, S);
      default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
    }
}

mlxg_err mlxg_binary(int op, mlxg_array ha, mlxg_array hb, mlxg_array* out) { GUARD(OUT(binary_op(op, A(ha), A(hb)))) }

mlxg_res mlxg_binary_r(int op, mlxg_array ha, mlxg_array hb, int ka, double va, int kb, double vb) {
  try {
    if (ka < 0 && kb < 0) return mlxg_res{wrap(binary_op(op, A(ha), A(hb))), nullptr};
    mx::array a = ka < 0 ? A(ha) : scalar_of(va, ka);
    mx::array b = kb < 0 ? A(hb) : scalar_of(vb, kb);
    return mlxg_res{wrap(binary_op(op, a, b)), nullptr};
  } catch (const std::exception& e) {
    return mlxg_res{nullptr, dup_msg(e.what())};
  } catch (...) {
    return mlxg_res{nullptr, dup_msg("unknown C++ exception from MLX")};
  }
}

mlxg_err mlxg_reduce(int op, mlxg_array h, const int* axes_p, int naxes, int all, int keepdims, mlxg_array* out) {
  GUARD({
    const mx::array& a = A(h);
    std::vector<int> axes;
    if (all) {
      for (int i = 0; i < static_cast<int>(a.ndim()); i++) axes.push_back(i);
    } else {
      axes = ints(axes_p, naxes);
    }
    bool kd = keepdims != 0;
    switch (op) {
      case MLXG_SUM: OUT(mx::sum(a, axes, kd, S)); break;
      case MLXG_MEAN: OUT(mx::mean(a, axes, kd, S)); break;
      case MLXG_MAX: OUT(mx::max(a, axes, kd, S)); break;
      case MLXG_MIN: OUT(mx::min(a, axes, kd, S)); break;
      case MLXG_PROD: OUT(mx::prod(a, axes, kd, S)); break;
      case MLXG_ALL: OUT(mx::all(a, axes, kd, S)); break;
      case MLXG_ANY: OUT(mx::any(a, axes, kd, S)); break;
      default: throw std::invalid_argument("unknown reduction " + std::to_string(op));
    }
  })
}

mlxg_err mlxg_arg_reduce(int op, mlxg_array h, int axis, int all, int keepdims, mlxg_array* out) {
  GUARD({
    const mx::array& a = A(h);
    bool kd = keepdims != 0;
    if (op == MLXG_ARGMAX) {
      OUT(all ? mx::argmax(a, kd, S) : mx::argmax(a, axis, kd, S));
    } else {
      OUT(all ? mx::argmin(a, kd, S) : mx::argmin(a, axis, kd, S));
    }
  })
}

mlxg_err mlxg_reshape(mlxg_array a, const int* shape, int n, mlxg_array* out) {
  GUARD(OUT(mx::reshape(A(a), shape_of(shape, n), S)))
}
mlxg_err mlxg_transpose(mlxg_array a, const int* axes, int n, mlxg_array* out) {
  GUARD(OUT(n < 0 ? mx::transpose(A(a), S) : mx::transpose(A(a), ints(axes, n), S)))
}
mlxg_err mlxg_swapaxes(mlxg_array a, int a1, int a2, mlxg_array* out) {
  GUARD(OUT(mx::swapaxes(A(a), a1, a2, S)))
}
mlxg_err mlxg_moveaxis(mlxg_array a, int src, int dst, mlxg_array* out) {
  GUARD(OUT(mx::moveaxis(A(a), src, dst, S)))
}
mlxg_err mlxg_expand_dims(mlxg_array a, const int* axes, int n, mlxg_array* out) {
  GUARD(OUT(mx::expand_dims(A(a), ints(axes, n), S)))
}
mlxg_err mlxg_squeeze(mlxg_array a, const int* axes, int n, mlxg_array* out) {
  GUARD(OUT(n < 0 ? mx::squeeze(A(a), S) : mx::squeeze(A(a), ints(axes, n), S)))
}
mlxg_err mlxg_flatten(mlxg_array a, int start, int end, mlxg_array* out) {
  GUARD(OUT(mx::flatten(A(a), start, end, S)))
}
mlxg_err mlxg_unflatten(mlxg_array a, int axis, const int* shape, int n, mlxg_array* out) {
  GUARD(OUT(mx::unflatten(A(a), axis, shape_of(shape, n), S)))
}
mlxg_err mlxg_broadcast_to(mlxg_array a, const int* shape, int n, mlxg_array* out) {
  GUARD(OUT(mx::broadcast_to(A(a), shape_of(shape, n), S)))
}
mlxg_err mlxg_astype(mlxg_array a, int dtype, mlxg_array* out) {
  GUARD(OUT(mx::astype(A(a), dtype_of(dtype), S)))
}
mlxg_err mlxg_view(mlxg_array a, int dtype, mlxg_array* out) {
  GUARD(OUT(mx::view(A(a), dtype_of(dtype), S)))
}
mlxg_err mlxg_tile(mlxg_array a, const int* reps, int n, mlxg_array* out) {
  GUARD(OUT(mx::tile(A(a), ints(reps, n), S)))
}
mlxg_err mlxg_repeat(mlxg_array a, int repeats, int axis, int flat, mlxg_array* out) {
  GUARD(OUT(flat ? mx::repeat(A(a), repeats, S) : mx::repeat(A(a), repeats, axis, S)))
}
mlxg_err mlxg_pad(mlxg_array a, const int* axes, const int* lo, const int* hi, int n, mlxg_array val, int mode_edge,
                  mlxg_array* out) {
  GUARD(OUT(mx::pad(A(a), ints(axes, n), shape_of(lo, n), shape_of(hi, n), A(val), mode_edge ? "edge" : "constant", S)))
}
mlxg_err mlxg_concatenate(mlxg_array* arrs, int n, int axis, mlxg_array* out) {
  GUARD(OUT(mx::concatenate(arrays(arrs, n), axis, S)))
}
mlxg_err mlxg_stack(mlxg_array* arrs, int n, int axis, mlxg_array* out) {
  GUARD(OUT(mx::stack(arrays(arrs, n), axis, S)))
}
mlxg_err mlxg_split_sections(mlxg_array a, int num, int axis, mlxg_array* outs) {
  GUARD({
    auto parts = mx::split(A(a), num, axis, S);
    for (size_t i = 0; i < parts.size(); i++) outs[i] = wrap(parts[i]);
  })
}
mlxg_err mlxg_split_indices(mlxg_array a, const int* idx, int n, int axis, mlxg_array* outs) {
  GUARD({
    auto parts = mx::split(A(a), shape_of(idx, n), axis, S);
    for (size_t i = 0; i < parts.size(); i++) outs[i] = wrap(parts[i]);
  })
}
mlxg_err mlxg_slice(mlxg_array a, const int* start, const int* stop, const int* strides, int n, mlxg_array* out) {
  GUARD(OUT(mx::slice(A(a), shape_of(start, n), shape_of(stop, n), shape_of(strides, n), S)))
}
mlxg_err mlxg_slice_dynamic(mlxg_array a, mlxg_array start, const int* axes, int naxes, const int* sizes, int nsizes,
                            mlxg_array* out) {
  GUARD(OUT(mx::slice(A(a), A(start), ints(axes, naxes), shape_of(sizes, nsizes), S)))
}
mlxg_err mlxg_slice_update(mlxg_array a, mlxg_array upd, const int* start, const int* stop, const int* strides, int n,
                           mlxg_array* out) {
  GUARD(OUT(mx::slice_update(A(a), A(upd), shape_of(start, n), shape_of(stop, n), shape_of(strides, n), S)))
}
mlxg_err mlxg_slice_update_dynamic(mlxg_array a, mlxg_array upd, mlxg_array start, const int* axes, int n,
                                   mlxg_array* out) {
  GUARD(OUT(mx::slice_update(A(a), A(upd), A(start), ints(axes, n), S)))
}
mlxg_err mlxg_take(mlxg_array a, mlxg_array idx, int axis, int flat, mlxg_array* out) {
  GUARD(OUT(flat ? mx::take(A(a), A(idx), S) : mx::take(A(a), A(idx), axis, S)))
}
mlxg_err mlxg_take_along_axis(mlxg_array a, mlxg_array idx, int axis, int flat, mlxg_array* out) {
  GUARD({
    if (flat) {
      OUT(mx::take_along_axis(mx::reshape(A(a), {-1}, S), A(idx), 0, S));
    } else {
      OUT(mx::take_along_axis(A(a), A(idx), axis, S));
    }
  })
}
mlxg_err mlxg_put_along_axis(mlxg_array a, mlxg_array idx, mlxg_array vals, int axis, int flat, mlxg_array* out) {
  GUARD({
    if (flat) {
      auto shape = A(a).shape();
      OUT(mx::reshape(mx::put_along_axis(mx::reshape(A(a), {-1}, S), A(idx), A(vals), 0, S), shape, S));
    } else {
      OUT(mx::put_along_axis(A(a), A(idx), A(vals), axis, S));
    }
  })
}
mlxg_err mlxg_scatter(mlxg_array a, mlxg_array* idx, int nidx, mlxg_array upd, const int* axes, int naxes, int mode,
                      mlxg_array* out) {
  GUARD({
    if (mode == MLXG_SCATTER_ADD) {
      OUT(mx::scatter_add(A(a), arrays(idx, nidx), A(upd), ints(axes, naxes), S));
    } else {
      OUT(mx::scatter(A(a), arrays(idx, nidx), A(upd), ints(axes, naxes), S));
    }
  })
}
mlxg_err mlxg_where(mlxg_array c, mlxg_array x, mlxg_array y, mlxg_array* out) {
  GUARD(OUT(mx::where(A(c), A(x), A(y), S)))
}
mlxg_err mlxg_clip(mlxg_array a, mlxg_array lo, mlxg_array hi, mlxg_array* out) {
  GUARD(OUT(mx::clip(A(a), opt(lo), opt(hi), S)))
}
mlxg_err mlxg_tri(int n, int m, int k, int dtype, mlxg_array* out) {
  GUARD(OUT(mx::tri(n, m, k, dtype_of(dtype), S)))
}
mlxg_err mlxg_tril(mlxg_array a, int k, int upper, mlxg_array* out) {
  GUARD(OUT(upper ? mx::triu(A(a), k, S) : mx::tril(A(a), k, S)))
}
mlxg_err mlxg_sort(int op, mlxg_array a, int axis, int flat, mlxg_array* out) {
  GUARD({
    if (op == MLXG_SORT) {
      OUT(flat ? mx::sort(A(a), S) : mx::sort(A(a), axis, S));
    } else {
      OUT(flat ? mx::argsort(A(a), S) : mx::argsort(A(a), axis, S));
    }
  })
}
mlxg_err mlxg_partition(int op, mlxg_array a, int kth, int axis, int flat, mlxg_array* out) {
  GUARD({
    if (op == MLXG_PARTITION) {
      OUT(flat ? mx::partition(A(a), kth, S) : mx::partition(A(a), kth, axis, S));
    } else {
      OUT(flat ? mx::argpartition(A(a), kth, S) : mx::argpartition(A(a), kth, axis, S));
    }
  })
}
mlxg_err mlxg_topk(mlxg_array a, int k, int axis, int flat, mlxg_array* out) {
  GUARD(OUT(flat ? mx::topk(A(a), k, S) : mx::topk(A(a), k, axis, S)))
}
mlxg_err mlxg_cumulative(int op, mlxg_array h, int axis, int flat, int reverse, int inclusive, mlxg_array* out) {
  GUARD({
    mx::array a = flat ? mx::reshape(A(h), {-1}, S) : A(h);
    int ax = flat ? 0 : axis;
    bool r = reverse != 0, inc = inclusive != 0;
    switch (op) {
      case MLXG_CUMSUM: OUT(mx::cumsum(a, ax, r, inc, S)); break;
      case MLXG_CUMPROD: OUT(mx::cumprod(a, ax, r, inc, S)); break;
      case MLXG_CUMMAX: OUT(mx::cummax(a, ax, r, inc, S)); break;
      case MLXG_CUMMIN: OUT(mx::cummin(a, ax, r, inc, S)); break;
      default: throw std::invalid_argument("unknown cumulative op " + std::to_string(op));
    }
  })
}
mlxg_err mlxg_softmax(mlxg_array a, const int* axes, int naxes, int all, int precise, mlxg_array* out) {
  GUARD(OUT(all ? mx::softmax(A(a), precise != 0, S) : mx::softmax(A(a), ints(axes, naxes), precise != 0, S)))
}
mlxg_err mlxg_logsumexp(mlxg_array a, const int* axes, int naxes, int all, int keepdims, mlxg_array* out) {
  GUARD(OUT(all ? mx::logsumexp(A(a), keepdims != 0, S) : mx::logsumexp(A(a), ints(axes, naxes), keepdims != 0, S)))
}
mlxg_err mlxg_var(int std_, mlxg_array a, const int* axes, int naxes, int all, int keepdims, int ddof, mlxg_array* out) {
  GUARD({
    std::vector<int> ax;
    if (all) {
      for (int i = 0; i < static_cast<int>(A(a).ndim()); i++) ax.push_back(i);
    } else {
      ax = ints(axes, naxes);
    }
    OUT(std_ ? mx::std(A(a), ax, keepdims != 0, ddof, S) : mx::var(A(a), ax, keepdims != 0, ddof, S));
  })
}
mlxg_err mlxg_norm(mlxg_array a, double ord, int has_ord, const int* axes, int naxes, int all, int keepdims,
                   mlxg_array* out) {
  GUARD({
    std::optional<std::vector<int>> ax;
    if (!all) ax = ints(axes, naxes);
    if (has_ord) {
      OUT(mx::linalg::norm(A(a), ord, ax, keepdims != 0, S));
    } else {
      OUT(mx::linalg::norm(A(a), ax, keepdims != 0, S));
    }
  })
}
mlxg_err mlxg_round(mlxg_array a, int decimals, mlxg_array* out) { GUARD(OUT(mx::round(A(a), decimals, S))) }
mlxg_err mlxg_from_fp8(mlxg_array a, int dtype, mlxg_array* out) { GUARD(OUT(mx::from_fp8(A(a), dtype_of(dtype), S))) }
mlxg_err mlxg_to_fp8(mlxg_array a, mlxg_array* out) { GUARD(OUT(mx::to_fp8(A(a), S))) }
mlxg_err mlxg_addmm(mlxg_array c, mlxg_array a, mlxg_array b, float alpha, float beta, mlxg_array* out) {
  GUARD(OUT(mx::addmm(A(c), A(a), A(b), alpha, beta, S)))
}
mlxg_err mlxg_depends(mlxg_array* inputs, int ni, mlxg_array* deps, int nd, mlxg_array* outs) {
  GUARD({
    auto res = mx::depends(arrays(inputs, ni), arrays(deps, nd));
    for (size_t i = 0; i < res.size(); i++) outs[i] = wrap(res[i]);
  })
}

}  // extern "C"
