# Constructs mlx-lm 0.32 model files brought in, each translated by a
# general rule: sorted() of a generator and int() of a str (Klear,
# qwen3_moe's sanitize), the walrus as an if condition and .get on a
# subtree of no static type (qwen2_vl), a local rebound to another type in a
# later loop (deepseek_v3's wk), a classmethod constructor with cls(...),
# module["name"], a nested function returned by its factory and called
# (minimax's ShardedRMSNorm), an Optional number in arithmetic after an
# `is not None` test (mimo_v2_flash), a, b = [], [] filled by appends
# (phimoe), helpers of activations.py and mla.py from the API table.
from dataclasses import dataclass
from typing import Optional

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_unflatten

from .activations import XieLU
from .base import BaseModelArgs
from .mla import MultiLinear


@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    num_layers: int
    value_scale: Optional[float] = None


def scaled_norm(eps):
    def _inner(x, w):
        return mx.fast.rms_norm(x, w, eps)

    return _inner


class Norm(nn.Module):
    def __init__(self, dims: int, eps: float = 1e-5):
        super().__init__()
        self.weight = mx.ones((dims,))
        self.eps = eps

    def __call__(self, x):
        return scaled_norm(self.eps)(x, self["weight"])

    @classmethod
    def from_other(cls, other, *, eps: float = 1e-6):
        n = cls(other.weight.shape[0], eps)
        n.weight = other.weight * 2
        return n


class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.norm = Norm(args.hidden_size)
        self.norm2 = Norm.from_other(self.norm)
        self.act = XieLU()
        self.heads = MultiLinear(args.hidden_size, args.hidden_size, 2)
        self.value_scale = args.value_scale

    def __call__(self, inputs: mx.array, cache=None):
        h = self.act(self.norm2(self.norm(inputs)))
        if self.value_scale is not None:
            h = h * self.value_scale
        firsts, seconds = [], []
        for i in range(2):
            firsts.append(h[..., i])
            seconds.append(h[..., i] * 2)
        h = mx.concatenate(firsts + seconds, axis=-1)
        return self.heads(h[:, None], transpose=False)

    def sanitize(self, weights):
        layers = sorted(
            int(k.split(".")[2]) for k in weights if k.startswith("model.layers.")
        )
        for k, v in weights.items():
            if k.endswith("_scale"):
                wk = k.replace("_scale", "")
                weights[wk] = weights[wk] * v
        for l in layers:
            if f"model.layers.{l}.w" in weights:
                wk = weights.pop(f"model.layers.{l}.w")
                weights[f"model.layers.{l}.heads.weight"] = wk.reshape(2, -1, 8)
        tree = tree_unflatten(list(weights.items()))
        if inner := tree.get("model", {}).get("language_model"):
            tree["model"] = inner
        return dict(tree_flatten(tree))
