// shim.h is the C ABI hf2go writes around MLX's C++ API. cgo cannot call C++,
// so every entry point here is extern "C", takes and returns plain C values,
// and catches every C++ exception: a function that can fail returns NULL on
// success or a malloc'd message that the Go side turns into an error and frees.
//
// An mlxg_array is an owned, heap-allocated mlx::core::array (a reference to a
// shared graph node); mlxg_free releases exactly that reference.
#ifndef HF2GO_MLX_SHIM_H
#define HF2GO_MLX_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mlxg_array_s* mlxg_array;
typedef char* mlxg_err;

// The first bytes of every mlxg_array, read by Go without a call: the binding
// context that made it (0: the shared one), its dtype code and its shape.
typedef struct mlxg_meta {
  int32_t ctx;
  int32_t dtype;
  int32_t ndim;
  int32_t pad_;
  const int32_t* shape;
} mlxg_meta;

// Op codes for the dispatching entry points. The Go side uses the C names.
enum {
  MLXG_ABS, MLXG_NEG, MLXG_EXP, MLXG_LOG, MLXG_SQRT, MLXG_RSQRT, MLXG_SQUARE, MLXG_SIGMOID,
  MLXG_TANH, MLXG_SIN, MLXG_COS, MLXG_FLOOR, MLXG_CEIL, MLXG_ERF, MLXG_ERFINV, MLXG_EXPM1,
  MLXG_LOG1P, MLXG_LOGICAL_NOT, MLXG_STOP_GRADIENT, MLXG_ISINF, MLXG_ISNAN, MLXG_SIGN,
  MLXG_RECIPROCAL, MLXG_COPY, MLXG_CONTIGUOUS, MLXG_LOG2, MLXG_ISPOSINF, MLXG_ISNEGINF
};
enum {
  MLXG_ADD, MLXG_SUBTRACT, MLXG_MULTIPLY, MLXG_DIVIDE, MLXG_FLOOR_DIVIDE, MLXG_REMAINDER,
  MLXG_POWER, MLXG_MAXIMUM, MLXG_MINIMUM, MLXG_EQUAL, MLXG_NOT_EQUAL, MLXG_LESS, MLXG_LESS_EQUAL,
  MLXG_GREATER, MLXG_GREATER_EQUAL, MLXG_LOGICAL_AND, MLXG_LOGICAL_OR, MLXG_MATMUL, MLXG_ARCTAN2,
  MLXG_LOGADDEXP, MLXG_BITWISE_AND, MLXG_BITWISE_OR, MLXG_LEFT_SHIFT, MLXG_RIGHT_SHIFT
};
enum { MLXG_SUM, MLXG_MEAN, MLXG_MAX, MLXG_MIN, MLXG_PROD, MLXG_ALL, MLXG_ANY };
enum { MLXG_ARGMAX, MLXG_ARGMIN };
enum { MLXG_SORT, MLXG_ARGSORT, MLXG_PARTITION, MLXG_ARGPARTITION };
enum { MLXG_CUMSUM, MLXG_CUMPROD, MLXG_CUMMAX, MLXG_CUMMIN };
enum { MLXG_SCATTER_SET, MLXG_SCATTER_ADD };

// ---- runtime ----
mlxg_err mlxg_init(int want_gpu, int* on_gpu);
// Binding contexts (runtime/mlx.Bind): a context is a stream of its own; a
// thread bound to one issues its ops there and tags its handles with its id.
mlxg_err mlxg_ctx_new_stream(int* index);
void mlxg_ctx_bind(int32_t ctx, int stream_index);
void mlxg_ctx_unbind(void);
int32_t mlxg_ctx_current(void);
const char* mlxg_version(void);
void mlxg_free(mlxg_array a);
mlxg_array mlxg_dup(mlxg_array a);  // a new handle to the same array
void mlxg_free_many(mlxg_array* arrs, int n);
mlxg_err mlxg_eval(mlxg_array* arrs, int n);
mlxg_err mlxg_async_eval(mlxg_array* arrs, int n);
mlxg_err mlxg_synchronize(void);
size_t mlxg_active_memory(void);
size_t mlxg_peak_memory(void);
size_t mlxg_cache_memory(void);
void mlxg_reset_peak_memory(void);
void mlxg_clear_cache(void);
size_t mlxg_set_cache_limit(size_t limit);
size_t mlxg_set_memory_limit(size_t limit);

