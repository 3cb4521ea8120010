"""Reference results for runtime/mlx/nn's parity test (nn_parity_test.go).

Runs mlx.nn (MLX 0.32.4) and mlx_lm's swiglu on seeded inputs and writes
<out>/nn.safetensors:

  - "<case>.in<i>" / "<case>.out<j>" for every layer and activation case (the
    Go test runs the case of the same name on the same inputs; a case missing
    on either side fails the test);
  - activations give two outputs: out0 is the function as mlx.nn defines it
    (mx.compile'd, shapeless), out1 the same function with compilation
    disabled (the op sequence the Go port issues);
  - "model.*": a small nested model (embedding, a list of blocks, norms,
    linears) with its weights, its parameter names before and after
    nn.quantize with a class_predicate, and its outputs before and after.
"""
import json
import sys

import mlx.core as mx
import mlx.nn as nn
import numpy as np
from mlx.utils import tree_flatten
from mlx_lm.models.activations import swiglu

out_dir = sys.argv[1]
rng = np.random.default_rng(4321)


def f32(*shape, scale=1.0):
    return mx.array((rng.standard_normal(shape) * scale).astype(np.float32))


def ids(hi, *shape):
    return mx.array(rng.integers(0, hi, size=shape).astype(np.int32))


cases = {}


def case(name, inputs, fn):
    cases[name] = (inputs, fn)


# ---- Linear ----
def linear(bias):
    def fn(w, *rest):
        l = nn.Linear(w.shape[1], w.shape[0], bias=bias)
        l.weight = w
        if bias:
            l.bias = rest[0]
        return l(rest[-1])
    return fn


for dt, dname in [(mx.float32, "f32"), (mx.bfloat16, "bf16")]:
    w, b, x = f32(24, 40).astype(dt), f32(24).astype(dt), f32(2, 3, 40).astype(dt)
    case(f"linear_bias_{dname}", [w, b, x], linear(True))
    case(f"linear_nobias_{dname}", [w, x], linear(False))

# ---- QuantizedLinear via to_quantized ----
for bits in (4, 8):
    for gs in (32, 64):
        def qlinear(w, b, x, bits=bits, gs=gs):
            l = nn.Linear(w.shape[1], w.shape[0], bias=True)
            l.weight, l.bias = w, b
            q = l.to_quantized(group_size=gs, bits=bits)
            assert isinstance(q, nn.QuantizedLinear)
            return q.weight, q.scales, q.biases, q.bias, q(x)
        case(f"qlinear_b{bits}_g{gs}", [f32(32, 128), f32(32), f32(2, 5, 128)], qlinear)

# ---- Embedding / QuantizedEmbedding ----
def embedding(w, i, x):
    e = nn.Embedding(w.shape[0], w.shape[1])
    e.weight = w
    return e(i), e.as_linear(x)


case("embedding", [f32(50, 64), ids(50, 2, 7), f32(2, 3, 64)], embedding)
for bits in (4, 8):
    for gs in (32, 64):
        def qembedding(w, i, x, bits=bits, gs=gs):
            e = nn.Embedding(w.shape[0], w.shape[1])
            e.weight = w
            q = e.to_quantized(group_size=gs, bits=bits)
            assert isinstance(q, nn.QuantizedEmbedding)
            return q.weight, q.scales, q.biases, q(i), q.as_linear(x)
        case(f"qembedding_b{bits}_g{gs}", [f32(50, 128), ids(50, 2, 7), f32(2, 3, 128)], qembedding)

# ---- norms ----
def rmsnorm(eps):
    def fn(w, x):
        n = nn.RMSNorm(w.shape[0], eps=eps)
        n.weight = w
        return n(x)
    return fn


def layernorm(affine, bias):
    def fn(*args):
        x = args[-1]
        n = nn.LayerNorm(x.shape[-1], eps=1e-5, affine=affine, bias=bias)
        if affine:
            n.weight = args[0]
            if bias:
                n.bias = args[1]
        return n(x)
    return fn


for dt, dname in [(mx.float32, "f32"), (mx.bfloat16, "bf16")]:
    x = f32(2, 5, 48, scale=3).astype(dt)
    w, b = f32(48).astype(dt), f32(48).astype(dt)
    case(f"rmsnorm_{dname}", [w, x], rmsnorm(1e-5))
    case(f"rmsnorm_eps6_{dname}", [w, x], rmsnorm(1e-6))
    case(f"layernorm_affine_{dname}", [w, b, x], layernorm(True, True))
    case(f"layernorm_nobias_{dname}", [w, x], layernorm(True, False))
    case(f"layernorm_noaffine_{dname}", [x], layernorm(False, False))

# ---- RoPE ----
xr = f32(2, 4, 9, 32)
for trad in (False, True):
    for dims, base, scale, offset in [(32, 10000.0, 1.0, 0), (32, 10000.0, 1.0, 17), (16, 500000.0, 0.25, 5)]:
        def rope(x, dims=dims, trad=trad, base=base, scale=scale, offset=offset):
            return nn.RoPE(dims, traditional=trad, base=base, scale=scale)(x, offset=offset)
        case(f"rope_t{int(trad)}_d{dims}_o{offset}", [xr], rope)
