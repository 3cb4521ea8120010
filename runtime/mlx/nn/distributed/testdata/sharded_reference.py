"""mlx-lm's own tensor-parallel run, for the Go ring test (ring_test.go).

Run once per rank with the ring backend's environment (MLX_RANK,
MLX_HOSTFILE; the Go test launches it like mlx.launch does) and
HF2GO_DIST_OUT. For each checkpoint directory given (made by
parity/py/model_reference.py), mlx-lm loads the model, Model.shard(group)
splits it across the group, and the rank writes the full-sequence logits, 16
greedy tokens through the KV cache and their step logits to
$HF2GO_DIST_OUT/<case>.py.rank<r>.safetensors.
"""
import os
import sys
from pathlib import Path

import mlx.core as mx
from mlx_lm.utils import load_model

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "parity", "py"))
from model_reference import greedy  # noqa: E402


def main():
    group = mx.distributed.init(strict=True, backend="ring")
    out = os.environ["HF2GO_DIST_OUT"]
    for d in sys.argv[1:]:
        model, _ = load_model(Path(d))
        model.shard(group)
        tokens = mx.load(os.path.join(d, "reference.safetensors"))["tokens"]
        logits = model(tokens).astype(mx.float32)
        gen, step_logits = greedy(model, tokens)
        name = os.path.basename(d.rstrip("/"))
        mx.save_safetensors(
            os.path.join(out, f"{name}.py.rank{group.rank()}.safetensors"),
            {"logits": logits, "greedy": gen.astype(mx.int32),
             "greedy_logits": step_logits.astype(mx.float32)},
        )


if __name__ == "__main__":
    main()
