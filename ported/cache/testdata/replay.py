"""Op-by-op recording of mlx-lm's caches, for ported/cache's replay tests.

A scenario script builds a Replay, calls its methods (each one runs the
operation on mlx-lm's caches and logs it), then calls save(). The Go test
replays OUTDIR/ops.json op by op on its own caches and compares, after every
op, everything the op returned and the whole record of the cache it touched.

Arrays are recorded as {dtype, shape, sha256 of the raw bytes, sum}: equal
hashes are equal bits (sum is only a hint in failure messages). A cache's
record is its class, tree_flatten(cache.state) (every array, int, bool, str
and None in it), nbytes, size(), empty(), is_trimmable() and offset. Inputs
(keys, values, queries, states) go to OUTDIR/inputs.safetensors.
"""
import copy
import hashlib
import json

import mlx.core as mx
import numpy as np
from mlx.utils import tree_flatten
from mlx_lm.models import base as B
from mlx_lm.models import cache as C


def dtype_name(d):
    return str(d).split(".")[-1]


def arr_rec(x):
    mx.eval(x)
    y = x.view(mx.uint16) if x.dtype == mx.bfloat16 else x
    n = np.array(y, copy=True)
    return dict(dtype=dtype_name(x.dtype), shape=list(x.shape),
                sha=hashlib.sha256(np.ascontiguousarray(n).tobytes()).hexdigest(),
                sum=float(np.array(x.astype(mx.float32)).astype(np.float64).sum()) if x.size else 0.0)


def leaf_rec(k, v):
    r = dict(k=k)
    if isinstance(v, mx.array):
        r["a"] = arr_rec(v)
    elif v is None:
        r["none"] = True
    elif isinstance(v, bool):
        r["bool"] = v
    elif isinstance(v, int):
        r["int"] = v
    elif isinstance(v, float):
        r["float"] = v
    elif isinstance(v, str):
        r["str"] = v
    else:
        raise TypeError(f"state leaf {k}: {type(v)}")
    return r


def state_rec(state):
    return [leaf_rec(k, v) for k, v in tree_flatten(state)]


def cache_rec(c):
    r = dict(cls=type(c).__name__, state=state_rec(c.state), size=c.size(),
             trimmable=c.is_trimmable())
    try:
        r["empty"] = c.empty()
    except IndexError:
        r["empty"] = True
    try:
        r["nbytes"] = c.nbytes
    except AttributeError:  # QuantizedKVCache.nbytes of an empty cache
        r["nbytes"] = None
    off = getattr(c, "offset", None)
    if isinstance(off, mx.array):
        r["offset_arr"] = arr_rec(off)
    elif isinstance(off, int):
        r["offset"] = off
    return r


def mask_rec(m):
    if m is None:
        return dict(kind="none")
    if isinstance(m, str):
        return dict(kind=m)
    return dict(kind="array", a=arr_rec(m))


def out_rec(x):
    if isinstance(x, (tuple, list)):
        return dict(q=[arr_rec(a) for a in x])
    return dict(a=arr_rec(x))


