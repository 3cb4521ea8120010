"""Peak MLX memory of the pinned mlx-lm's generate_step over a long prompt, on
the toy model (lm/toy/toy.py), for lm/generate's TestPromptPeakMemory.

usage: memory_reference.py OUT SPEC_JSON
Builds the toy model under OUT/model, loads it with mlx_lm.utils.load_model,
and writes OUT/memory.json: {"peak_bytes": ...}, the MLX peak memory while
generate_step runs (prefill in chunks, then the tokens) above the memory
active before it (the weights).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "toy"))

import mlx.core as mx
from mlx_lm.generate import generate_step
from mlx_lm.utils import load_model
import toy

out = Path(sys.argv[1])
spec = json.loads(sys.argv[2])
toy.make(out / "model", **spec["model"])
model, _ = load_model(out / "model", get_model_classes=toy.toy_classes)
mx.eval(model.parameters())
prompt = mx.array(spec["prompt"])
mx.eval(prompt)
mx.synchronize()
mx.clear_cache()
base = mx.get_active_memory()
mx.reset_peak_memory()
n = 0
for _tok, _lp in generate_step(prompt, model, max_tokens=spec["max_tokens"],
                               prefill_step_size=spec["prefill_step_size"]):
    n += 1
mx.synchronize()
(out / "memory.json").write_text(json.dumps({"peak_bytes": mx.get_peak_memory() - base, "tokens": n}))
