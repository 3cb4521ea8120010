"""The Python twin of lm/toy/toy.go: a small attention-only
transformer in plain mlx.nn with mlx-lm's attention helpers, loaded by
mlx_lm.utils.load_model(get_model_classes=toy_classes) and run by
mlx_lm.generate.generate_step, so Go's loader and generation loop can be
compared with mlx-lm's.

Also a CLI: python toy.py make DIR [--tie] [--quantize BITS] [--vocab N]
writes config.json + model.safetensors of a random toy model.
"""
import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_unflatten
from mlx_lm.models.base import BaseModelArgs, create_attention_mask, scaled_dot_product_attention


@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    vocab_size: int
    hidden_size: int
    num_attention_heads: int
    num_hidden_layers: int
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000
    tie_word_embeddings: bool = False


class Attention(nn.Module):
    def __init__(self, args):
        super().__init__()
        d, self.heads = args.hidden_size, args.num_attention_heads
        self.scale = (d // self.heads) ** -0.5
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, d, bias=False)
        self.v_proj = nn.Linear(d, d, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        self.rope = nn.RoPE(d // self.heads, traditional=False, base=args.rope_theta)

    def __call__(self, x, mask=None, cache=None):
        B, L, _ = x.shape
        q, k, v = (p(x).reshape(B, L, self.heads, -1).transpose(0, 2, 1, 3) for p in (self.q_proj, self.k_proj, self.v_proj))
        if cache is not None:
            q = self.rope(q, offset=cache.offset)
            k = self.rope(k, offset=cache.offset)
            k, v = cache.update_and_fetch(k, v)
        else:
            q, k = self.rope(q), self.rope(k)
        o = scaled_dot_product_attention(q, k, v, cache=cache, scale=self.scale, mask=mask)
        return self.o_proj(o.transpose(0, 2, 1, 3).reshape(B, L, -1))


class Layer(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.self_attn = Attention(args)
        self.input_layernorm = nn.RMSNorm(args.hidden_size, eps=args.rms_norm_eps)


class Inner(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.embed_tokens = nn.Embedding(args.vocab_size, args.hidden_size)
        self.layers = [Layer(args) for _ in range(args.num_hidden_layers)]
        self.norm = nn.RMSNorm(args.hidden_size, eps=args.rms_norm_eps)


class Model(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.model_type = args.model_type
        self.model = Inner(args)
        if not args.tie_word_embeddings:
            self.lm_head = nn.Linear(args.hidden_size, args.vocab_size, bias=False)

    def __call__(self, inputs, cache=None):
        h = self.model.embed_tokens(inputs)
        if cache is None:
            cache = [None] * len(self.model.layers)
        mask = create_attention_mask(h, cache[0])
        for l, c in zip(self.model.layers, cache):
            h = h + l.self_attn(l.input_layernorm(h), mask, c)
        h = self.model.norm(h)
        if self.args.tie_word_embeddings:
            return self.model.embed_tokens.as_linear(h)
        return self.lm_head(h)

    def sanitize(self, weights):
        if self.args.tie_word_embeddings:
            weights.pop("lm_head.weight", None)
        return weights

    @property
    def layers(self):
        return self.model.layers


def toy_classes(config):
    return Model, ModelArgs


def make(out, vocab=97, hidden=64, heads=2, layers=2, tie=False, quantize=None, seed=0, dtype="float32", skip=()):
    """Random toy model; quantize=bits quantizes every Linear/Embedding whose
    path is not in skip (mlx_lm.utils.quantize_model writes per-layer false)."""
    mx.random.seed(seed)
    config = dict(model_type="hf2go_toy", vocab_size=vocab, hidden_size=hidden, num_attention_heads=heads,
                  num_hidden_layers=layers, rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=tie,
                  eos_token_id=[1, 2])
    model = Model(ModelArgs.from_dict(config))
    # Larger than default init so that greedy decoding is not degenerate.
    dt = getattr(mx, dtype)
    params = [(k, mx.ones(v.shape, dt) if k.endswith("norm.weight")
               else (mx.random.normal(v.shape) * (0.5 if "embed" in k else 0.3)).astype(dt))
              for k, v in tree_flatten(model.parameters())]
    model.update(tree_unflatten(params))
    if quantize:
        q = {"group_size": 32, "bits": quantize}
        def pred(p, m):
            if p in skip:
                q[p] = False
                return False
            return hasattr(m, "to_quantized")
        nn.quantize(model, group_size=32, bits=quantize, class_predicate=pred)
        config["quantization"] = q
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(out / "model.safetensors"), dict(tree_flatten(model.parameters())))
    (out / "config.json").write_text(json.dumps(config, indent=2))
    return model, config


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["make"])
    ap.add_argument("dir")
    ap.add_argument("--tie", action="store_true")
    ap.add_argument("--quantize", type=int, default=None)
    ap.add_argument("--vocab", type=int, default=97)
    args = ap.parse_args()
    make(args.dir, vocab=args.vocab, tie=args.tie, quantize=args.quantize)
