// The shim's runtime, creation, element-wise, reduction and shape entry points.
#include "shim_internal.h"

namespace hf2go {

static std::optional<mx::Stream> g_stream;
static std::optional<mx::Stream> g_cpu_stream;

// Some MLX ops build helper arrays on the calling thread's default stream
// rather than the stream they are given (quantized_matmul casts its input
// with an astype given no stream when the input and scales dtypes differ, in
// MLX 0.32.4), and
// a thread's default stream exists only on that thread: when the goroutine
// then evaluates on another OS thread, MLX fails with "There is no
// Stream(cpu, N) in current thread". Making the process-wide stream every
// calling thread's default keeps all arrays on the one stream.
mx::Stream& stream() {
  thread_local bool is_default = false;
  if (!is_default) {
    mx::set_default_stream(*g_stream);
    is_default = true;
  }
  return *g_stream;
}
mx::Stream& cpu_stream() { return *g_cpu_stream; }

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

const char* mlxg_version(void) { return mx::version(); }

void mlxg_free(mlxg_array a) { delete a; }
void mlxg_free_many(mlxg_array* arrs, int n) {
  for (int i = 0; i < n; i++) delete arrs[i];
}

mlxg_err mlxg_eval(mlxg_array* arrs, int n) { GUARD(mx::eval(arrays(arrs, n))) }
mlxg_err mlxg_async_eval(mlxg_array* arrs, int n) { GUARD(mx::async_eval(arrays(arrs, n))) }
mlxg_err mlxg_synchronize(void) { GUARD(mx::synchronize(S)) }

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

mlxg_err mlxg_scalar(double v, int dtype, mlxg_array* out) {
  GUARD({
    mx::Dtype dt = dtype_of(dtype);
    switch (dt.val()) {
      case mx::Dtype::Val::bool_: OUT(mx::array(v != 0)); break;
      case mx::Dtype::Val::int32: OUT(mx::array(static_cast<int32_t>(v), dt)); break;
      case mx::Dtype::Val::int64: OUT(mx::array(static_cast<int64_t>(v), dt)); break;
      case mx::Dtype::Val::uint32: OUT(mx::array(static_cast<uint32_t>(v), dt)); break;
      case mx::Dtype::Val::uint8: OUT(mx::array(static_cast<uint8_t>(v), dt)); break;
      default: OUT(mx::array(static_cast<float>(v), dt)); break;
    }
  })
}

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
    mx::eval({a});
    if (!a.flags().row_contiguous) {
      a = mx::contiguous(a, false, S);
      mx::eval({a});
    }
    if (nbytes > 0) std::memcpy(dst, a.data<char>(), nbytes);
  })
}

mlxg_err mlxg_item(mlxg_array h, double* out) {
  GUARD({
    mx::array a = h->a;
    if (a.size() != 1) throw std::invalid_argument("item() needs an array of one element, got " + std::to_string(a.size()));
    a = mx::astype(mx::reshape(a, {}, S), mx::float64, cpu_stream());
    mx::eval({a});
    *out = a.item<double>();
  })
}