class Replay:
    def __init__(self, out, seed):
        self.out = out
        self.ops = []
        self.inputs = {}
        self.caches = {}
        mx.random.seed(seed)

    def _op(self, kind, **kw):
        e = dict(op=kind, **kw)
        self.ops.append(e)
        return e

    def _after(self, e, *names):
        e["after"] = {n: cache_rec(self.caches[n]) for n in names}

    def _input(self, shape, dtype=mx.float32):
        name = f"in{len(self.inputs)}"
        x = mx.random.normal(shape).astype(dtype)
        self.inputs[name] = x
        # A copy goes to the caller: mlx-lm mutates some arrays it is given
        # (quantized attention does queries *= scale; a cache that stored an
        # input writes into it later), and the saved input must stay as used.
        return name, mx.array(x)

    def new(self, name, cls, **args):
        """A cache: cls(**args); CacheList takes member names."""
        e = self._op("new", c=name, cls=cls, args=args)
        if cls == "CacheList":
            self.caches[name] = C.CacheList(*(self.caches[m] for m in args["members"]))
        else:
            self.caches[name] = getattr(C, cls)(**args)
        self._after(e, name)

    def alias(self, name, into):
        """into names the same object (e.g. after a merge into a list)."""
        self._op("alias", c=name, into=into)
        self.caches[into] = self.caches[name]

    def update(self, name, S, B=None, H=2, D=16, Dv=None, heads=None, scale=None, mask=None, dtype=mx.float32):
        """update_and_fetch with fresh random keys/values of shape (B, H, S, D);
        with heads, also base.scaled_dot_product_attention over the result
        with random queries of `heads` heads and the given mask."""
        c = self.caches[name]
        if B is None:
            B = batch_of(c)
        kn, k = self._input((B, H, S, D), dtype)
        vn, v = self._input((B, H, S, Dv or D), dtype)
        e = self._op("update", c=name, k=kn, v=vn)
        # mask: None, "causal", or make_mask's keyword arguments; a model asks
        # for it before its layers update the cache
        m = mask
        if heads is not None:
            e["mask"] = mask
            if isinstance(mask, dict):
                m = c.make_mask(S, **mask)
                e["mask_out"] = mask_rec(m)
        try:
            ko, vo = c.update_and_fetch(k, v)
        except (ValueError, RuntimeError) as err:
            e["error"] = str(err)
            self._after(e, name)
            return
        e["out"] = [out_rec(ko), out_rec(vo)]
        if isinstance(ko, (tuple, list)):
            e["deq"] = [arr_rec(mx.dequantize(*x, group_size=c.group_size, bits=c.bits)) for x in (ko, vo)]
        if heads is not None:
            qn, q = self._input((B, heads, S, D), dtype)
            e["q"], e["scale"] = qn, scale
            o = B_sdpa(q, ko, vo, c, scale, m)
            e["sdpa"] = arr_rec(o)
        self._after(e, name)

    def kav(self, name):
        e = self._op("kav", c=name)
        ko, vo = self.caches[name].keys_and_values()
        e["out"] = [out_rec(ko), out_rec(vo)]

    def mask(self, name, N, **kw):
        """make_mask(N, **kw), as base.create_attention_mask / create_ssm_mask
        call it (ArraysCache's takes N only)."""
        e = self._op("mask", c=name, n=N, kw=kw)
        e["out"] = mask_rec(self.caches[name].make_mask(N, **kw))

    def trim(self, name, n):
        e = self._op("trim", c=name, n=n)
        c = self.caches[name]
        e["trimmable"] = c.is_trimmable()
        e["trimmed"] = c.trim(n) if c.is_trimmable() else 0
        self._after(e, name)

    def call(self, name, method, after=None, **kw):
        """A method call without a result: maybe_trim_front, prepare,
        finalize, advance, filter, extend (other=name)."""
        e = self._op("call", c=name, method=method, kw=kw)
        c = self.caches[name]
        args = dict(kw)
        if method == "extend":
            args = dict(other=self.caches[kw["other"]])
        if method == "filter":
            args = dict(batch_indices=mx.array(kw["batch_indices"], mx.int32))
        try:
            getattr(c, method)(**args)
        except (ValueError, RuntimeError, AttributeError, TypeError) as err:
            e["error"] = f"{type(err).__name__}: {err}"
        names = [name] + ([kw["other"]] if method == "extend" else [])
        self._after(e, *names)

    def set(self, name, i, shape):
        n, x = self._input(shape)
        e = self._op("set", c=name, i=i, x=n)
        self.caches[name][i] = x
        self._after(e, name)

    def get(self, name, i):
        e = self._op("get", c=name, i=i)
        x = self.caches[name][i]
        e["out"] = dict(none=True) if x is None else dict(a=arr_rec(x))

    def extract(self, name, idx, into):
        e = self._op("extract", c=name, idx=idx, into=into)
        try:
            self.caches[into] = self.caches[name].extract(idx)
        except (TypeError, ValueError) as err:
            e["error"] = f"{type(err).__name__}: {err}"
            return
        self._after(e, into)

    def merge(self, names, into):
        e = self._op("merge", cs=names, into=into)
        try:
            m = type(self.caches[names[0]]).merge([self.caches[n] for n in names])
            mx.eval(tree_flatten(m.state))
        except (ValueError, StopIteration, TypeError, IndexError) as err:
            e["error"] = f"{type(err).__name__}: {err}"
            return
        self.caches[into] = m
        self._after(e, into)

    def to_quantized(self, name, into, group_size, bits):
        e = self._op("to_quantized", c=name, into=into, group_size=group_size, bits=bits)
        try:
            self.caches[into] = self.caches[name].to_quantized(group_size=group_size, bits=bits)
        except NotImplementedError as err:
            e["error"] = str(err)
            return
        self._after(e, into)

    def from_state(self, name, into):
        """type(c).from_state(c.state): the in-memory state round trip."""
        e = self._op("from_state", c=name, into=into)
        c = self.caches[name]
        self.caches[into] = type(c).from_state(c.state)
        self._after(e, into)

    def deepcopy(self, name, into):
        e = self._op("deepcopy", c=name, into=into)
        self.caches[into] = copy.deepcopy(self.caches[name])
        self._after(e, into)

    def check(self, name):
        self._after(self._op("check", c=name), name)

    def save(self):
        mx.eval(self.inputs)
        mx.save_safetensors(f"{self.out}/inputs.safetensors", self.inputs)
        with open(f"{self.out}/ops.json", "w") as f:
            json.dump(self.ops, f)


def B_sdpa(q, k, v, c, scale, mask):
    return B.scaled_dot_product_attention(q, k, v, cache=c, scale=scale, mask=mask)


def batch_of(c):
    off = getattr(c, "offset", None)
    if isinstance(off, mx.array):
        return off.shape[0]
    if isinstance(c, C.ArraysCache):
        return c.batch_size
    return 1


def dump_loaded(path, out, prefix):
    """load_prompt_cache(path) and the records of what it gives."""
    caches, meta = C.load_prompt_cache(path, return_metadata=True)
    with open(f"{out}/{prefix}.json", "w") as f:
        json.dump(dict(caches=[cache_rec(c) for c in caches], metadata=meta), f)
    return caches