case("rope_bf16", [xr.astype(mx.bfloat16)], lambda x: nn.RoPE(32, base=10000.0)(x, offset=3))
case("rope_array_offset", [xr, mx.array([3, 11], dtype=mx.int32)],
     lambda x, o: nn.RoPE(32, base=10000.0)(x, offset=o))

# ---- activations: compiled (as mlx.nn defines them) and uncompiled ----
acts = {
    "silu": nn.silu, "gelu": nn.gelu, "gelu_approx": nn.gelu_approx,
    "gelu_fast_approx": nn.gelu_fast_approx, "relu": nn.relu, "relu2": nn.relu2,
    "softplus": nn.softplus, "sigmoid": nn.sigmoid,
}
xa = mx.concatenate([f32(4, 60, scale=3).reshape(-1),
                     mx.array([0.0, -0.0, 1e-4, -1e-4, 8.0, -8.0, 20.0, -20.0, 40.0, -40.0, 88.0, -88.0,
                               100.0, -100.0, 0.5, -0.5])]).reshape(4, 64)


def both(fn):
    def run(*args):
        compiled = fn(*args)
        mx.eval(compiled)
        mx.disable_compile()
        try:
            plain = fn(*args)
            mx.eval(plain)
        finally:
            mx.enable_compile()
        return compiled, plain
    return run


for dt, dname in [(mx.float32, "f32"), (mx.bfloat16, "bf16")]:
    x = xa.astype(dt)
    for name, fn in acts.items():
        case(f"act_{name}_{dname}", [x], both(fn))
    case(f"act_swiglu_{dname}", [x, f32(4, 64).astype(dt)], both(swiglu))

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
    mx.eval(outs)


# ---- a small nested model: parameter tree and nn.quantize with a predicate ----
class MLP(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.gate_proj = nn.Linear(d, h, bias=False)
        self.up_proj = nn.Linear(d, h, bias=False)
        self.down_proj = nn.Linear(h, d, bias=False)

    def __call__(self, x):
        return self.down_proj(swiglu(self.gate_proj(x), self.up_proj(x)))


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.input_layernorm = nn.RMSNorm(d, eps=1e-5)
        self.o_proj = nn.Linear(d, d, bias=True)
        self.post_norm = nn.LayerNorm(d, eps=1e-5)
        self.mlp = MLP(d, h)

    def __call__(self, x):
        x = x + self.o_proj(self.input_layernorm(x))
        return x + self.mlp(self.post_norm(x))


class Model(nn.Module):
    def __init__(self, vocab, d, h, n):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.layers = [Block(d, h) for _ in range(n)]
        self.norm = nn.RMSNorm(d, eps=1e-5)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def __call__(self, ids):
        h = self.embed_tokens(ids)
        for l in self.layers:
            h = l(h)
        h = self.norm(h)
        return self.lm_head(h), self.embed_tokens.as_linear(h)


VOCAB, D, H, N = 96, 64, 128, 3
model = Model(VOCAB, D, H, N)
weights = {k: f32(*v.shape, scale=0.2) for k, v in tree_flatten(model.parameters())}
model.load_weights(list(weights.items()), strict=True)
tok = ids(VOCAB, 2, 6)
logits, tied = model(tok)
names = [k for k, _ in tree_flatten(model.parameters())]


def predicate(path, m):
    # Quantize the MLPs of layers 0 and 2 (8-bit, group 32 for down_proj),
    # the embedding (4-bit, group 32) and lm_head (defaults: 4-bit, group 64);
    # leave layer 1, every o_proj and every norm alone.
    if path == "embed_tokens":
        return {"group_size": 32, "bits": 4}
    if path == "lm_head":
        return True
    if path.startswith("layers.1.") or not path.endswith("_proj") or "o_proj" in path:
        return False
    if path.endswith("down_proj"):
        return {"group_size": 32, "bits": 8}
    return True


nn.quantize(model, group_size=64, bits=4, class_predicate=predicate)
qlogits, qtied = model(tok)
qnames = [k for k, _ in tree_flatten(model.parameters())]
qtypes = {path: type(m).__name__ for path, m in model.named_modules()
          if isinstance(m, (nn.Linear, nn.QuantizedLinear, nn.Embedding, nn.QuantizedEmbedding))}
qparams = {path: {"group_size": m.group_size, "bits": m.bits} for path, m in model.named_modules()
           if isinstance(m, (nn.QuantizedLinear, nn.QuantizedEmbedding))}

for k, v in weights.items():
    arrays[f"model.weight.{k}"] = v
for k, v in tree_flatten(model.parameters()):
    arrays[f"model.quantized.{k}"] = v
arrays["model.ids"] = tok
arrays["model.logits"] = logits
arrays["model.tied"] = tied
arrays["model.qlogits"] = qlogits
arrays["model.qtied"] = qtied

mx.eval(list(arrays.values()))
mx.save_safetensors(f"{out_dir}/nn.safetensors", arrays, metadata={
    "manifest": json.dumps(manifest),
    "model.names": json.dumps(names),
    "model.qnames": json.dumps(qnames),
    "model.qtypes": json.dumps(qtypes),
    "model.qparams": json.dumps(qparams),
})
