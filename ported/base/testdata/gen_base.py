"""Reference outputs for ported/base (mlx-lm 0.32.2): masks, sdpa (plain and quantized),
the activations of activations.py.

Usage: gen_base.py OUTDIR. Writes OUTDIR/base.safetensors and OUTDIR/cases.json.
"""
import json
import sys

import mlx.core as mx
from mlx_lm.models import base
from mlx_lm.models import activations
from mlx_lm.models.activations import swiglu
from mlx_lm.models.cache import QuantizedKVCache

out = sys.argv[1]
mx.random.seed(1)
arrays = {}
meta = {"causal": [], "attn": [], "sdpa": [], "qsdpa": []}

# create_causal_mask: N, offset, window, right/left padding
for i, (n, off, win, rp, lp) in enumerate([
    (1, 0, None, None, None), (5, 0, None, None, None), (4, 9, None, None, None),
    (6, 3, 4, None, None), (7, 0, 3, None, None), (3, 5, None, [0, 2, 1], None),
    (4, 2, None, None, [1, 0, 3]), (5, 4, 3, [1, 0], [0, 2]), (1, 300, 16, None, [5, 0]),
]):
    kw = {}
    if win is not None:
        kw["window_size"] = win
    if rp is not None:
        kw["right_padding"] = mx.array(rp)
    if lp is not None:
        kw["left_padding"] = mx.array(lp)
    arrays[f"causal/{i}"] = base.create_causal_mask(n, off, **kw)
    meta["causal"].append(dict(n=n, offset=off, window=win, right=rp, left=lp))

# create_attention_mask without a cache (the cache paths are tested in ported/cache)
for i, (n, win, ret) in enumerate([(1, None, False), (1, None, True), (5, None, False), (5, None, True),
                                   (6, 4, False), (3, 4, False), (6, 8, True)]):
    h = mx.zeros((2, n, 8))
    m = base.create_attention_mask(h, None, window_size=win, return_array=ret)
    kind = "none" if m is None else ("causal" if isinstance(m, str) else "array")
    if kind == "array":
        arrays[f"attn/{i}"] = m
    meta["attn"].append(dict(n=n, window=win, return_array=ret, kind=kind))

# plain sdpa through base.scaled_dot_product_attention (cache without bits)
B, D = 2, 16
for i, (hq, hkv, lq, lk, mask, sinks) in enumerate([
    (4, 4, 5, 5, "causal", False), (4, 2, 3, 9, "causal", False), (4, 1, 1, 7, "none", False),
    (2, 2, 4, 6, "bool", False), (4, 2, 4, 6, "additive", False), (4, 2, 5, 5, "causal", True),
    (4, 4, 3, 8, "bool", True),
]):
    q = mx.random.normal((B, hq, lq, D))
    k = mx.random.normal((B, hkv, lk, D))
    v = mx.random.normal((B, hkv, lk, D))
    p = f"sdpa/{i}"
    arrays[p + "/q"], arrays[p + "/k"], arrays[p + "/v"] = q, k, v
    m = None
    if mask == "causal":
        m = "causal"
    elif mask == "bool":
        m = mx.random.uniform(shape=(lq, lk)) > 0.3
        m[..., 0] = True
        arrays[p + "/mask"] = m
    elif mask == "additive":
        m = mx.random.normal((B, 1, lq, lk))
        arrays[p + "/mask"] = m
    s = None
    if sinks:
        s = mx.random.normal((hq,))
        arrays[p + "/sinks"] = s
    arrays[p + "/out"] = base.scaled_dot_product_attention(q, k, v, None, scale=D ** -0.5, mask=m, sinks=s)
    meta["sdpa"].append(dict(mask=mask, sinks=sinks, scale=D ** -0.5))

