"""Reference outputs of mlx_lm.sample_utils (mlx-lm 0.32.2) for lm/sample.

Writes <out>/sample.safetensors: the inputs (logprobs, logits, tokens), each
filter's output alone, and the token ids of make_sampler configurations drawn
8 times in a row after mx.random.seed(seed), plus logits processors' outputs.
"""
import json
import sys

import mlx.core as mx
from mlx_lm.sample_utils import (
    apply_min_p,
    apply_top_k,
    apply_top_p,
    make_logits_processors,
    make_sampler,
)

out = sys.argv[1]
mx.random.seed(7)
res = {}
for dt_name, dt in (("f32", mx.float32), ("bf16", mx.bfloat16)):
    logits = (mx.random.normal((3, 512)) * 4.0).astype(dt)
    # A row with ties and a dominant token.
    logits[2, :] = mx.array([0.0] * 256 + [1.0] * 256).astype(dt)
    logits[2, 17] = 9.0
    logprobs = logits - mx.logsumexp(logits, axis=-1, keepdims=True)
    res[f"{dt_name}/logits"] = logits
    res[f"{dt_name}/logprobs"] = logprobs
    res[f"{dt_name}/top_p_0.9"] = apply_top_p(logprobs, 0.9)
    res[f"{dt_name}/top_p_0.3"] = apply_top_p(logprobs, 0.3)
    res[f"{dt_name}/min_p_0.1_1"] = apply_min_p(logprobs, 0.1, 1)
    res[f"{dt_name}/min_p_0.5_5"] = apply_min_p(logprobs, 0.5, 5)
    res[f"{dt_name}/top_k_1"] = apply_top_k(logprobs, 1)
    res[f"{dt_name}/top_k_40"] = apply_top_k(logprobs, 40)

configs = json.loads(sys.argv[2])
for c in configs:
    s = make_sampler(c["temp"], c["top_p"], c["min_p"], c["min_tokens_to_keep"], top_k=c["top_k"])
    for dt_name in ("f32", "bf16"):
        mx.random.seed(c["seed"])
        toks = [s(res[f"{dt_name}/logprobs"]) for _ in range(8)]
        res[f"{dt_name}/sampler/{c['name']}"] = mx.stack(toks)

tokens = mx.array([5, 9, 5, 300, 2, 9, 17, 511, 0, 42])
for dt_name in ("f32", "bf16"):
    logits = res[f"{dt_name}/logits"]
    for name, kw in (
        ("bias", dict(logit_bias={3: 5.0, 7: -2.5, 300: 1.25})),
        ("rep", dict(repetition_penalty=1.3, repetition_context_size=4)),
        ("rep_default", dict(repetition_penalty=0.7)),
        ("both", dict(logit_bias={9: 2.0}, repetition_penalty=1.5, repetition_context_size=6)),
        # 0.32's presence and frequency penalties; tokens repeats 5 and 9, so
        # frequency (a scatter-add) and presence (a setitem) differ.
        ("presence", dict(presence_penalty=0.75)),
        ("frequency", dict(frequency_penalty=0.6, frequency_context_size=10)),
        ("all_four", dict(logit_bias={3: 1.0, 5: -0.5}, repetition_penalty=1.2, repetition_context_size=7,
                          presence_penalty=0.3, presence_context_size=5, frequency_penalty=0.4)),
    ):
        # Processors assign into their input (logits[:, idx] = ...), which
        # in MLX rebinds that array's data: start each case from a copy.
        x = mx.array(logits)
        for p in make_logits_processors(**kw):
            x = p(tokens, x)
        res[f"{dt_name}/proc/{name}"] = x
res["tokens"] = tokens
mx.eval(res)
mx.save_safetensors(f"{out}/sample.safetensors", res)
