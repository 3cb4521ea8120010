"""Reference run for ported/cache's TokenBuffer, PromptTrie and
LRUPromptCache (lru_test.go): random operations, every result recorded.

gen_lru.py OUTDIR   writes OUTDIR/lru.json and OUTDIR/inputs.safetensors.
"""
import json
import random
import sys

import mlx.core as mx
from mlx_lm.models import cache as C

import replay as R

out = sys.argv[1]
mx.random.seed(5)
rng = random.Random(5)
inputs = {}


def new_input(shape, dtype=mx.float32):
    name = f"in{len(inputs)}"
    inputs[name] = mx.random.normal(shape).astype(dtype) if dtype != mx.int32 else \
        mx.random.randint(0, 1000, shape).astype(mx.int32)
    return name, mx.array(inputs[name])


# ---- TokenBuffer ----
tb_ops = []
tb = C.TokenBuffer([5, 6, 7])
tb_ops.append(dict(op="new", tokens=[5, 6, 7], state=R.arr_rec(tb.state), tokens_out=R.arr_rec(tb.tokens)))
for n in [1, 1, 3, 250, 1, 2, 300, 1, 0, 5]:
    name, x = new_input((n,), mx.int32)
    got = tb.update_and_fetch(x)
    tb_ops.append(dict(op="update", x=name, out=R.arr_rec(got), state=R.arr_rec(tb.state),
                       tokens_out=R.arr_rec(tb.tokens)))
tb_empty = C.TokenBuffer()
tb_ops.append(dict(op="new", tokens=None, state=R.arr_rec(tb_empty.state), tokens_out=R.arr_rec(tb_empty.tokens)))


# ---- PromptTrie ----
def res_rec(r):
    return dict(model=r.model, exact=r.exact, shorter=r.shorter, longer=r.longer, common_prefix=r.common_prefix)


def seq(maxlen, alphabet=3):
    return [rng.randrange(alphabet) for _ in range(rng.randint(0, maxlen))]


trie = C.PromptTrie()
trie_ops = []
added = []
# A deep, branching subtree first: search's depth-first walk for the
# shortest longer value, with ties decided by insertion order.
for toks in ([5, 1, 1, 1, 7], [5, 1, 1, 2, 8], [5, 1, 2, 1, 9], [5, 1, 2, 2, 3, 4], [5, 3, 1, 1, 1], [5, 2]):
    trie_ops.append(dict(op="add", model="deep", tokens=toks, value=len(trie_ops), prev=trie.add("deep", toks, len(trie_ops))))
for pop, search in (([], [5]), ([5, 2], [5]), ([5, 1, 1, 1, 7], [5, 1]), ([], [5, 1, 2, 2]), ([5, 1, 1, 2, 8], [5, 0])):
    if pop:
        trie_ops.append(dict(op="pop", model="deep", tokens=pop, value=trie.pop("deep", pop), ok=True))
    trie_ops.append(dict(op="search", model="deep", tokens=search, result=res_rec(trie.search("deep", search))))
# Siblings below a path of three tokens, the first shallower: the walk's
# partial paths must not share storage.
for toks in ([5, 1, 1, 1, 7], [5, 1, 1, 1, 6, 0]):
    trie_ops.append(dict(op="add", model="deep2", tokens=toks, value=len(trie_ops), prev=trie.add("deep2", toks, len(trie_ops))))
