"""Reference runs for ported/cache's batch caches (BatchKVCache,
BatchRotatingKVCache, dynamic_roll, KVCache.merge / RotatingKVCache.merge).

gen_batch.py OUTDIR          run scripted scenarios and record every op in
                             OUTDIR/ops.json with its inputs and results in
                             OUTDIR/batch.safetensors; save a prompt-cache file
                             of batch caches (OUTDIR/py_prompt.safetensors) and
                             dump what load_prompt_cache makes of it.
gen_batch.py OUTDIR FILE     load FILE (written by Go) with load_prompt_cache and
                             dump what Python sees (OUTDIR/loaded.*).

The Go test replays ops.json op by op on its own caches. Op kinds:
  new_batch / new_rot_batch / new_kv / new_rot   create cache c
  update     c.update_and_fetch(in/k, in/v)      (results when chk)
  mask       c.make_mask(n, window_size=w)        (always recorded)
  trim       c.trim(n)                            (count recorded)
  prepare / finalize / filter / extend / extract / merge
  check      state arrays and scalar attributes
"""
import json
import random
import sys

import mlx.core as mx
from mlx_lm.models import cache as C

out = sys.argv[1]


def dump_loaded(path):
    caches, meta = C.load_prompt_cache(path, return_metadata=True)
    arrays, info = {}, []
    for i, c in enumerate(caches):
        for k, v in C.tree_flatten(c.state):
            arrays[f"{i}.{k}"] = v
        info.append(dict(cls=type(c).__name__, meta=list(c.meta_state) if c.meta_state else [],
                         idx=getattr(c, "_idx", None)))
    mx.save_safetensors(f"{out}/loaded.safetensors", arrays)
    with open(f"{out}/loaded.json", "w") as f:
        json.dump(dict(caches=info, metadata=meta), f)


if len(sys.argv) > 2:
    dump_loaded(sys.argv[2])
    sys.exit(0)

mx.random.seed(7)
rng = random.Random(7)
H, D = 2, 16

ops = []
arrays = {}
caches = {}


def op(kind, **kw):
    ops.append(dict(op=kind, **kw))
    return len(ops) - 1


def batch_size(c):
    off = getattr(c, "offset", None)
    return off.shape[0] if isinstance(off, mx.array) else 1


def check(name):
    c = caches[name]
    i = op("check", c=name)
    e = ops[i]
    if not c.empty():
        for k, v in C.tree_flatten(c.state):
            arrays[f"{i}/state/{k}"] = mx.array(v)
    if isinstance(getattr(c, "offset", None), mx.array):
        arrays[f"{i}/offset"] = mx.array(c.offset)
        arrays[f"{i}/left_padding"] = mx.array(c.left_padding)
    if isinstance(c, C.ArraysCache):
        for a in ("left_padding", "lengths"):
            if getattr(c, a) is not None:
                arrays[f"{i}/{a}"] = mx.array(getattr(c, a))
                e[a + "_set"] = True
    e["cls"] = type(c).__name__
    e["meta"] = list(c.meta_state) if c.meta_state else []
    e["idx"] = getattr(c, "_idx", None)
    e["trimmable"] = c.is_trimmable()
    e["empty"] = c.empty()
    if isinstance(c, C.BatchRotatingKVCache):
        e["buf_offset"] = c._offset
        e["rotated"] = c.rotated
    if isinstance(getattr(c, "offset", None), int):
        e["offset"] = c.offset
    mx.eval(arrays)


def update(name, S, chk=False):
    c = caches[name]
    i = op("update", c=name, chk=chk)
    B = batch_size(c)
    k = mx.random.normal((B, H, S, D))
    v = mx.random.normal((B, H, S, D))
    arrays[f"{i}/in/k"], arrays[f"{i}/in/v"] = k, v
    ko, vo = c.update_and_fetch(k, v)
    if chk:
        # copies: the caches later write into the very arrays they returned
        arrays[f"{i}/k"], arrays[f"{i}/v"] = mx.array(ko), mx.array(vo)
    mx.eval(arrays, c.state)
    if chk:
        check(name)


def mask(name, n, window=None):
    i = op("mask", c=name, n=n, window=window or 0)
    arrays[f"{i}/mask"] = mx.array(caches[name].make_mask(n, window_size=window))
    mx.eval(arrays)


def trim(name, n):
    i = op("trim", c=name, n=n)
    ops[i]["trimmed"] = caches[name].trim(n)
    check(name)


def prepare(name, **kw):
    op("prepare", c=name, **kw)
    caches[name].prepare(**kw)
    check(name)


def finalize(name):
    op("finalize", c=name)
    caches[name].finalize()
    check(name)


def filt(name, idx):
    op("filter", c=name, indices=idx)
    caches[name].filter(mx.array(idx, mx.int32))
    check(name)