// ---- array metadata (cannot fail on a live array) ----
int mlxg_ndim(mlxg_array a);
void mlxg_shape(mlxg_array a, int* out);
int mlxg_dtype(mlxg_array a);
size_t mlxg_size(mlxg_array a);
size_t mlxg_nbytes(mlxg_array a);
int mlxg_dtype_size(int dtype);
// 1 when a's data is computed and no work on it is pending (status
// available; unlike array::is_available, no side effect).
int mlxg_is_available(mlxg_array a);
// 1 when the calling thread is inside a Compile trace (shim_compile.cpp).
int mlxg_in_tracing(void);

// ---- creation and readback ----
mlxg_err mlxg_from_data(const void* data, const int* shape, int ndim, int dtype, mlxg_array* out);
mlxg_err mlxg_scalar(double v, int dtype, mlxg_array* out);
mlxg_err mlxg_full(const int* shape, int ndim, mlxg_array val, int dtype, mlxg_array* out);
mlxg_err mlxg_arange(double start, double stop, double step, int dtype, mlxg_array* out);
mlxg_err mlxg_copy_out(mlxg_array a, void* dst, size_t nbytes);
mlxg_err mlxg_item(mlxg_array a, double* out);

// ---- element-wise and reductions, dispatched by op code (see ops.go) ----
mlxg_err mlxg_unary(int op, mlxg_array a, mlxg_array* out);
mlxg_err mlxg_binary(int op, mlxg_array a, mlxg_array b, mlxg_array* out);
// The hot path of unary and binary ops: the result comes back by value (no
// Go pointer is passed, so cgo checks nothing), and a Python scalar operand
// is made here, in the same call: ka/kb is the dtype code of the scalar that
// stands for a/b (a/b is then NULL and va/vb its value), or -1 for an array.
typedef struct mlxg_res {
  mlxg_array h;
  mlxg_err err;
} mlxg_res;
mlxg_res mlxg_unary_r(int op, mlxg_array a);
mlxg_res mlxg_binary_r(int op, mlxg_array a, mlxg_array b, int ka, double va, int kb, double vb);
mlxg_err mlxg_reduce(int op, mlxg_array a, const int* axes, int naxes, int all, int keepdims, mlxg_array* out);
mlxg_err mlxg_arg_reduce(int op, mlxg_array a, int axis, int all, int keepdims, mlxg_array* out);