# quantized sdpa through base.scaled_dot_product_attention with a QuantizedKVCache
D = 64
for i, (bits, gs, hq, hkv, lq, lk, mask) in enumerate([
    (4, 64, 4, 4, 5, 5, "causal"), (8, 64, 4, 2, 3, 9, "causal"), (4, 32, 4, 1, 1, 7, "none"),
    (8, 32, 2, 2, 4, 6, "bool"), (4, 64, 4, 2, 4, 6, "additive"), (8, 64, 8, 2, 6, 6, "causal"),
    # 4-D masks with n_repeats > 1 get the repeats axis (0.32's change):
    (4, 64, 4, 2, 3, 5, "bool4"), (8, 32, 8, 2, 2, 7, "additive"), (4, 32, 4, 4, 3, 5, "bool4"),
]):
    q = mx.random.normal((B, hq, lq, D))
    k = mx.random.normal((B, hkv, lk, D))
    v = mx.random.normal((B, hkv, lk, D))
    cache = QuantizedKVCache(group_size=gs, bits=bits)
    qk, qv = cache.update_and_fetch(k, v)
    p = f"qsdpa/{i}"
    arrays[p + "/q"] = q
    for name, t in (("k", qk), ("v", qv)):
        arrays[f"{p}/{name}/w"], arrays[f"{p}/{name}/scales"], arrays[f"{p}/{name}/biases"] = t
    m = None
    if mask == "causal":
        m = "causal"
    elif mask == "bool":
        m = mx.random.uniform(shape=(lq, lk)) > 0.3
        m[..., 0] = True
        arrays[p + "/mask"] = m
    elif mask == "bool4":
        m = mx.random.uniform(shape=(B, hkv, lq, lk)) > 0.3
        m[..., 0] = True
        arrays[p + "/mask"] = m
    elif mask == "additive":
        m = mx.random.normal((B, 1, lq, lk))
        arrays[p + "/mask"] = m
    # `queries *= scale` upstream mutates its argument in place: pass a copy.
    arrays[p + "/out"] = base.scaled_dot_product_attention(mx.array(q), qk, qv, cache, scale=D ** -0.5, mask=m)
    meta["qsdpa"].append(dict(bits=bits, group_size=gs, mask=mask, scale=D ** -0.5))

g = mx.random.normal((3, 7, 32))
x = mx.random.normal((3, 7, 32))
arrays["swiglu/gate"], arrays["swiglu/x"], arrays["swiglu/out"] = g, x, swiglu(g, x)

# The activations 0.32 moved into activations.py (from apertus.py, gpt_oss.py)
# and precise_swiglu. Inputs scaled so that swiglu_oai's clips (limit 7) and
# xielu's both branches are reached.
g, x = mx.random.normal((3, 7, 32)) * 6, mx.random.normal((3, 7, 32)) * 6
arrays["oai/gate"], arrays["oai/x"] = g, x
arrays["oai/fn"] = activations.swiglu_oai(g, x)
arrays["oai/fn_args"] = activations.swiglu_oai(g, x, alpha=1.1, limit=3.0)
arrays["oai/module"] = activations.SwigluOAI()(x, g)
arrays["oai/module_args"] = activations.SwigluOAI(alpha=2.5, limit=5.0)(x, g)
for dt in ("float32", "bfloat16", "float16"):
    d = getattr(mx, dt)
    h = mx.random.normal((2, 5, 32)).astype(d)
    gg = (mx.random.normal((2, 5, 32)) * 4).astype(d)
    arrays[f"precise/{dt}/h"], arrays[f"precise/{dt}/gate"] = h, gg
    arrays[f"precise/{dt}/out"] = activations.precise_swiglu(h, gg, h)
xl = activations.XieLU()
arrays["xielu/default/alpha_p"], arrays["xielu/default/alpha_n"] = xl.alpha_p, xl.alpha_n
arrays["xielu/default/beta"], arrays["xielu/default/eps"] = xl.beta, xl.eps
arrays["xielu/x"] = x
arrays["xielu/default/out"] = xl(x)
xl2 = activations.XieLU(alpha_p_init=0.3, alpha_n_init=1.7, beta=0.25, eps=-1e-3)
arrays["xielu/args/alpha_p"], arrays["xielu/args/alpha_n"] = xl2.alpha_p, xl2.alpha_n
arrays["xielu/args/beta"], arrays["xielu/args/eps"] = xl2.beta, xl2.eps
arrays["xielu/args/out"] = xl2(x)
# Trained parameters differ from the init: loaded ones must be used.
xl2.alpha_p, xl2.alpha_n = mx.array(0.9), mx.array(-0.4)
arrays["xielu/loaded/alpha_p"], arrays["xielu/loaded/alpha_n"] = xl2.alpha_p, xl2.alpha_n
arrays["xielu/loaded/out"] = xl2(x)

mx.eval(arrays)
mx.save_safetensors(f"{out}/base.safetensors", arrays)
with open(f"{out}/cases.json", "w") as f:
    json.dump(meta, f)
