"""Reference results for runtime/mlx's parity test (ops_parity_test.go).

Every case is a name, seeded inputs and a Python expression over them; this
script runs each with MLX 0.32.4 and writes inputs and outputs to
<out>/ops.safetensors as "<case>.in<i>" and "<case>.out<j>". The Go test
runs the same case names with the Go binding and compares. A case missing
on either side fails the test, so neither list can silently shrink.
"""
import json
import math
import sys

import mlx.core as mx
import numpy as np

out_dir = sys.argv[1]
rng = np.random.default_rng(1234)


def f32(*shape, scale=1.0):
    return mx.array((rng.standard_normal(shape) * scale).astype(np.float32))


def i32(lo, hi, *shape):
    return mx.array(rng.integers(lo, hi, size=shape).astype(np.int32))


cases = {}


def case(name, inputs, fn):
    cases[name] = (inputs, fn)


a34, b34, c44 = f32(3, 4), f32(3, 4), f32(4, 4)
pos34 = mx.abs(f32(3, 4)) + 0.1
x2345 = f32(2, 3, 4, 5)

# element-wise
for name, fn in [
    ("abs", mx.abs), ("negative", mx.negative), ("exp", mx.exp), ("sigmoid", mx.sigmoid),
    ("tanh", mx.tanh), ("sin", mx.sin), ("cos", mx.cos), ("floor", mx.floor), ("ceil", mx.ceil),
    ("erf", mx.erf), ("expm1", mx.expm1), ("square", mx.square), ("sign", mx.sign),
    ("stop_gradient", mx.stop_gradient), ("isinf", mx.isinf), ("isnan", mx.isnan),
]:
    case(name, [a34], fn)
for name, fn in [("log", mx.log), ("sqrt", mx.sqrt), ("rsqrt", mx.rsqrt), ("log1p", mx.log1p),
                 ("reciprocal", mx.reciprocal)]:
    case(name, [pos34], fn)
case("erfinv", [mx.clip(a34, -0.9, 0.9)], mx.erfinv)
for name, fn in [
    ("add", mx.add), ("subtract", mx.subtract), ("multiply", mx.multiply), ("divide", mx.divide),
    ("maximum", mx.maximum), ("minimum", mx.minimum), ("power", lambda a, b: mx.power(mx.abs(a), b)),
    ("equal", mx.equal), ("not_equal", mx.not_equal), ("less", mx.less), ("less_equal", mx.less_equal),
    ("greater", mx.greater), ("greater_equal", mx.greater_equal), ("logaddexp", mx.logaddexp),
    ("arctan2", mx.arctan2), ("floor_divide", mx.floor_divide), ("remainder", mx.remainder),
]:
    case(name, [a34, b34], fn)
ia, ib = i32(-20, 20, 3, 4), i32(1, 7, 3, 4)
case("int_floor_divide", [ia, -ib], mx.floor_divide)  # Python semantics on negatives
case("int_remainder", [ia, -ib], mx.remainder)
case("logical", [a34 > 0, b34 > 0], lambda a, b: mx.logical_or(mx.logical_and(a, b), mx.logical_not(b)))
case("matmul", [f32(2, 3, 4), f32(4, 5)], mx.matmul)
case("addmm", [f32(5), f32(3, 4), f32(4, 5)], lambda c, a, b: mx.addmm(c, a, b, alpha=0.5, beta=2.0))
case("broadcast_add", [f32(3, 1), f32(1, 4)], mx.add)
# Python scalars are weakly typed: they take the array's dtype.
bf = a34.astype(mx.bfloat16)
case("scalar_bf16_mul", [bf], lambda x: x * 2.5)
case("scalar_f16_add", [a34.astype(mx.float16)], lambda x: 1 + x)
case("scalar_int_plus_float", [ia], lambda x: x + 2.5)
case("scalar_int_times_int", [ia], lambda x: x * 3)
case("scalar_pow_neg_half", [pos34], lambda x: x ** -0.5)
case("scalar_rsub", [a34], lambda x: 1.0 - x)
case("where_scalar", [a34 > 0, bf], lambda c, x: mx.where(c, x, 0.0))
case("clip", [a34], lambda x: mx.clip(x, -0.5, 0.5))
case("clip_lo", [a34], lambda x: mx.clip(x, -0.5, None))
case("astype_bf16_f32", [a34], lambda x: x.astype(mx.bfloat16).astype(mx.float32))
case("astype_f16", [a34], lambda x: x.astype(mx.float16))
case("view_u32", [a34], lambda x: x.view(mx.uint32))