trie_ops.append(dict(op="search", model="deep2", tokens=[5], result=res_rec(trie.search("deep2", [5]))))
for i in range(600):
    model = rng.choice(["m1", "m2"])
    k = rng.random()
    if k < 0.35 or not added:
        toks = seq(7)
        prev = trie.add(model, toks, i)
        added.append((model, toks))
        trie_ops.append(dict(op="add", model=model, tokens=toks, value=i, prev=prev))
    elif k < 0.45:
        model, toks = rng.choice(added)
        try:
            v = trie.pop(model, toks)
            trie_ops.append(dict(op="pop", model=model, tokens=toks, value=v, ok=True))
        except KeyError:
            trie_ops.append(dict(op="pop", model=model, tokens=toks, ok=False))
    elif k < 0.5:
        model, toks = rng.choice(added)
        try:
            vals = trie.pop_prefixes(model, toks)
            trie_ops.append(dict(op="pop_prefixes", model=model, tokens=toks, values=[list(v) for v in vals], ok=True))
        except KeyError:
            # upstream raises once the path ends, after popping what it passed
            trie_ops.append(dict(op="pop_prefixes", model=model, tokens=toks, ok=False))
    elif k < 0.6:
        model, toks = rng.choice(added)
        try:
            trie_ops.append(dict(op="get", model=model, tokens=toks, value=trie.get(model, toks), ok=True))
        except KeyError:
            trie_ops.append(dict(op="get", model=model, tokens=toks, ok=False))
    else:
        toks = seq(9)
        model = rng.choice(["m1", "m2", "m3"])
        trie_ops.append(dict(op="search", model=model, tokens=toks, result=res_rec(trie.search(model, toks))))

# ---- LRUPromptCache ----
lru_ops = []


def make_cache(kind, n):
    """A prompt cache of two layers whose state covers n tokens."""
    spec = dict(kind=kind, n=n, inputs=[])
    caches = []
    for _ in range(2):
        if kind == "arrays":
            c = C.ArraysCache(2)
            for j, shape in enumerate(((1, 3, 4), (1, 2, 4, 4))):
                name, x = new_input(shape)
                spec["inputs"].append(name)
                c[j] = x
        else:
            c = C.KVCache() if kind == "kv" else C.RotatingKVCache(max_size=12, keep=2)
            kn, k = new_input((1, 2, n, 8))
            vn, v = new_input((1, 2, n, 8))
            spec["inputs"] += [kn, vn]
            c.update_and_fetch(k, v)
        caches.append(c)
    return spec, caches


def lru_state(lru):
    return dict(len=len(lru), nbytes=lru.nbytes, stats=lru.stats_by_type())


for lru_args in (dict(max_size=6), dict(max_size=20, max_bytes=400000)):
    lru = C.LRUPromptCache(**lru_args)
    lru_ops.append(dict(op="new", **lru_args))
    history = []
    for i in range(260):
        model = rng.choice(["a", "b"])
        k = rng.random()
        if k < 0.4 or not history:
            if history and rng.random() < 0.5:
                base_toks = rng.choice(history)[1]
                toks = base_toks[: rng.randint(0, len(base_toks))] + seq(6, 4)
            else:
                toks = seq(10, 4)
            kind = rng.choice(["kv", "kv", "kv", "rot", "arrays"])
            if not toks:
                toks = [1]
            spec, caches = make_cache(kind, len(toks))
            ctype = rng.choice(["assistant", "assistant", "user", "system"])
            lru.insert_cache(model, toks, caches, cache_type=ctype)
            history.append((model, toks))
            lru_ops.append(dict(op="insert", model=model, tokens=toks, cache=spec, cache_type=ctype, **lru_state(lru)))
        elif k < 0.85:
            if rng.random() < 0.6:
                m, base_toks = rng.choice(history)
                toks = base_toks[: rng.randint(0, len(base_toks))] + seq(4, 4)
                model = m
            else:
                toks = seq(10, 4)
            caches, rest = lru.fetch_nearest_cache(model, toks)
            rec = None if caches is None else [R.cache_rec(c) for c in caches]
            lru_ops.append(dict(op="fetch", model=model, tokens=toks, caches=rec, rest=rest, **lru_state(lru)))
        else:
            kw = rng.choice([dict(n_sequences=rng.randint(0, 6)), dict(n_bytes=rng.randint(0, 300000)),
                             dict(n_sequences=rng.randint(-1, 4), n_bytes=rng.randint(-5, 200000)), dict()])
            lru.trim_to(**kw)
            lru_ops.append(dict(op="trim_to", kw=kw, **lru_state(lru)))

mx.eval(inputs)
mx.save_safetensors(f"{out}/inputs.safetensors", inputs)
with open(f"{out}/lru.json", "w") as f:
    json.dump(dict(token_buffer=tb_ops, trie=trie_ops, lru=lru_ops), f)