def extend(name, other):
    op("extend", c=name, other=other)
    caches[name].extend(caches[other])
    check(name)
    check(other)


def extract(name, idx, into):
    op("extract", c=name, idx=idx, into=into)
    caches[into] = caches[name].extract(idx)
    check(into)


def merge(names, into):
    i = op("merge", cs=names, into=into)
    try:
        caches[into] = type(caches[names[0]]).merge([caches[n] for n in names])
        mx.eval(caches[into].state)
        ops[i]["error"] = False
        check(into)
    except ValueError:
        ops[i]["error"] = True


def decode_prefill_mix(name, steps, max_prefill, every, windows, trims={}):
    """steps of 80% decodes and 20% prefills of 2..max_prefill tokens, the
    masks for each update first (as a model asks), checks every `every`."""
    for s in range(steps):
        n = rng.randint(2, max_prefill) if max_prefill > 1 and rng.random() < 0.2 else 1
        chk = s % every == 0 or s == steps - 1
        if chk:
            for w in windows:
                mask(name, n, w)
        update(name, n, chk)
        if s in trims:
            trim(name, trims[s])


# ---- BatchKVCache: left padding, long schedule, filter / extend / extract ----
caches["kv"] = C.BatchKVCache([1, 3, 0])
op("new_batch", c="kv", left_padding=[1, 3, 0])
mask("kv", 7)
update("kv", 7, True)
decode_prefill_mix("kv", 60, 9, 5, [None, 8], trims={20: 3})
extract("kv", 1, "kv_x1")
filt("kv", [2, 0])
decode_prefill_mix("kv", 20, 9, 4, [None])
caches["kv2"] = C.BatchKVCache([2, 0])
op("new_batch", c="kv2", left_padding=[2, 0])
update("kv2", 5, True)
decode_prefill_mix("kv2", 12, 4, 3, [None])
extend("kv", "kv2")
decode_prefill_mix("kv", 40, 9, 4, [None, 8])
extract("kv", 3, "kv_x3")
filt("kv", [1, 2])  # shares padding: shifted left
decode_prefill_mix("kv", 10, 9, 3, [None])

# prepare(left_padding) on an empty cache
caches["kvl"] = C.BatchKVCache([0, 1])
op("new_batch", c="kvl", left_padding=[0, 1])
prepare("kvl", left_padding=[2, 0])
mask("kvl", 6)
update("kvl", 6, True)
decode_prefill_mix("kvl", 8, 4, 2, [None])

# merge of KVCaches, right-padded prompt continuation, finalize, decode
for name, n in (("s0", 5), ("s1", 9), ("s2", 3)):
    caches[name] = C.KVCache()
    op("new_kv", c=name)
    update(name, n)
    update(name, 1)
merge(["s0", "s1", "s2"], "kvm")
prepare("kvm", lengths=[4, 6, 2], right_padding=[2, 0, 4])
mask("kvm", 4)
update("kvm", 4, True)
update("kvm", 2, True)
finalize("kvm")
decode_prefill_mix("kvm", 30, 5, 3, [None, 8])
extract("kvm", 2, "kvm_x2")

# ---- BatchRotatingKVCache: small max_size so the ring wraps ----
caches["rot"] = C.BatchRotatingKVCache(16, [2, 0, 5])
op("new_rot_batch", c="rot", max_size=16, left_padding=[2, 0, 5])
mask("rot", 8)
update("rot", 8, True)
trim("rot", 2)
decode_prefill_mix("rot", 50, 6, 2, [None, 8])
extract("rot", 0, "rot_x0")
extract("rot", 2, "rot_x2")
filt("rot", [2, 0])
decode_prefill_mix("rot", 10, 6, 2, [None])
caches["rot2"] = C.BatchRotatingKVCache(16, [1, 0])
op("new_rot_batch", c="rot2", max_size=16, left_padding=[1, 0])
update("rot2", 4, True)
decode_prefill_mix("rot2", 21, 1, 4, [None])  # decodes only: wrapped, other _idx
extend("rot", "rot2")
decode_prefill_mix("rot", 40, 6, 2, [None, 8])
extract("rot", 1, "rot_x1")
extract("rot", 3, "rot_x3")

# merge of RotatingKVCaches (one with keep), right-padded continuation
for name, mx_size, keep, pre, dec in (("r0", 16, 2, 10, 0), ("r1", 16, 0, 5, 0), ("r2", 16, 0, 12, 3)):
    caches[name] = C.RotatingKVCache(mx_size, keep=keep)
    op("new_rot", c=name, max_size=mx_size, keep=keep)
    update(name, pre)
    for _ in range(dec):
        update(name, 1)