# reductions
case("sum_all", [x2345], lambda x: mx.sum(x))
case("sum_axis", [x2345], lambda x: mx.sum(x, axis=-1, keepdims=True))
case("sum_axes", [x2345], lambda x: mx.sum(x, axis=(0, 2)))
case("mean", [x2345], lambda x: mx.mean(x, axis=1))
case("max", [x2345], lambda x: mx.max(x, axis=-1))
case("min", [x2345], lambda x: x.min(axis=(1, 3), keepdims=True))
case("prod", [x2345], lambda x: mx.prod(x, axis=2))
case("all_any", [x2345], lambda x: mx.logical_and(mx.all(x > -3, axis=1), mx.any(x > 2, axis=1)))
case("argmax", [x2345], lambda x: mx.argmax(x, axis=-1))
case("argmax_flat", [x2345], lambda x: mx.argmax(x))
case("argmin", [x2345], lambda x: mx.argmin(x, axis=1, keepdims=True))
case("softmax", [x2345], lambda x: mx.softmax(x, axis=-1))
case("softmax_precise_bf16", [x2345.astype(mx.bfloat16)], lambda x: mx.softmax(x, axis=-1, precise=True))
case("logsumexp", [x2345], lambda x: mx.logsumexp(x, axis=-1, keepdims=True))
case("var", [x2345], lambda x: mx.var(x, axis=-1, ddof=1))
case("std", [x2345], lambda x: mx.std(x, axis=(1, 2)))
case("norm", [x2345], lambda x: mx.linalg.norm(x, axis=-1, keepdims=True))
case("norm_all", [a34], lambda x: mx.linalg.norm(x))
case("cumsum", [x2345], lambda x: mx.cumsum(x, axis=1))
case("cumsum_rev_excl", [x2345], lambda x: mx.cumsum(x, axis=-1, reverse=True, inclusive=False))
case("round", [a34 * 10], lambda x: mx.round(x, 1))

# shapes
case("reshape", [x2345], lambda x: x.reshape(6, -1))
case("transpose", [x2345], lambda x: x.transpose(0, 2, 1, 3))
case("transpose_rev", [x2345], lambda x: x.T)
case("swapaxes", [x2345], lambda x: x.swapaxes(1, 2))
case("moveaxis", [x2345], lambda x: mx.moveaxis(x, 1, -1))
case("expand_squeeze", [x2345], lambda x: mx.squeeze(mx.expand_dims(x, (0, 3)), 0))
case("flatten", [x2345], lambda x: x.flatten(1, 2))
case("unflatten", [x2345], lambda x: mx.unflatten(x, -1, (1, 5)))
case("broadcast_to", [f32(3, 1)], lambda x: mx.broadcast_to(x, (2, 3, 4)))
case("tile", [a34], lambda x: mx.tile(x, (2, 1)))
case("repeat", [a34], lambda x: mx.repeat(x, 3, axis=1))
case("pad", [a34], lambda x: mx.pad(x, [(1, 2), (0, 3)], constant_values=-1.0))
case("pad_edge", [a34], lambda x: mx.pad(x, [(2, 0), (1, 1)], mode="edge"))
case("concatenate", [a34, b34], lambda a, b: mx.concatenate([a, b, a], axis=1))
case("stack", [a34, b34], lambda a, b: mx.stack([a, b], axis=1))
case("split", [x2345], lambda x: mx.split(x, 2, axis=0))
case("split_at", [x2345], lambda x: mx.split(x, [1, 3], axis=-1))
case("arange", [], lambda: mx.arange(2, 17, 3, dtype=mx.int32))
case("arange_float", [], lambda: mx.arange(0.5, 3.0, 0.25))
case("zeros_ones_full", [], lambda: mx.zeros((2, 3)) + mx.ones((2, 3), dtype=mx.float32) * 2 + mx.full((2, 3), 0.5))
case("tri", [], lambda: mx.tri(4, 5, 1, dtype=mx.float32))
case("tril_triu", [c44], lambda x: mx.tril(x, -1) + mx.triu(x, 2))
case("contiguous", [x2345], lambda x: mx.contiguous(x.transpose(3, 1, 0, 2)))

