"""Reference outputs of the pinned mlx-lm's load_model and generate_step on the
toy model (lm/toy/toy.py), for lm/loader and lm/generate.

usage: generate_reference.py OUT CASES_JSON
Builds the models named by the cases under OUT/<model>/, loads each with
mlx_lm.utils.load_model, and writes OUT/ref.safetensors with, per case,
the tokens and stacked log-probabilities generate_step yields, and per
model the full-sequence logits of a fixed token sequence.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "toy"))

import mlx.core as mx
from mlx_lm.generate import generate_step
from mlx_lm.sample_utils import make_logits_processors, make_sampler
from mlx_lm.utils import load_model
import toy

out = Path(sys.argv[1])
spec = json.loads(sys.argv[2])
res = {}
models = {}
for name, m in spec["models"].items():
    toy.make(out / name, **m)
    model, config = load_model(out / name, get_model_classes=toy.toy_classes)
    models[name] = model
    logits = model(mx.array(spec["logits_tokens"])[None])
    res[f"{name}/logits"] = logits[0].astype(mx.float32)

for c in spec["cases"]:
    model = models[c["model"]]
    kw = {}
    if c.get("temp", 0) > 0:
        kw["sampler"] = make_sampler(c["temp"], c.get("top_p", 0.0), c.get("min_p", 0.0), 1, top_k=c.get("top_k", 0))
    if c.get("repetition_penalty") or c.get("logit_bias"):
        kw["logits_processors"] = make_logits_processors(
            {int(k): v for k, v in (c.get("logit_bias") or {}).items()} or None,
            c.get("repetition_penalty"), c.get("repetition_context_size", 20))
    for k in ("max_kv_size", "prefill_step_size", "kv_bits", "kv_group_size", "quantized_kv_start"):
        if k in c:
            kw[k] = c[k]
    mx.random.seed(c.get("seed", 0))
    toks, lps = [], []
    for tok, lp in generate_step(mx.array(c["prompt"]), model, max_tokens=c["max_tokens"], **kw):
        toks.append(tok)
        lps.append(lp.astype(mx.float32))
    res[f"{c['name']}/tokens"] = mx.array(toks)
    res[f"{c['name']}/logprobs"] = mx.stack(lps)

mx.eval(res)
mx.save_safetensors(str(out / "ref.safetensors"), res)
