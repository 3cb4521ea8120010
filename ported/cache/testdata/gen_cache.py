"""Reference run for ported/cache's single-sequence caches (cache_test.go).

gen_cache.py OUTDIR        replay a long mixed prefill/decode schedule through
                           every single-sequence cache (replay.py records every
                           op), and write a prompt-cache file of the resulting
                           caches with save_prompt_cache (OUTDIR/py_prompt.
                           safetensors) plus what load_prompt_cache makes of it
                           (OUTDIR/py_loaded.json).
gen_cache.py OUTDIR FILE   load FILE (written by Go) with load_prompt_cache and
                           record what Python sees (OUTDIR/go_loaded.json).
"""
import random
import sys

import mlx.core as mx
from mlx_lm.models import cache as C

import replay as R

out = sys.argv[1]
if len(sys.argv) > 2:
    R.dump_loaded(sys.argv[2], out, "go_loaded")
    sys.exit(0)

r = R.Replay(out, seed=3)
rng = random.Random(3)
N_STEPS = 200

# The step schedule: mostly single-token decodes, some multi-token prefills.
sizes = [rng.randint(2, 19) if (i < 2 or rng.random() < 0.2) else 1 for i in range(N_STEPS)]
trims = {67: 3, 131: 1, 177: 5}

specs = [
    ("kv", "KVCache", {}, mx.float32),
    ("concat", "ConcatenateKVCache", {}, mx.float32),
    ("rot", "RotatingKVCache", {"max_size": 32, "keep": 0}, mx.float32),
    ("rot_keep", "RotatingKVCache", {"max_size": 24, "keep": 4}, mx.float32),
    ("q4", "QuantizedKVCache", {"group_size": 32, "bits": 4}, mx.float32),
    ("q8", "QuantizedKVCache", {"group_size": 32, "bits": 8}, mx.float32),
    ("chunked", "ChunkedKVCache", {"chunk_size": 300}, mx.float32),
    ("kv_bf16", "KVCache", {}, mx.bfloat16),
    ("rot_bf16", "RotatingKVCache", {"max_size": 20, "keep": 2}, mx.bfloat16),
]
# base.create_attention_mask always passes both keywords
PLAIN = {"return_array": False, "window_size": None}
MASKS = (PLAIN, {"return_array": True, "window_size": None}, {"return_array": False, "window_size": 16})

for name, cls, args, dt in specs:
    r.new(name, cls, **args)
    has_mask = hasattr(r.caches[name], "make_mask")
    for i, s in enumerate(sizes):
        if cls == "ChunkedKVCache":
            r.call(name, "maybe_trim_front")
        if has_mask and (i % 3 == 0 or s > 1):
            for kw in MASKS:
                r.mask(name, s, **kw)
        # attention over the fetched keys (GQA: 4 query heads over 2 kv heads)
        # every few steps, with the mask the model would pass
        if i % 5 == 0 and dt == mx.float32:
            # what base.create_attention_mask gives: the cache's make_mask, or
            # (ChunkedKVCache has none) "causal" for N > 1
            m = PLAIN if has_mask else ("causal" if s > 1 else None)
            r.update(name, s, H=2, D=32, heads=4, scale=32 ** -0.5, mask=m, dtype=dt)
        else:
            r.update(name, s, H=2, D=32, dtype=dt)
        if i % 17 == 0:
            r.kav(name)
        if i in trims:
            r.trim(name, trims[i])
        if i == 120:
            r.from_state(name, name + "_fs")
            r.deepcopy(name, name + "_dc")
            for _ in range(3):
                r.update(name + "_dc", 1, H=2, D=32, dtype=dt)
            r.update(name + "_dc", 5, H=2, D=32, dtype=dt)
        if i == 150 and cls in ("KVCache", "RotatingKVCache"):
            r.to_quantized(name, name + "_q", 32, 4)
            if cls == "KVCache":
                for j in range(6):
                    r.update(name + "_q", 1 if j % 3 else 4, H=2, D=32, heads=4, scale=0.125, mask=PLAIN, dtype=dt)

# A cache of head dims that differ for keys and values, and an empty one of
# each class (their states hold None).
r.new("kv_dv", "KVCache")
for s in (3, 1, 1, 7, 1):
    r.update("kv_dv", s, H=1, D=16, Dv=8)
for name, cls, args in (("e_kv", "KVCache", {}), ("e_rot", "RotatingKVCache", {"max_size": 8}),
                        ("e_q", "QuantizedKVCache", {}), ("e_ch", "ChunkedKVCache", {"chunk_size": 8}),
                        ("e_cat", "ConcatenateKVCache", {})):
    r.new(name, cls, **args)
r.save()

# A prompt-cache file written by mlx-lm, from caches of every single-sequence
# class (filled, trimmed, quantized, bf16 and empty ones).
names = ["kv", "concat", "rot", "rot_keep", "q4", "q8", "chunked", "kv_bf16", "rot_bf16", "kv_q", "kv_dv",
         "e_kv", "e_rot", "e_q", "e_ch"]
with open(f"{out}/prompt_names.txt", "w") as f:
    f.write("\n".join(names))
C.save_prompt_cache(f"{out}/py_prompt.safetensors", [r.caches[n] for n in names],
                    {"model": "tiny", "note": "written by mlx-lm"})
R.dump_loaded(f"{out}/py_prompt.safetensors", out, "py_loaded")
