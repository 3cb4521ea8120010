"""mlx-lm's own tensor-parallel run, for the Go ring test (ring_test.go).

Run once per rank with the ring backend's environment (MLX_RANK,
MLX_HOSTFILE; the Go test launches it like mlx.launch does) and
HF2GO_DIST_OUT. For each checkpoint directory given (made by
parity/py/model_reference.py), mlx-lm loads the model, Model.shard(group)
splits it across the group, and the rank writes the full-sequence logits and
the prefill + 16 greedy decode steps through the KV cache (tokens and logits)
to $HF2GO_DIST_OUT/<case>-<variant>.py.rank<r>.safetensors.
"""
import os
import sys
from pathlib import Path

import mlx.core as mx
from mlx_lm.utils import load_model

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "parity", "py"))
from model_reference import decode  # noqa: E402


def main():
    group = mx.distributed.init(strict=True, backend="ring")
    out = os.environ["HF2GO_DIST_OUT"]
    for d in sys.argv[1:]:
        model, _ = load_model(Path(d))
        model.shard(group)
        tokens = mx.load(os.path.join(d, "reference.safetensors"))["tokens"]
        logits = model(tokens).astype(mx.float32)
        gen, step_logits = decode(model, tokens)
        d = d.rstrip("/")
        name = os.path.basename(os.path.dirname(d)) + "-" + os.path.basename(d)
        mx.save_safetensors(
            os.path.join(out, f"{name}.py.rank{group.rank()}.safetensors"),
            {"logits": logits, "decode_tokens": gen,
             "decode_logits": step_logits.astype(mx.float32)},
        )


if __name__ == "__main__":
    main()