// ---- shapes, indexing, joining ----
mlxg_err mlxg_reshape(mlxg_array a, const int* shape, int n, mlxg_array* out);
mlxg_err mlxg_transpose(mlxg_array a, const int* axes, int n, mlxg_array* out);
mlxg_err mlxg_swapaxes(mlxg_array a, int a1, int a2, mlxg_array* out);
mlxg_err mlxg_moveaxis(mlxg_array a, int src, int dst, mlxg_array* out);
mlxg_err mlxg_expand_dims(mlxg_array a, const int* axes, int n, mlxg_array* out);
mlxg_err mlxg_squeeze(mlxg_array a, const int* axes, int n, mlxg_array* out);
mlxg_err mlxg_flatten(mlxg_array a, int start, int end, mlxg_array* out);
mlxg_err mlxg_unflatten(mlxg_array a, int axis, const int* shape, int n, mlxg_array* out);
mlxg_err mlxg_broadcast_to(mlxg_array a, const int* shape, int n, mlxg_array* out);
mlxg_err mlxg_astype(mlxg_array a, int dtype, mlxg_array* out);
mlxg_err mlxg_view(mlxg_array a, int dtype, mlxg_array* out);
mlxg_err mlxg_tile(mlxg_array a, const int* reps, int n, mlxg_array* out);
mlxg_err mlxg_repeat(mlxg_array a, int repeats, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_pad(mlxg_array a, const int* axes, const int* lo, const int* hi, int n, mlxg_array val, int mode_edge, mlxg_array* out);
mlxg_err mlxg_concatenate(mlxg_array* arrs, int n, int axis, mlxg_array* out);
mlxg_err mlxg_stack(mlxg_array* arrs, int n, int axis, mlxg_array* out);
mlxg_err mlxg_split_sections(mlxg_array a, int num, int axis, mlxg_array* outs);
mlxg_err mlxg_split_indices(mlxg_array a, const int* idx, int n, int axis, mlxg_array* outs);
mlxg_err mlxg_slice(mlxg_array a, const int* start, const int* stop, const int* strides, int n, mlxg_array* out);
mlxg_err mlxg_slice_dynamic(mlxg_array a, mlxg_array start, const int* axes, int naxes, const int* sizes, int nsizes, mlxg_array* out);
mlxg_err mlxg_slice_update(mlxg_array a, mlxg_array upd, const int* start, const int* stop, const int* strides, int n, mlxg_array* out);
mlxg_err mlxg_slice_update_dynamic(mlxg_array a, mlxg_array upd, mlxg_array start, const int* axes, int n, mlxg_array* out);
mlxg_err mlxg_take(mlxg_array a, mlxg_array idx, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_take_along_axis(mlxg_array a, mlxg_array idx, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_put_along_axis(mlxg_array a, mlxg_array idx, mlxg_array vals, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_scatter(mlxg_array a, mlxg_array* idx, int nidx, mlxg_array upd, const int* axes, int naxes, int mode, mlxg_array* out);
mlxg_err mlxg_where(mlxg_array c, mlxg_array x, mlxg_array y, mlxg_array* out);
mlxg_err mlxg_clip(mlxg_array a, mlxg_array lo, mlxg_array hi, mlxg_array* out);
mlxg_err mlxg_tri(int n, int m, int k, int dtype, mlxg_array* out);
mlxg_err mlxg_tril(mlxg_array a, int k, int upper, mlxg_array* out);
mlxg_err mlxg_sort(int op, mlxg_array a, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_partition(int op, mlxg_array a, int kth, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_topk(mlxg_array a, int k, int axis, int flat, mlxg_array* out);
mlxg_err mlxg_cumulative(int op, mlxg_array a, int axis, int flat, int reverse, int inclusive, mlxg_array* out);
mlxg_err mlxg_softmax(mlxg_array a, const int* axes, int naxes, int all, int precise, mlxg_array* out);
mlxg_err mlxg_logsumexp(mlxg_array a, const int* axes, int naxes, int all, int keepdims, mlxg_array* out);
mlxg_err mlxg_var(int std, mlxg_array a, const int* axes, int naxes, int all, int keepdims, int ddof, mlxg_array* out);
mlxg_err mlxg_norm(mlxg_array a, double ord, int has_ord, const int* axes, int naxes, int all, int keepdims, mlxg_array* out);
mlxg_err mlxg_round(mlxg_array a, int decimals, mlxg_array* out);
mlxg_err mlxg_from_fp8(mlxg_array a, int dtype, mlxg_array* out);
mlxg_err mlxg_to_fp8(mlxg_array a, mlxg_array* out);
mlxg_err mlxg_addmm(mlxg_array c, mlxg_array a, mlxg_array b, float alpha, float beta, mlxg_array* out);
mlxg_err mlxg_depends(mlxg_array* inputs, int ni, mlxg_array* deps, int nd, mlxg_array* outs);

// ---- mx.fast ----
mlxg_err mlxg_rms_norm(mlxg_array x, mlxg_array w, float eps, mlxg_array* out);
mlxg_err mlxg_layer_norm(mlxg_array x, mlxg_array w, mlxg_array b, float eps, mlxg_array* out);
mlxg_err mlxg_rope(mlxg_array x, int dims, int traditional, float base, int has_base, float scale, int offset, mlxg_array offset_arr, mlxg_array freqs, mlxg_array* out);
mlxg_err mlxg_sdpa(mlxg_array q, mlxg_array k, mlxg_array v, float scale, const char* mask_mode, mlxg_array mask, mlxg_array sinks, mlxg_array* out);

// ---- quantization ----
mlxg_err mlxg_quantize(mlxg_array w, int group_size, int bits, const char* mode, mlxg_array* outs, int* nout);
mlxg_err mlxg_dequantize(mlxg_array w, mlxg_array scales, mlxg_array biases, int group_size, int bits, const char* mode, int dtype, mlxg_array* out);
mlxg_err mlxg_quantized_matmul(mlxg_array x, mlxg_array w, mlxg_array scales, mlxg_array biases, int transpose, int group_size, int bits, const char* mode, mlxg_array* out);
mlxg_err mlxg_gather_mm(mlxg_array a, mlxg_array b, mlxg_array lhs, mlxg_array rhs, int sorted, mlxg_array* out);
mlxg_err mlxg_gather_qmm(mlxg_array x, mlxg_array w, mlxg_array scales, mlxg_array biases, mlxg_array lhs, mlxg_array rhs, int transpose, int group_size, int bits, const char* mode, int sorted, mlxg_array* out);

// ---- random: keys are explicit; the key sequence lives on the Go side ----
mlxg_err mlxg_random_key(uint64_t seed, mlxg_array* out);
mlxg_err mlxg_random_split(mlxg_array key, int num, mlxg_array* out);
mlxg_err mlxg_random_uniform(mlxg_array lo, mlxg_array hi, const int* shape, int n, int dtype, mlxg_array key, mlxg_array* out);
mlxg_err mlxg_random_normal(const int* shape, int n, int dtype, float loc, float scale, mlxg_array key, mlxg_array* out);
mlxg_err mlxg_random_randint(mlxg_array lo, mlxg_array hi, const int* shape, int n, int dtype, mlxg_array key, mlxg_array* out);
mlxg_err mlxg_random_bernoulli(mlxg_array p, const int* shape, int n, mlxg_array key, mlxg_array* out);
mlxg_err mlxg_random_categorical(mlxg_array logits, int axis, mlxg_array key, mlxg_array* out);
mlxg_err mlxg_random_gumbel(const int* shape, int n, int dtype, mlxg_array key, mlxg_array* out);

// ---- safetensors ----
typedef struct mlxg_st_s* mlxg_st;  // a loaded safetensors file: arrays + metadata
mlxg_err mlxg_st_load(const char* path, mlxg_st* out);
int mlxg_st_count(mlxg_st f);
const char* mlxg_st_name(mlxg_st f, int i);
mlxg_array mlxg_st_take(mlxg_st f, int i);  // a new reference; the file keeps its own
int mlxg_st_meta_count(mlxg_st f);
const char* mlxg_st_meta_key(mlxg_st f, int i);
const char* mlxg_st_meta_value(mlxg_st f, int i);
void mlxg_st_free(mlxg_st f);
mlxg_err mlxg_st_save(const char* path, const char** names, mlxg_array* arrs, int n, const char** mkeys, const char** mvals, int nmeta);

/* nvfp4 with a global (per-tensor) scale, as switch_layers' _quantize_experts
   uses it (mlx-lm 0.32); global_scale may be NULL. */
mlxg_err mlxg_quantize_global(mlxg_array w, int group_size, int bits, const char* mode, mlxg_array global_scale,
                              mlxg_array* outs, int* nout);
mlxg_err mlxg_gather_qmm_global(mlxg_array x, mlxg_array w, mlxg_array scales, mlxg_array biases, mlxg_array lhs,
                                mlxg_array rhs, int transpose, int group_size, int bits, const char* mode,
                                mlxg_array global_scale, int sorted, mlxg_array* out);

// ---- mx::compile (compile.go); these call back into Go ----
typedef struct mlxg_fn_s* mlxg_fn;
mlxg_fn mlxg_compile_new(uintptr_t go_fn, int shapeless);
mlxg_err mlxg_compile_call(mlxg_fn f, mlxg_array* ins, int nin, const uint64_t* consts, int nconst, mlxg_array* outs,
                           int maxout, int* nout);
void mlxg_compile_set_enabled(int on);

// ---- profiling probes (profile_test.go); not API ----
void mlxg_probe_noop(void);
mlxg_err mlxg_probe_chain(mlxg_array x, mlxg_array c, int n, int wrap_each, double* build_ns, double* free_ns);
mlxg_err mlxg_graph_census(mlxg_array* arrs, int n, char** out);

#ifdef __cplusplus
}
#endif
#endif