# gather, sort, select
idx = i32(0, 3, 5)
case("take", [x2345, idx], lambda x, i: mx.take(x, i, axis=1))
case("take_along_axis", [a34, i32(0, 4, 3, 2)], lambda x, i: mx.take_along_axis(x, i, axis=-1))
case("put_along_axis", [a34, i32(0, 4, 3, 1), f32(3, 1)], lambda x, i, v: mx.put_along_axis(x, i, v, axis=-1))
case("sort", [x2345], lambda x: mx.sort(x, axis=-1))
case("argsort", [x2345], lambda x: mx.argsort(x, axis=1))
case("topk", [x2345], lambda x: mx.sort(mx.topk(x, 2, axis=-1), axis=-1))
case("argpartition", [x2345], lambda x: mx.sort(mx.take_along_axis(x, mx.argpartition(-x, kth=1, axis=-1)[..., :2], axis=-1), axis=-1))

# indexing (Python's x[...] and x[...] = v)
case("index_newaxis", [x2345], lambda x: x[..., None])
case("index_range", [x2345], lambda x: x[:, 1:3])
case("index_neg", [x2345], lambda x: x[-1])
case("index_step", [x2345], lambda x: x[:, :, ::2])
case("index_rev", [x2345], lambda x: x[::-1, :, 1::-1])
case("index_mixed", [x2345], lambda x: x[1, None, 2:, ..., -2])
case("index_neg_slice", [x2345], lambda x: x[..., -3:-1])
# Rows of axis 0 (size 2): the indices must be in range, since MLX leaves
# out-of-bounds gathers undefined (they read whatever memory is there).
idx_rows = mx.array([1, 0, 1, 1, 0], dtype=mx.int32)
case("index_array", [x2345, idx_rows], lambda x, i: x[i])
case("index_array_last", [x2345, i32(0, 5, 2, 2)], lambda x, i: x[..., i])


def setitem_slice(x):
    y = mx.array(x)
    y[:, 1:3] = 0.0
    return y


def setitem_value(x, v):
    y = mx.array(x)
    y[..., 1:4] = v
    return y


def setitem_array(x, i, v):
    y = mx.array(x)
    y[:, i] = v
    return y


case("setitem_slice", [x2345], setitem_slice)
case("setitem_value", [x2345, f32(4, 3)], setitem_value)
case("setitem_array", [a34, mx.array([2, 0], dtype=mx.int32), f32(3, 2)], setitem_array)

# mx.fast
case("rms_norm", [x2345, f32(5)], lambda x, w: mx.fast.rms_norm(x, w, 1e-5))
case("rms_norm_bf16", [x2345.astype(mx.bfloat16), f32(5).astype(mx.bfloat16)], lambda x, w: mx.fast.rms_norm(x, w, 1e-6))
case("layer_norm", [x2345, f32(5), f32(5)], lambda x, w, b: mx.fast.layer_norm(x, w, b, 1e-5))
case("layer_norm_nobias", [x2345, f32(5)], lambda x, w: mx.fast.layer_norm(x, w, None, 1e-5))
q = f32(1, 4, 7, 16)
case("rope", [q], lambda x: mx.fast.rope(x, 16, traditional=False, base=10000.0, scale=1.0, offset=3))
case("rope_trad_partial", [q], lambda x: mx.fast.rope(x, 8, traditional=True, base=500000.0, scale=0.5, offset=0))
case("rope_array_offset", [f32(2, 4, 3, 16), mx.array([0, 5], dtype=mx.int32)],
     lambda x, o: mx.fast.rope(x, 16, traditional=False, base=10000.0, scale=1.0, offset=o))
case("rope_freqs", [q, mx.abs(f32(8)) + 1], lambda x, f: mx.fast.rope(x, 16, traditional=False, base=None, scale=1.0, offset=11, freqs=f))
qs, ks, vs = f32(2, 4, 5, 8), f32(2, 2, 9, 8), f32(2, 2, 9, 8)
case("sdpa_none", [qs, ks, vs], lambda q, k, v: mx.fast.scaled_dot_product_attention(q, k, v, scale=8 ** -0.5))
case("sdpa_causal", [qs, ks, vs], lambda q, k, v: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.3, mask="causal"))
case("sdpa_bool", [qs, ks, vs, mx.array(rng.random((5, 9)) > 0.3)],
     lambda q, k, v, m: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.3, mask=m))
