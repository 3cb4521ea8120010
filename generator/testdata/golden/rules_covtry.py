# Rules gemma4_text needs: map(f, xs) unpacked (a generator expression),
# str.removesuffix/removeprefix, a conditional expression of an array and an
# int (the int | array union RoPE takes), a list of placeholder tuples
# widened by item stores and unpacked into typed names, a local rebound to a
# list in both branches of an if/else, mx.argmin; and gemma3n's: a KV-shared
# layer reading its owner's cache (keys_and_values), a Linear's weight set in
# place, list.extend, pop on a subtree of tree_unflatten.
from dataclasses import dataclass
from typing import Any, Dict, Optional

import mlx.core as mx
import mlx.nn as nn

from mlx.utils import tree_flatten, tree_unflatten

from .base import BaseModelArgs


@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    num_layers: int


class Layer(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)
        self.rope = nn.RoPE(8)

    def __call__(self, x, cache=None, shared: Optional[tuple] = None, offset: Optional[Any] = None):
        if shared is not None:
            a, b = shared
            x = x + a + b
        elif cache is not None and offset == 7:
            a, b = cache.keys_and_values()
            x = x + a + b
        else:
            offset = mx.array(cache.offset) if cache is not None else 0
        x = self.rope(self.proj(x), offset=offset)
        return x, (x, x), offset


class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.layers = [Layer(args) for _ in range(args.num_layers)]
        self.coefs = nn.Linear(4, 4, bias=False)

    def scaled(self, x: mx.array) -> mx.array:
        self.coefs.weight = mx.clip(self.coefs.weight.astype(mx.float32), -0.5, 0.5)
        xs = [x]
        xs.extend([x * 2, x * 3])
        return self.coefs(mx.stack(xs))

    def __call__(self, x: mx.array, cache=None, extra: Optional[mx.array] = None):
        if extra is not None:
            extra = [extra[:, i] for i, _ in enumerate(self.layers)]
        else:
            extra = [None] * len(self.layers)
        if cache is None:
            cache = [None] * len(self.layers)
        saved = [(None, None)] * len(self.layers)
        for idx, (layer, c, e) in enumerate(zip(self.layers, cache, extra)):
            kv, offset = saved[max(idx - 1, 0)]
            x, kv, offset = layer(x, c, shared=kv, offset=offset)
            if e is not None:
                x = x + e
            saved[idx] = (kv, offset)
        return mx.argmin(x, axis=-1)

    def sanitize(self, weights):
        tree = tree_unflatten(list(weights.items()))
        tree["model"].pop("vision_tower", None)
        weights = dict(tree_flatten(tree))
        out = {}
        for k, v in weights.items():
            if k.endswith(".gate_up"):
                base = k.removesuffix(".gate_up").removeprefix("model.")
                gate, up = map(mx.contiguous, mx.split(v, 2, axis=-1))
                out[base + ".gate"] = gate
                out[base + ".up"] = up
                continue
            out[k] = v
        return out

    @classmethod
    def merged(cls, params: dict):
        if "text_config" in params:
            params = {**params["text_config"], "model_type": params["model_type"]}
        return params

    def overlay(self, weights: Dict[str, mx.array]):
        extra = {"a.weight": weights["b.weight"]}
        return {**weights, **extra, "c.weight": weights["b.weight"]}
