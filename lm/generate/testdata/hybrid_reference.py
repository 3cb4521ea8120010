#!/usr/bin/env python3
"""mlx-lm 0.32.2's side of lm/generate's hybrid-cache tests (models whose
make_cache mixes ArraysCache and KVCache: qwen3_next, nemotron_h).

usage: hybrid_reference.py make SPEC.json OUT
         for each case: builds the model at OUT/<name>/ (lm/server/testdata/make_model.py with the case's
         parity config), then with mlx-lm writes OUT/<name>/ref.safetensors:
           alone/tokens, alone/logprobs      generate_step(prompt + more) alone
           py_cache.safetensors              save_prompt_cache of generate_step(prompt, max_tokens=0)'s cache
           resumed/tokens, resumed/logprobs  load_prompt_cache(py file) then generate_step(more, prompt_cache=it)
           turn1/*, turn2/*                  generate_step(prompt) then generate_step(more) on one prompt cache
                                             (a chat: the cache kept across turns, as mlx_lm.chat does)
           maxkv/tokens                      generate_step(prompt + more, max_kv_size=MAXKV)
         and OUT/<name>/info.json: the cache classes of make_prompt_cache(model) and of
         make_prompt_cache(model, MAXKV), can_trim_prompt_cache, trim_prompt_cache(cache, 2)'s count.
       hybrid_reference.py resume SPEC.json OUT
         for each case: load_prompt_cache(OUT/<name>/go_cache.safetensors) (written by Go) and
         generate_step(more, prompt_cache=it): OUT/<name>/go_resumed.safetensors (tokens, logprobs) and
         OUT/<name>/go_resumed.json (classes, metadata).
  SPEC: {"tokenizer": DIR, "prompt": [...], "more": [...], "max_tokens": N, "max_kv": K,
         "cases": [{"name": ..., "config": "parity/configs/ARCH.json:CASE", "vocab": V, "seed": S}]}
"""
import json
import sys
from pathlib import Path

import mlx.core as mx
from mlx_lm.generate import generate_step
from mlx_lm.models.cache import (can_trim_prompt_cache, load_prompt_cache, make_prompt_cache, save_prompt_cache,
                                 trim_prompt_cache)
from mlx_lm.utils import load_model

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server" / "testdata"))
import make_model  # noqa: E402


def run(model, prompt, n, **kw):
    toks, lps = [], []
    for tok, lp in generate_step(mx.array(prompt), model, max_tokens=n, **kw):
        toks.append(int(tok))
        lps.append(lp.astype(mx.float32))
    return mx.array(toks, dtype=mx.int32), (mx.stack(lps) if lps else mx.zeros((0,)))


def classes(cache):
    return [type(c).__name__ for c in cache]


def make(spec, out):
    for case in spec["cases"]:
        d = out / case["name"]
        args = make_model.parser().parse_args([str(d), "--tokenizer", spec["tokenizer"], "--config", case["config"],
                                               "--vocab", str(case["vocab"]), "--seed", str(case["seed"])])
        make_model.make(args)
        model, _ = load_model(d)
        p, more, n = spec["prompt"], spec["more"], spec["max_tokens"]
        res = {}
        res["alone/tokens"], res["alone/logprobs"] = run(model, p + more, n)

        cache = make_prompt_cache(model)
        for _ in generate_step(mx.array(p), model, max_tokens=0, prompt_cache=cache):
            pass
        save_prompt_cache(str(d / "py_cache.safetensors"), cache, {"model": case["name"], "tokens": str(len(p))})
        loaded, _ = load_prompt_cache(str(d / "py_cache.safetensors"), return_metadata=True)
        res["resumed/tokens"], res["resumed/logprobs"] = run(model, more, n, prompt_cache=loaded)

        chat = make_prompt_cache(model)
        res["turn1/tokens"], res["turn1/logprobs"] = run(model, p, n, prompt_cache=chat)
        res["turn2/tokens"], res["turn2/logprobs"] = run(model, more, n, prompt_cache=chat)

        res["maxkv/tokens"], _ = run(model, p + more, n, max_kv_size=spec["max_kv"])
        mx.eval(res)
        mx.save_safetensors(str(d / "ref.safetensors"), res)

        trial = make_prompt_cache(model)
        for _ in generate_step(mx.array(p), model, max_tokens=0, prompt_cache=trial):
            pass
        info = {"classes": classes(make_prompt_cache(model)),
                "classes_max_kv": classes(make_prompt_cache(model, spec["max_kv"])),
                "can_trim": can_trim_prompt_cache(trial),
                "trimmed": trim_prompt_cache(trial, 2)}
        (d / "info.json").write_text(json.dumps(info))


def resume(spec, out):
    for case in spec["cases"]:
        d = out / case["name"]
        model, _ = load_model(d)
        cache, meta = load_prompt_cache(str(d / "go_cache.safetensors"), return_metadata=True)
        res = {}
        res["tokens"], res["logprobs"] = run(model, spec["more"], spec["max_tokens"], prompt_cache=cache)
        mx.eval(res)
        mx.save_safetensors(str(d / "go_resumed.safetensors"), res)
        (d / "go_resumed.json").write_text(json.dumps({"classes": classes(cache), "metadata": meta}))


if __name__ == "__main__":
    mode, spec, out = sys.argv[1], json.loads(Path(sys.argv[2]).read_text()), Path(sys.argv[3])
    {"make": make, "resume": resume}[mode](spec, out)