case("sdpa_additive", [qs, ks, vs, f32(1, 1, 5, 9)],
     lambda q, k, v, m: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.3, mask=m))
case("sdpa_sinks", [qs, ks, vs, f32(4)],
     lambda q, k, v, s: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.3, mask="causal", sinks=s))
case("sdpa_decode", [f32(1, 4, 1, 8), ks[:1], vs[:1]],
     lambda q, k, v: mx.fast.scaled_dot_product_attention(q, k, v, scale=0.35, mask=None))

# quantization: every affine bits x group size
wq = f32(8, 256)
xq = f32(3, 256)
for bits in (2, 3, 4, 5, 6, 8):
    for gs in (32, 64, 128):
        name = f"quant_b{bits}_g{gs}"
        case(name, [wq, xq], lambda w, x, b=bits, g=gs: (
            *mx.quantize(w, group_size=g, bits=b),
            mx.dequantize(*mx.quantize(w, group_size=g, bits=b), group_size=g, bits=b),
            mx.quantized_matmul(x, *mx.quantize(w, group_size=g, bits=b), transpose=True, group_size=g, bits=b),
        ))
case("quant_mxfp4", [wq, xq], lambda w, x: (
    *mx.quantize(w, group_size=32, bits=4, mode="mxfp4"),
    mx.dequantize(*mx.quantize(w, group_size=32, bits=4, mode="mxfp4"), group_size=32, bits=4, mode="mxfp4"),
    mx.quantized_matmul(x, *mx.quantize(w, group_size=32, bits=4, mode="mxfp4"), transpose=True, group_size=32, bits=4, mode="mxfp4"),
))
we = f32(4, 16, 64)  # experts x out x in
xe = f32(6, 1, 1, 64)
ei = i32(0, 4, 6, 1)
case("gather_mm", [xe, we, ei], lambda x, w, i: mx.gather_mm(x, w.swapaxes(-1, -2), rhs_indices=i))
case("gather_mm_sorted", [xe, we, mx.sort(ei.flatten()).reshape(6, 1)],
     lambda x, w, i: mx.gather_mm(x, w.swapaxes(-1, -2), rhs_indices=i, sorted_indices=True))
case("gather_qmm", [xe, we, ei], lambda x, w, i: mx.gather_qmm(
    x, *mx.quantize(w, group_size=32, bits=4), rhs_indices=i, transpose=True, group_size=32, bits=4))

# random, seeded as in Python
def rand_seq():
    mx.random.seed(7)
    u = mx.random.uniform(shape=(3, 4))
    n = mx.random.normal((5,))
    r = mx.random.randint(0, 10, (6,))
    c = mx.random.categorical(mx.array([[0.1, 2.0, -1.0, 0.5]] * 3))
    k = mx.random.key(3)
    g = mx.random.gumbel((4,), key=k)
    b = mx.random.bernoulli(0.3, (8,), key=mx.random.split(k, 2)[1])
    return u, n, r, c, g, b
case("random", [], rand_seq)

# conv_general with int arguments (recurrent_gemma's depthwise temporal conv)
case("conv_general_groups", [f32(2, 9, 6), f32(6, 4, 1)], lambda x, w: mx.conv_general(x, w, groups=6))
case("conv_general_args", [f32(1, 11, 4), f32(6, 3, 2)],
     lambda x, w: mx.conv_general(x, w, 2, 1, 2, 1, 2, True))

arrays = {}
manifest = {}
for name, (inputs, fn) in cases.items():
    outs = fn(*inputs)
    if not isinstance(outs, (tuple, list)):
        outs = [outs]
    for i, a in enumerate(inputs):
        arrays[f"{name}.in{i}"] = a
    for j, o in enumerate(outs):
        arrays[f"{name}.out{j}"] = o
    manifest[name] = {"inputs": len(inputs), "outputs": len(outs)}
mx.eval(list(arrays.values()))
mx.save_safetensors(f"{out_dir}/ops.safetensors", arrays, metadata={"manifest": json.dumps(manifest)})
