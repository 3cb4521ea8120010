"""Reference run for ported/cache's recurrent caches (arrays_test.go):
ArraysCache (the conv/SSM state of mamba, qwen3_next, nemotron_h, lfm2, ...)
and CacheList (hybrid layers: falcon_h1's (ArraysCache, KVCache),
deepseek_v32's (KVCache, KVCache)), alone and in batched generation.

gen_arrays.py OUTDIR        run the scenarios (replay.py records every op), then
                            save a prompt-cache file of them (py_prompt.
                            safetensors) and record what load_prompt_cache
                            makes of it (py_loaded.json).
gen_arrays.py OUTDIR FILE   load FILE (written by Go) and record what Python
                            sees (OUTDIR/go_loaded.json).
"""
import sys

import mlx.core as mx
from mlx_lm.models import cache as C

import replay as R

out = sys.argv[1]
if len(sys.argv) > 2:
    R.dump_loaded(sys.argv[2], out, "go_loaded")
    sys.exit(0)

r = R.Replay(out, seed=11)
CONV, SSM = (3, 8), (4, 8, 8)  # per-row shapes of a conv state and an SSM state


def ssm_steps(name, B, steps):
    """What a recurrent layer does per step: read the states, write new ones,
    advance the lengths; the mask create_ssm_mask asks for first."""
    for s in range(steps):
        r.mask(name, 1 + s % 3)
        r.get(name, 0)
        r.set(name, 0, (B,) + CONV)
        r.get(name, 1)
        r.set(name, 1, (B,) + SSM)
        r.call(name, "advance", N=1 + s % 3)


# A single sequence: ArraysCache(size=2) as mamba's make_cache builds it.
r.new("m", "ArraysCache", size=2)
r.get("m", 0)
r.mask("m", 4)
ssm_steps("m", 1, 4)
r.deepcopy("m", "m_dc")
r.from_state("m", "m_fs")

# Batched: merge of single caches (one not yet filled), prepare with
# lengths, masks with lengths, finalize; filter, extend, extract.
for name in ("a0", "a1", "a2"):
    r.new(name, "ArraysCache", size=2)
for name in ("a0", "a2"):
    ssm_steps(name, 1, 2)
r.set("a1", 0, (1,) + CONV)  # a1's entry 1 stays None: merged as zeros
r.merge(["a0", "a1", "a2"], "am")
r.check("am")
r.call("am", "prepare", lengths=[3, 5, 1])
r.mask("am", 4)
ssm_steps("am", 3, 3)
r.call("am", "finalize")
r.mask("am", 2)
r.call("am", "filter", batch_indices=[2, 0])
r.extract("am", 1, "am_x1")
r.merge(["a2", "a0"], "am2")
r.call("am", "extend", other="am2")
ssm_steps("am", 4, 2)
r.extract("am", 3, "am_x3")

# left_padding and lengths together (the mask is their conjunction); extend
# where one side has left_padding / lengths / entries and the other not
r.new("lp", "ArraysCache", size=3, left_padding=[2, 0])
r.mask("lp", 5)
r.call("lp", "prepare", lengths=[4, 3])
r.mask("lp", 5)
r.set("lp", 0, (2, 5))
r.set("lp", 2, (2, 6))  # entry 1 stays None
r.new("lp2", "ArraysCache", size=3)
r.set("lp2", 1, (1, 7))
r.call("lp", "extend", other="lp2")
r.mask("lp", 5)
r.call("lp", "advance", N=2)
r.mask("lp", 3)
r.call("lp", "filter", batch_indices=[2, 0])
r.new("lp3", "ArraysCache", size=2, left_padding=[1, 1, 0])
r.new("lp4", "ArraysCache", size=2)
r.call("lp3", "extend", other="lp4")  # no entries on either side
r.call("lp3", "prepare", lengths=[1, 2, 3, 4])
r.mask("lp3", 2)
r.extract("lp", 0, "lp_x0")  # entry 1 is set now? (None rows fail)
r.new("none_x", "ArraysCache", size=2)
r.set("none_x", 0, (2, 3))
r.extract("none_x", 1, "none_xx")  # entry 1 is None: fails upstream
r.new("e0", "ArraysCache", size=2)
r.new("e1", "ArraysCache", size=2)
r.merge(["e0", "e1"], "em")  # all empty: left_padding [0, 0]
r.check("em")

# CacheList: falcon_h1's (ArraysCache, KVCache) per layer, merged into a
# batch, prepared (right padding for the KV member), finalized, filtered,
# extended, extracted
for name, n in (("L0", 5), ("L1", 8), ("L2", 2)):
    r.new(name + "ar", "ArraysCache", size=2)
    r.new(name + "kv", "KVCache")
    r.new(name, "CacheList", members=[name + "ar", name + "kv"])
    ssm_steps(name + "ar", 1, 1)
    r.update(name + "kv", n, B=1, H=2, D=8)
    r.check(name)
r.trim("L0", 1)  # not trimmable (the ArraysCache)
r.from_state("L0", "L0_fs")
r.deepcopy("L0", "L0_dc")
r.merge(["L0", "L1"], "Lm")
r.check("Lm")
r.call("Lm", "prepare", lengths=[3, 1], right_padding=[0, 2])
r.alias("Lm", "Lm/list")
r.check("Lm")
r.call("Lm", "finalize")
r.merge(["L2", "L0"], "Lm2")
r.call("Lm", "extend", other="Lm2")
r.call("Lm", "filter", batch_indices=[3, 0, 1])
r.extract("Lm", 1, "Lm_x1")
r.check("Lm_x1")

# deepseek_v32's CacheList(KVCache(), KVCache()): trimmable, size of the largest
r.new("d0", "KVCache")
r.new("d1", "KVCache")
r.update("d0", 6, B=1, H=1, D=8)
r.update("d1", 4, B=1, H=1, D=4)
r.new("dl", "CacheList", members=["d0", "d1"])
r.check("dl")
r.trim("dl", 2)
r.from_state("dl", "dl_fs")
r.save()

names = ["m", "am", "lp", "em", "L0", "Lm", "dl", "Lm_x1", "none_x"]
with open(f"{out}/prompt_names.txt", "w") as f:
    f.write("\n".join(names))
C.save_prompt_cache(f"{out}/py_prompt.safetensors", [r.caches[n] for n in names],
                    {"model": "tiny", "note": "recurrent caches"})
R.dump_loaded(f"{out}/py_prompt.safetensors", out, "py_loaded")
