"""Reference run for ported/cache's batch caches (batch_test.go):
BatchKVCache, BatchRotatingKVCache, dynamic_roll, and the merges of KVCache and
RotatingKVCache into them.

gen_batch.py OUTDIR        run the scenarios (replay.py records every op),
                           then save a prompt-cache file of batch caches
                           (OUTDIR/py_prompt.safetensors) and record what
                           load_prompt_cache makes of it (py_loaded.json).
gen_batch.py OUTDIR FILE   load FILE (written by Go) and record what Python
                           sees (OUTDIR/go_loaded.json).
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

r = R.Replay(out, seed=7)
rng = random.Random(7)
H, D = 2, 16


def mix(name, steps, max_prefill, windows, trims={}, attend_every=4):
    """steps of 80% decodes and 20% prefills of 2..max_prefill tokens, the
    masks for each update first (as a model asks); attention over the
    fetched keys every few steps."""
    for s in range(steps):
        n = rng.randint(2, max_prefill) if max_prefill > 1 and rng.random() < 0.2 else 1
        for w in windows:
            r.mask(name, n, return_array=False, window_size=w)
        if s % attend_every == 0:
            r.update(name, n, H=H, D=D, heads=4, scale=0.25,
                     mask={"return_array": False, "window_size": None})
        else:
            r.update(name, n, H=H, D=D)
        if s in trims:
            r.trim(name, trims[s])


# ---- BatchKVCache: left padding, long schedule, filter / extend / extract ----
r.new("kv", "BatchKVCache", left_padding=[1, 3, 0])
r.mask("kv", 7, return_array=False, window_size=None)
r.update("kv", 7, H=H, D=D)
mix("kv", 60, 9, [None, 8], trims={20: 3})
r.kav("kv")
r.extract("kv", 1, "kv_x1")
r.call("kv", "filter", batch_indices=[2, 0])
mix("kv", 20, 9, [None])
r.new("kv2", "BatchKVCache", left_padding=[2, 0])
r.update("kv2", 5, H=H, D=D)
mix("kv2", 12, 4, [None])
r.call("kv", "extend", other="kv2")
mix("kv", 40, 9, [None, 8])
r.extract("kv", 3, "kv_x3")
r.call("kv", "filter", batch_indices=[1, 2])  # shares padding: shifted left
mix("kv", 10, 9, [None])
r.deepcopy("kv", "kv_dc")
r.from_state("kv", "kv_fs")
mix("kv_dc", 5, 4, [None])

# prepare(left_padding) on an empty cache; extend of empty caches; extend of
# an empty cache by a full one (and the reverse)
r.new("kvl", "BatchKVCache", left_padding=[0, 1])
r.call("kvl", "prepare", left_padding=[2, 0])
r.new("kve", "BatchKVCache", left_padding=[1])
r.call("kvl", "extend", other="kve")
r.mask("kvl", 6, return_array=False, window_size=None)
r.update("kvl", 6, H=H, D=D)
mix("kvl", 8, 4, [None])
r.new("kve2", "BatchKVCache", left_padding=[0, 2])
r.call("kve2", "extend", other="kvl")
r.call("kve2", "filter", batch_indices=[3, 0])
mix("kve2", 4, 3, [None])
r.new("kve3", "BatchKVCache", left_padding=[3])
r.call("kve3", "filter", batch_indices=[0])
r.call("kvl", "prepare", left_padding=[1, 1, 1])  # not empty: raises

# merge of KVCaches (one empty), right-padded prompt continuation, finalize, decode
for name, n in (("s0", 5), ("s1", 9), ("s2", 3)):
    r.new(name, "KVCache")
    r.update(name, n, B=1, H=H, D=D)
    r.update(name, 1, B=1, H=H, D=D)
r.new("s_empty", "KVCache")
r.merge(["s0", "s1", "s_empty", "s2"], "kvm")
r.call("kvm", "prepare", lengths=[4, 6, 3, 2], right_padding=[2, 0, 3, 4])
r.mask("kvm", 6, return_array=False, window_size=None)
r.update("kvm", 6, H=H, D=D)
r.update("kvm", 2, H=H, D=D)
r.call("kvm", "finalize")
mix("kvm", 30, 5, [None, 8])
r.extract("kvm", 2, "kvm_x2")
r.merge(["s_empty", "s_empty"], "kvm_empty")
r.merge(["kv", "kv2"], "kv_bad")  # batch caches do not merge

# ---- BatchRotatingKVCache: small max_size so the ring wraps ----
r.new("rot", "BatchRotatingKVCache", max_size=16, left_padding=[2, 0, 5])
r.mask("rot", 8, return_array=False, window_size=None)
r.update("rot", 8, H=H, D=D)
r.trim("rot", 2)
mix("rot", 50, 6, [None, 8], attend_every=3)
r.kav("rot")
r.extract("rot", 0, "rot_x0")
r.extract("rot", 2, "rot_x2")
r.call("rot", "filter", batch_indices=[2, 0])
mix("rot", 10, 6, [None])
r.new("rot2", "BatchRotatingKVCache", max_size=16, left_padding=[1, 0])
r.update("rot2", 4, H=H, D=D)
mix("rot2", 21, 1, [None])  # decodes only: wrapped, at another _idx
r.call("rot", "extend", other="rot2")
mix("rot", 40, 6, [None, 8])
r.extract("rot", 1, "rot_x1")
r.extract("rot", 3, "rot_x3")
r.deepcopy("rot", "rot_dc")
mix("rot_dc", 6, 3, [None])
r.new("rot_e", "BatchRotatingKVCache", max_size=16, left_padding=[0])
r.new("rot_e2", "BatchRotatingKVCache", max_size=16, left_padding=[1, 2])
r.call("rot_e", "extend", other="rot_e2")
r.call("rot_e", "filter", batch_indices=[2, 1])
r.call("rot_e", "extend", other="rot2")
mix("rot_e", 5, 3, [None])

# merge of RotatingKVCaches (one with keep, one wrapped), right-padded
# continuation; the ring wraps during the right-padded prefill
for name, mxs, keep, pre, dec in (("r0", 16, 2, 10, 0), ("r1", 16, 0, 5, 0), ("r2", 16, 0, 12, 3),
                                  ("rw", 16, 0, 6, 14)):
    r.new(name, "RotatingKVCache", max_size=mxs, keep=keep)
    r.update(name, pre, B=1, H=H, D=D)
    for _ in range(dec):
        r.update(name, 1, B=1, H=H, D=D)
r.merge(["r0", "r1", "r2", "rw"], "rotm")
r.call("rotm", "prepare", lengths=[5, 9, 3, 4], right_padding=[4, 0, 6, 5])
r.update("rotm", 9, H=H, D=D)
r.mask("rotm", 3, return_array=False, window_size=None)
r.update("rotm", 3, H=H, D=D)
r.update("rotm", 1, H=H, D=D)  # before finalize: raises
r.call("rotm", "finalize")
mix("rotm", 30, 5, [None, 8])
r.extract("rotm", 0, "rotm_x0")
r.new("r8", "RotatingKVCache", max_size=8)
r.update("r8", 3, B=1, H=H, D=D)
r.merge(["r1", "r8"], "rotbad")  # different max sizes
# a cache whose last update was a prefill holds max_size + S - 1 positions:
# merge takes its last size() of them
r.new("rp", "RotatingKVCache", max_size=16)
r.update("rp", 14, B=1, H=H, D=D)
r.update("rp", 5, B=1, H=H, D=D)
r.merge(["rp", "r1"], "rotm2")
mix("rotm2", 6, 3, [None])
# extract just after the ring wrapped: a left padding between -max_size and 0
r.new("rx", "BatchRotatingKVCache", max_size=16, left_padding=[3, 0])
r.update("rx", 6, H=H, D=D)
mix("rx", 12, 1, [None])
r.extract("rx", 0, "rx_x0")
r.extract("rx", 1, "rx_x1")
r.new("r_empty", "RotatingKVCache", max_size=16)
r.merge(["r_empty", "r_empty"], "rotm_empty")
r.to_quantized("rotm", "rotm_q", 32, 4)

# a BatchRotatingKVCache that has not rotated, for the file
r.new("rs", "BatchRotatingKVCache", max_size=16, left_padding=[1, 0])
r.update("rs", 5, H=H, D=D)
r.save()

names = ["kv", "rot", "rotm", "kvm", "rs", "kvl", "rot_e", "kvm_empty"]
with open(f"{out}/prompt_names.txt", "w") as f:
    f.write("\n".join(names))
C.save_prompt_cache(f"{out}/py_prompt.safetensors", [r.caches[n] for n in names],
                    {"model": "tiny", "note": "batch caches"})
R.dump_loaded(f"{out}/py_prompt.safetensors", out, "py_loaded")