merge(["r0", "r1", "r2"], "rotm")
prepare("rotm", lengths=[5, 9, 3], right_padding=[4, 0, 6])
update("rotm", 6, True)
mask("rotm", 3)
update("rotm", 3, True)
finalize("rotm")
decode_prefill_mix("rotm", 30, 5, 2, [None, 8])
extract("rotm", 0, "rotm_x0")
# a wrapped RotatingKVCache cannot be merged upstream (shape mismatch)
caches["rw"] = C.RotatingKVCache(16)
op("new_rot", c="rw", max_size=16, keep=0)
update("rw", 6)
for _ in range(14):
    update("rw", 1)
merge(["rw", "r1"], "rotbad")
# different max sizes
caches["r16"] = C.RotatingKVCache(8)
op("new_rot", c="r16", max_size=8, keep=0)
update("r16", 3)
merge(["r1", "r16"], "rotbad2")

# ---- ArraysCache / MambaCache / CacheList batch methods ----
def new_arrays(name, size, cls="ArraysCache", left_padding=None):
    op("new_arrays", c=name, n=size, cls=cls, left_padding=left_padding)
    caches[name] = C.MambaCache(left_padding) if cls == "MambaCache" else C.ArraysCache(size, left_padding)


def set_entry(name, e, shape):
    i = op("set", c=name, n=e)
    arrays[f"{i}/in"] = mx.random.normal(shape)
    caches[name][e] = arrays[f"{i}/in"]


def new_list(name, members):
    op("new_cachelist", c=name, cs=members)
    caches[name] = C.CacheList(*(caches[m] for m in members))


def member(name, j, into):
    op("member", c=name, n=j, into=into)
    caches[into] = caches[name][j]


for name, b in (("m0", 1), ("m1", 1), ("m2", 1)):
    new_arrays(name, 2, "MambaCache")
    set_entry(name, 0, (b, 3, 8))
    if name != "m1":  # merge leaves m1's row of entry 1 zero
        set_entry(name, 1, (b, 4, 8, 8))
merge(["m0", "m1", "m2"], "mm")
filt("mm", [2, 0, 1])
merge(["m2", "m0"], "mm2")
extend("mm", "mm2")
extract("mm", 3, "mm_x3")
new_arrays("a0", 3, left_padding=[1, 0])
for e in range(3):
    set_entry("a0", e, (2, 5))
check("a0")
new_arrays("a1", 3, left_padding=[2])
for e in range(3):
    set_entry("a1", e, (1, 5))
extend("a0", "a1")
filt("a0", [2, 1])
extract("a0", 0, "a0_x0")

for name, n in (("L0", 5), ("L1", 8), ("L2", 2)):
    caches[name + "kv"] = C.KVCache()
    op("new_kv", c=name + "kv")
    new_arrays(name + "ar", 2)
    set_entry(name + "ar", 0, (1, 3, 8))
    set_entry(name + "ar", 1, (1, 4, 8))
    new_list(name, [name + "kv", name + "ar"])
    member(name, 0, name + "/0")
    update(name + "/0", n)
merge(["L0", "L1"], "Lm")
prepare("Lm", lengths=[3, 0], right_padding=[0, 3])
member("Lm", 0, "Lm/0")
member("Lm", 1, "Lm/1")
check("Lm/1")
mask("Lm/0", 3)
update("Lm/0", 3, True)
finalize("Lm")
check("Lm/1")
decode_prefill_mix("Lm/0", 10, 4, 3, [None])
check("Lm")
merge(["L2", "L0"], "Lm2")
member("Lm2", 0, "Lm2/0")
update("Lm2/0", 1, True)
extend("Lm", "Lm2")
filt("Lm", [3, 0, 1])
member("Lm", 0, "Lm/0")
decode_prefill_mix("Lm/0", 6, 4, 2, [None])
extract("Lm", 1, "Lm_x1")

# not rotated: meta_state ends in "False", which the setter reads as True
caches["rs"] = C.BatchRotatingKVCache(16, [1, 0])
op("new_rot_batch", c="rs", max_size=16, left_padding=[1, 0])
update("rs", 5, True)

# ---- dynamic_roll directly ----
x = mx.random.normal((3, 2, 7, 4))
arrays["roll/x"] = x
for j, sh in enumerate(([0, 3, -2], [9, 1, 6])):
    arrays[f"roll/{j}"] = C.dynamic_roll(x, mx.array(sh)[:, None], axis=2)

# ---- prompt-cache file of batch caches ----
C.save_prompt_cache(f"{out}/py_prompt.safetensors", [caches["kv"], caches["rot"], caches["rotm"], caches["kvm"], caches["rs"]],
                    {"model": "tiny", "note": "batch caches"})
dump_loaded(f"{out}/py_prompt.safetensors")

mx.eval(arrays)
mx.save_safetensors(f"{out}/batch.safetensors", arrays)
with open(f"{out}/ops.json", "w") as f:
    json.dump(ops, f)
print(len(ops), "ops,", len(arrays), "arrays")
