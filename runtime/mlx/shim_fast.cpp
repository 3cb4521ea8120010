// The shim's mx.fast, quantization, random and safetensors entry points.
#include "shim_internal.h"

using namespace hf2go;

namespace {
std::optional<int> opt_int(int v) {
  if (v <= 0) return std::nullopt;
  return v;
}
}  // namespace

extern "C" {

mlxg_err mlxg_rms_norm(mlxg_array x, mlxg_array w, float eps, mlxg_array* out) {
  GUARD(OUT(mx::fast::rms_norm(A(x), opt(w), eps, S)))
}

mlxg_err mlxg_layer_norm(mlxg_array x, mlxg_array w, mlxg_array b, float eps, mlxg_array* out) {
  GUARD(OUT(mx::fast::layer_norm(A(x), opt(w), opt(b), eps, S)))
}

mlxg_err mlxg_rope(mlxg_array x, int dims, int traditional, float base, int has_base, float scale, int offset,
                   mlxg_array offset_arr, mlxg_array freqs, mlxg_array* out) {
  GUARD({
    std::optional<float> b = has_base ? std::optional<float>(base) : std::nullopt;
    if (offset_arr != nullptr) {
      OUT(mx::fast::rope(A(x), dims, traditional != 0, b, scale, A(offset_arr), opt(freqs), S));
    } else {
      OUT(mx::fast::rope(A(x), dims, traditional != 0, b, scale, offset, opt(freqs), S));
    }
  })
}

mlxg_err mlxg_sdpa(mlxg_array q, mlxg_array k, mlxg_array v, float scale, const char* mask_mode, mlxg_array mask,
                   mlxg_array sinks, mlxg_array* out) {
  GUARD({
    std::string mode = mask_mode ? mask_mode : "";
    std::optional<mx::array> m = opt(mask);
    if (m && mode.empty()) mode = "array";
    // MLX divides the query heads by the key/value heads before it checks
    // either, so zero heads (a config with num_key_value_heads: 0) raise
    // SIGFPE inside libmlx, in Python too. Reject them here as an error.
    const mx::array& qa = A(q);
    const mx::array& ka = A(k);
    if (qa.ndim() >= 3 && ka.ndim() >= 3 && (qa.shape(-3) == 0 || ka.shape(-3) == 0)) {
      throw std::invalid_argument("[scaled_dot_product_attention] n_heads and n_kv_heads must be positive, found n_heads " +
                                  std::to_string(qa.shape(-3)) + " for n_kv_heads " + std::to_string(ka.shape(-3)) + ".");
    }
    OUT(mx::fast::scaled_dot_product_attention(A(q), A(k), A(v), scale, mode, m, opt(sinks), false, S));
  })
}

mlxg_err mlxg_quantize(mlxg_array w, int group_size, int bits, const char* mode, mlxg_array* outs, int* nout) {
  GUARD({
    auto res = mx::quantize(A(w), opt_int(group_size), opt_int(bits), mode, std::nullopt, S);
    *nout = static_cast<int>(res.size());
    for (size_t i = 0; i < res.size() && i < 3; i++) outs[i] = wrap(res[i]);
  })
}

mlxg_err mlxg_dequantize(mlxg_array w, mlxg_array scales, mlxg_array biases, int group_size, int bits,
                         const char* mode, int dtype, mlxg_array* out) {
  GUARD({
    std::optional<mx::Dtype> dt;
    if (dtype >= 0) dt = dtype_of(dtype);
    OUT(mx::dequantize(A(w), A(scales), opt(biases), opt_int(group_size), opt_int(bits), mode, std::nullopt, dt, S));
  })
}

mlxg_err mlxg_quantized_matmul(mlxg_array x, mlxg_array w, mlxg_array scales, mlxg_array biases, int transpose,
                               int group_size, int bits, const char* mode, mlxg_array* out) {
  GUARD(OUT(mx::quantized_matmul(A(x), A(w), A(scales), opt(biases), transpose != 0, opt_int(group_size),
                                 opt_int(bits), mode, S)))
}

mlxg_err mlxg_gather_mm(mlxg_array a, mlxg_array b, mlxg_array lhs, mlxg_array rhs, int sorted, mlxg_array* out) {
  GUARD(OUT(mx::gather_mm(A(a), A(b), opt(lhs), opt(rhs), sorted != 0, S)))
}

mlxg_err mlxg_gather_qmm(mlxg_array x, mlxg_array w, mlxg_array scales, mlxg_array biases, mlxg_array lhs,
                         mlxg_array rhs, int transpose, int group_size, int bits, const char* mode, int sorted,
                         mlxg_array* out) {
  GUARD(OUT(mx::gather_qmm(A(x), A(w), A(scales), opt(biases), opt(lhs), opt(rhs), transpose != 0,
                           opt_int(group_size), opt_int(bits), mode, std::nullopt, sorted != 0, S)))
}

mlxg_err mlxg_random_key(uint64_t seed, mlxg_array* out) { GUARD(OUT(mx::random::key(seed))) }

mlxg_err mlxg_random_split(mlxg_array key, int num, mlxg_array* out) {
  GUARD(OUT(mx::random::split(A(key), num, S)))
}

mlxg_err mlxg_random_uniform(mlxg_array lo, mlxg_array hi, const int* shape, int n, int dtype, mlxg_array key,
                             mlxg_array* out) {
  GUARD(OUT(mx::random::uniform(A(lo), A(hi), shape_of(shape, n), dtype_of(dtype), opt(key), S)))
}

mlxg_err mlxg_random_normal(const int* shape, int n, int dtype, float loc, float scale, mlxg_array key,
                            mlxg_array* out) {
  GUARD(OUT(mx::random::normal(shape_of(shape, n), dtype_of(dtype), loc, scale, opt(key), S)))
}

mlxg_err mlxg_random_randint(mlxg_array lo, mlxg_array hi, const int* shape, int n, int dtype, mlxg_array key,
                             mlxg_array* out) {
  GUARD(OUT(mx::random::randint(A(lo), A(hi), shape_of(shape, n), dtype_of(dtype), opt(key), S)))
}

mlxg_err mlxg_random_bernoulli(mlxg_array p, const int* shape, int n, mlxg_array key, mlxg_array* out) {
  GUARD(OUT(mx::random::bernoulli(A(p), shape_of(shape, n), opt(key), S)))
}

mlxg_err mlxg_random_categorical(mlxg_array logits, int axis, mlxg_array key, mlxg_array* out) {
  GUARD(OUT(mx::random::categorical(A(logits), axis, opt(key), S)))
}

mlxg_err mlxg_random_gumbel(const int* shape, int n, int dtype, mlxg_array key, mlxg_array* out) {
  GUARD(OUT(mx::random::gumbel(shape_of(shape, n), dtype_of(dtype), opt(key), S)))
}

struct mlxg_st_s {
  std::vector<std::pair<std::string, mx::array>> arrays;
  std::vector<std::pair<std::string, std::string>> meta;
};

mlxg_err mlxg_st_load(const char* path, mlxg_st* out) {
  GUARD({
    // On the stream ops are issued on (the GPU's, on a GPU), as mx.load does
    // with its default stream: MLX-CUDA's Load then reads each tensor into
    // device memory (cudaMallocAsync, staged through a host buffer). Loaded
    // on a CPU stream, the weights lived in CUDA managed memory that the
    // first forward pass migrated to the GPU page fault by page fault: the
    // ~0.11 s per GB of weights Go's 512-token prefill paid on the H200
    // (docs/bench/gpu-h200.md, rounds 3 and 4). On the CPU backend S is the
    // CPU stream, so nothing changes there.
    auto loaded = mx::load_safetensors(std::string(path), S);
    auto* f = new mlxg_st_s;
    for (auto& kv : loaded.first) f->arrays.emplace_back(kv.first, kv.second);
    for (auto& kv : loaded.second) f->meta.emplace_back(kv.first, kv.second);
    // Sorted so that iteration order never depends on a hash map.
    std::sort(f->arrays.begin(), f->arrays.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::sort(f->meta.begin(), f->meta.end());
    *out = f;
  })
}
int mlxg_st_count(mlxg_st f) { return static_cast<int>(f->arrays.size()); }
const char* mlxg_st_name(mlxg_st f, int i) { return f->arrays[i].first.c_str(); }
mlxg_array mlxg_st_take(mlxg_st f, int i) { return wrap(f->arrays[i].second); }
int mlxg_st_meta_count(mlxg_st f) { return static_cast<int>(f->meta.size()); }
const char* mlxg_st_meta_key(mlxg_st f, int i) { return f->meta[i].first.c_str(); }
const char* mlxg_st_meta_value(mlxg_st f, int i) { return f->meta[i].second.c_str(); }
void mlxg_st_free(mlxg_st f) { delete f; }

mlxg_err mlxg_st_save(const char* path, const char** names, mlxg_array* arrs, int n, const char** mkeys,
                      const char** mvals, int nmeta) {
  GUARD({
    std::unordered_map<std::string, mx::array> m;
    for (int i = 0; i < n; i++) m.insert_or_assign(names[i], arrs[i]->a);
    std::unordered_map<std::string, std::string> meta;
    for (int i = 0; i < nmeta; i++) meta[mkeys[i]] = mvals[i];
    // save_safetensors evaluates the arrays: a graph submission.
    std::lock_guard<std::mutex> g(submit_lock());
    mx::save_safetensors(std::string(path), std::move(m), std::move(meta));
  })
}

mlxg_err mlxg_quantize_global(mlxg_array w, int group_size, int bits, const char* mode, mlxg_array global_scale,
                              mlxg_array* outs, int* nout) {
  GUARD({
    auto res = mx::quantize(A(w), opt_int(group_size), opt_int(bits), mode, opt(global_scale), S);
    *nout = static_cast<int>(res.size());
    for (size_t i = 0; i < res.size() && i < 3; i++) outs[i] = wrap(res[i]);
  })
}

mlxg_err mlxg_gather_qmm_global(mlxg_array x, mlxg_array w, mlxg_array scales, mlxg_array biases, mlxg_array lhs,
                                mlxg_array rhs, int transpose, int group_size, int bits, const char* mode,
                                mlxg_array global_scale, int sorted, mlxg_array* out) {
  GUARD(OUT(mx::gather_qmm(A(x), A(w), A(scales), opt(biases), opt(lhs), opt(rhs), transpose != 0,
                           opt_int(group_size), opt_int(bits), mode, opt(global_scale), sorted != 0, S)))
}

}  // extern "C"
