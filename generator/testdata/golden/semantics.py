# Python semantics the translator must keep: integer // and % on negatives,
# ** -0.5 as a float, `x or default` on Optional ints, keyword defaults,
# chained assignment, tuple unpacking, comprehensions, f-strings building
# weight keys, slicing with ... / None / steps, hasattr, isinstance, assert,
# string escapes as Python decodes them, any()/all() stopping at the first
# element that decides.
from dataclasses import dataclass
from typing import Any, Optional

import mlx.core as mx
import mlx.nn as nn

from .base import BaseModelArgs
from .cache import KVCache, RotatingKVCache


@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    num_layers: int
    head_dim: Optional[int] = None
    window: int = -3
    scale_base: float = 2

    def __post_init__(self):
        assert self.hidden_size > 0, "hidden_size must be positive"


class Block(nn.Module):
    def __init__(self, args: ModelArgs, index: int, bias: bool = False):
        super().__init__()
        self.index = index
        self.a = self.b = args.hidden_size // 4
        self.floor = args.window // 2
        self.mod = args.window % 2
        self.head_dim = args.head_dim or args.hidden_size // 2
        self.scale = self.head_dim**-0.5
        self.proj = nn.Linear(args.hidden_size, args.hidden_size, bias=bias)
        self.has_window = hasattr(args, "window")

    def __call__(self, x, cache: Optional[Any] = None):
        B, L, D = x.shape
        y = self.proj(x)[..., None, ::2]
        y = y.reshape(B, L, -1) * self.scale
        if isinstance(cache, RotatingKVCache):
            y = y + 1
        return x + y[:, -L:, :]


class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.layers = [Block(args, i, bias=i % 2 == 0) for i in range(args.num_layers)]

    def __call__(self, inputs: mx.array, cache=None):
        h = inputs
        if cache is None:
            cache = [None] * len(self.layers)
        for layer, c in zip(self.layers, cache):
            h = layer(h, c)
        return h

    def sanitize(self, weights):
        if any(k.startswith("\"quoted\"") for k in weights):
            weights = {k: v for k, v in weights.items() if "\\" not in k}
        return {
            f"layers.{i}.proj.weight" if k == "w" else k: v
            for i, (k, v) in enumerate(weights.items())
        }

    def make_cache(self):
        return [KVCache() for _ in self.layers]
