"""Reference runs for ported/cache.

gen_cache.py OUTDIR          run every cache through >=300 mixed prefill/decode
                             steps, record inputs, checkpoints and a prompt-cache
                             file written by mlx-lm (OUTDIR/cache.safetensors,
                             OUTDIR/cases.json, OUTDIR/py_prompt.safetensors).
gen_cache.py OUTDIR FILE     load FILE (written by Go) with load_prompt_cache and
                             dump what Python sees (OUTDIR/loaded.*).
"""
import json
import random
import sys

import mlx.core as mx
from mlx_lm.models import cache as C

out = sys.argv[1]


def kind(m):
    return "none" if m is None else ("causal" if isinstance(m, str) else "array")


def dump_loaded(path):
    caches, meta = C.load_prompt_cache(path, return_metadata=True)
    arrays, info = {}, []
    for i, c in enumerate(caches):
        st = c.state
        flat = C.tree_flatten(st)
        for k, v in flat:
            arrays[f"{i}.{k}"] = v
        info.append(dict(cls=type(c).__name__, meta=list(c.meta_state) if c.meta_state else [],
                         offset=getattr(c, "offset", None)))
    mx.save_safetensors(f"{out}/loaded.safetensors", arrays)
    with open(f"{out}/loaded.json", "w") as f:
        json.dump(dict(caches=info, metadata=meta), f)


if len(sys.argv) > 2:
    dump_loaded(sys.argv[2])
    sys.exit(0)

mx.random.seed(3)
rng = random.Random(3)
B, H, D = 1, 2, 32
N_STEPS = 320

# The step schedule: mostly single-token decodes, some multi-token prefills.
sizes = [rng.randint(2, 19) if (i < 2 or rng.random() < 0.2) else 1 for i in range(N_STEPS)]
# Trims at a few steps (only applied when the cache is trimmable).
trims = {97: 3, 180: 1, 251: 5}

specs = [
    dict(name="kv", cls="KVCache", args={}, every=40),
    dict(name="concat", cls="ConcatenateKVCache", args={}, every=40),
    dict(name="rot", cls="RotatingKVCache", args={"max_size": 32, "keep": 0}, every=5),
    dict(name="rot_keep", cls="RotatingKVCache", args={"max_size": 24, "keep": 4}, every=5),
    dict(name="q4", cls="QuantizedKVCache", args={"group_size": 32, "bits": 4}, every=40),
    dict(name="q8", cls="QuantizedKVCache", args={"group_size": 32, "bits": 8}, every=40),
    dict(name="chunked", cls="ChunkedKVCache", args={"chunk_size": 300}, every=20),
]

arrays = {}
for i, s in enumerate(sizes):
    arrays[f"in/{i}/k"] = mx.random.normal((B, H, s, D))
    arrays[f"in/{i}/v"] = mx.random.normal((B, H, s, D))

record = {}
for spec in specs:
    c = getattr(C, spec["cls"])(**spec["args"])
    name = spec["name"]
    rec = []
    for i, s in enumerate(sizes):
        chk = (i % spec["every"] == 0) or i == N_STEPS - 1 or (i - 1) in trims
        if spec["cls"] == "ChunkedKVCache":
            c.maybe_trim_front()
        entry = dict(step=i)
        if chk and hasattr(c, "make_mask"):
            for mname, kw in (("plain", {"return_array": False, "window_size": None}),
                             ("array", {"return_array": True, "window_size": None}),
                             ("win", {"return_array": False, "window_size": 16})):
                m = c.make_mask(s, **kw)
                entry[f"mask_{mname}"] = kind(m)
                if m is not None and not isinstance(m, str):
                    arrays[f"{name}/{i}/mask_{mname}"] = mx.array(m)
        k, v = c.update_and_fetch(arrays[f"in/{i}/k"], arrays[f"in/{i}/v"])
        if i in trims:
            entry["trimmable"] = c.is_trimmable()
            entry["trimmed"] = c.trim(trims[i]) if c.is_trimmable() else 0
        if chk:
            if isinstance(k, tuple):
                for j in range(3):
                    arrays[f"{name}/{i}/k{j}"] = mx.array(k[j])
                    arrays[f"{name}/{i}/v{j}"] = mx.array(v[j])
            else:
                # copies: the rotating cache later writes into the very array it returned
                arrays[f"{name}/{i}/k"] = mx.array(k)
                arrays[f"{name}/{i}/v"] = mx.array(v)
            for kk, vv in C.tree_flatten(c.state):
                arrays[f"{name}/{i}/state/{kk}"] = mx.array(vv)
            entry["offset"] = c.offset
            entry["meta"] = list(c.meta_state) if c.meta_state else []
            entry["size"] = c.size()
            entry["trimmable_now"] = c.is_trimmable()
            entry["checked"] = True
        mx.eval(arrays)
        rec.append(entry)
    record[name] = rec

# A prompt-cache file written by mlx-lm, from fresh caches of every savable class.
caches = [C.KVCache(), C.RotatingKVCache(max_size=16, keep=2), C.QuantizedKVCache(group_size=32, bits=4),
          C.ChunkedKVCache(chunk_size=64), C.ConcatenateKVCache(), C.RotatingKVCache(max_size=64)]
for c in caches:
    for j in range(3):
        c.update_and_fetch(mx.random.normal((B, H, 7 + j * 5, D)), mx.random.normal((B, H, 7 + j * 5, D)))
    for _ in range(20):
        c.update_and_fetch(mx.random.normal((B, H, 1, D)), mx.random.normal((B, H, 1, D)))
mamba = C.MambaCache()
mamba[0] = mx.random.normal((B, 3, 8))
mamba[1] = mx.random.normal((B, 4, 8, 8))
caches.append(mamba)
C.save_prompt_cache(f"{out}/py_prompt.safetensors", caches, {"model": "tiny", "note": "written by mlx-lm"})
dump_loaded(f"{out}/py_prompt.safetensors")

mx.save_safetensors(f"{out}/cache.safetensors", arrays)
with open(f"{out}/cases.json", "w") as f:
    json.dump(dict(sizes=sizes, trims={str(k): v for k, v in trims.items()}, specs=specs, record=record), f)
