# try/except of the forms mlx-lm's files use: a handler of `pass` around a
# parse that may raise (gemma4_text's sanitize: the continue leaves the try
# body, so the closure returns py.FlowContinue), and a return in the body and
# in the handler (gear's layer_types.index).
from dataclasses import dataclass
from typing import List, Optional

import mlx.core as mx
import mlx.nn as nn

from .base import BaseModelArgs


@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    num_layers: int
    layer_types: List[str]


class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.proj = nn.Linear(4, 4)

    def first_of(self, layer_type: str) -> Optional[int]:
        try:
            return self.args.layer_types.index(layer_type)
        except ValueError:
            return None

    def __call__(self, x: mx.array):
        return self.proj(x)

    def sanitize(self, weights):
        out = {}
        for k, v in weights.items():
            try:
                idx = int(k.split("layers.")[1].split(".")[0])
                if idx >= self.args.num_layers:
                    continue
                for j in range(idx):
                    if j == 3:
                        break
            except (IndexError, ValueError):
                pass
            out[k] = v
        return out