mlxg_err mlxg_unary(int op, mlxg_array h, mlxg_array* out) {
  GUARD({
    const mx::array& a = A(h);
    switch (op) {
      case MLXG_ABS: OUT(mx::abs(a, S)); break;
      case MLXG_NEG: OUT(mx::negative(a, S)); break;
      case MLXG_EXP: OUT(mx::exp(a, S)); break;
      case MLXG_LOG: OUT(mx::log(a, S)); break;
      case MLXG_LOG2: OUT(mx::log2(a, S)); break;
      case MLXG_SQRT: OUT(mx::sqrt(a, S)); break;
      case MLXG_RSQRT: OUT(mx::rsqrt(a, S)); break;
      case MLXG_SQUARE: OUT(mx::square(a, S)); break;
      case MLXG_SIGMOID: OUT(mx::sigmoid(a, S)); break;
      case MLXG_TANH: OUT(mx::tanh(a, S)); break;
      case MLXG_SIN: OUT(mx::sin(a, S)); break;
      case MLXG_COS: OUT(mx::cos(a, S)); break;
      case MLXG_FLOOR: OUT(mx::floor(a, S)); break;
      case MLXG_CEIL: OUT(mx::ceil(a, S)); break;
      case MLXG_ERF: OUT(mx::erf(a, S)); break;
      case MLXG_ERFINV: OUT(mx::erfinv(a, S)); break;
      case MLXG_EXPM1: OUT(mx::expm1(a, S)); break;
      case MLXG_LOG1P: OUT(mx::log1p(a, S)); break;
      case MLXG_LOGICAL_NOT: OUT(mx::logical_not(a, S)); break;
      case MLXG_STOP_GRADIENT: OUT(mx::stop_gradient(a, S)); break;
      case MLXG_ISINF: OUT(mx::isinf(a, S)); break;
      case MLXG_ISNAN: OUT(mx::isnan(a, S)); break;
      case MLXG_ISPOSINF: OUT(mx::isposinf(a, S)); break;
      case MLXG_ISNEGINF: OUT(mx::isneginf(a, S)); break;
      case MLXG_SIGN: OUT(mx::sign(a, S)); break;
      case MLXG_RECIPROCAL: OUT(mx::reciprocal(a, S)); break;
      case MLXG_COPY: OUT(mx::copy(a, S)); break;
      case MLXG_CONTIGUOUS: OUT(mx::contiguous(a, false, S)); break;
      default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
    }
  })
}

mlxg_err mlxg_binary(int op, mlxg_array ha, mlxg_array hb, mlxg_array* out) {
  GUARD({
    const mx::array& a = A(ha);
    const mx::array& b = A(hb);
    switch (op) {
      case MLXG_ADD: OUT(mx::add(a, b, S)); break;
      case MLXG_SUBTRACT: OUT(mx::subtract(a, b, S)); break;
      case MLXG_MULTIPLY: OUT(mx::multiply(a, b, S)); break;
      case MLXG_DIVIDE: OUT(mx::divide(a, b, S)); break;
      case MLXG_FLOOR_DIVIDE: OUT(mx::floor_divide(a, b, S)); break;
      case MLXG_REMAINDER: OUT(mx::remainder(a, b, S)); break;
      case MLXG_POWER: OUT(mx::power(a, b, S)); break;
      case MLXG_MAXIMUM: OUT(mx::maximum(a, b, S)); break;
      case MLXG_MINIMUM: OUT(mx::minimum(a, b, S)); break;
      case MLXG_EQUAL: OUT(mx::equal(a, b, S)); break;
      case MLXG_NOT_EQUAL: OUT(mx::not_equal(a, b, S)); break;
      case MLXG_LESS: OUT(mx::less(a, b, S)); break;
      case MLXG_LESS_EQUAL: OUT(mx::less_equal(a, b, S)); break;
      case MLXG_GREATER: OUT(mx::greater(a, b, S)); break;
      case MLXG_GREATER_EQUAL: OUT(mx::greater_equal(a, b, S)); break;
      case MLXG_LOGICAL_AND: OUT(mx::logical_and(a, b, S)); break;
      case MLXG_LOGICAL_OR: OUT(mx::logical_or(a, b, S)); break;
      case MLXG_MATMUL: OUT(mx::matmul(a, b, S)); break;
      case MLXG_ARCTAN2: OUT(mx::arctan2(a, b, S)); break;
      case MLXG_LOGADDEXP: OUT(mx::logaddexp(a, b, S)); break;
      case MLXG_BITWISE_AND: OUT(mx::bitwise_and(a, b, S)); break;
      case MLXG_BITWISE_OR: OUT(mx::bitwise_or(a, b, S)); break;
      case MLXG_LEFT_SHIFT: OUT(mx::left_shift(a, b, S)); break;
      case MLXG_RIGHT_SHIFT: OUT(mx::right_shift(a, b, S)); break;
      default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
    }
  })
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
