package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestCacheMembers checks one layer's cache handed to a function that
// indexes its `cache` by a computed position (so takes a list of caches):
// the caller converts the CacheList to its members (py.CacheMembers), and
// the callee's own stand-in for no caches, `(None, None)`, is a list of two
// nil caches, not a []any.
func TestCacheMembers(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import Any, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs
from .cache import CacheList, KVCache

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    num_layers: int

class Attention(nn.Module):
    def __call__(self, x, cache=None):
        if cache is not None:
            x, _ = cache.update_and_fetch(x, x)
        return x

class Layer(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.attn = [Attention() for _ in range(2)]

    def __call__(self, x, cache: Optional[Any] = None):
        if cache is None:
            cache = (None, None)
        for i in range(2):
            x = self.attn[i](x, cache=cache[i])
        return x

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [Layer(args) for _ in range(args.num_layers)]

    def __call__(self, x, cache: Optional[Any] = None):
        if cache is None:
            cache = [(None, None)] * len(self.layers)
        for layer, c in zip(self.layers, cache):
            x = layer(x, cache=c)
        return x

    def make_cache(self):
        return [CacheList(KVCache(), KVCache()) for _ in self.layers]
`
	m := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	if w := `(call (qual py CacheMembers) (ident c):Cache)`; !strings.Contains(m, w) {
		t.Errorf("Model.Forward lacks %s:\n%s", w, m)
	}
	l := model.Dump(lowerSrc(t, src, "Layer", "Forward").Body)
	if w := `(call (qual py Repeat) (types (template-type "lmcache.Cache")) (lit <nil>) (lit 2))`; !strings.Contains(l, w) {
		t.Errorf("Layer.Forward lacks %s:\n%s", w, l)
	}
}

// TestNoneListCache checks deepseek_v32's attention: one layer's cache
// (a CacheList indexed by literals) rebound to `[None] * 2` when absent is
// a cache of two empty entries (py.NoneSlots), its members' buffers are
// read and set (py.CacheKeys, py.SetCacheValues), mx.depends takes a tuple
// of dependencies (py.DependsAll), sum() of a generator of arrays is
// py.SumArrays, and `shape[-1] = n` counts from the end (py.SetAt).
func TestNoneListCache(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import Any, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs
from .cache import CacheList, KVCache

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args

    def __call__(self, x, cache: Optional[Any] = None):
        if cache is not None:
            x, _ = cache[0].update_and_fetch(x, x)
        else:
            cache = [None] * 2
        if cache[1] is not None:
            cache[1].values = mx.zeros_like(cache[1].keys)
        if cache is not None and cache[0] is not None:
            cache[0].keys = mx.depends(cache[0].keys, (cache[1].keys, cache[1].values))
        x = sum(x[:, h : h + 1] for h in range(x.shape[1]))
        shape = list(x.shape)
        shape[-1] = 3
        return x.reshape(shape)

    def make_cache(self):
        return [CacheList(KVCache(), KVCache())]
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(call (qual py NoneSlots) (lit 2):int)`,
		`(template "py.SetCacheValues" "(" "py.AsCache" "(" (list (template "py.CacheItem" "(" (list (ident cache):Cache) ", " (list (lit 1):int) ")"):CacheSlot) "), " (list (template "mlx.ZerosLike"`,
		`(template "py.DependsAll" "(" (list (template "py.CacheKeys" "(" "py.AsCache" "(" (list (template "py.CacheItem" "(" (list (ident cache):Cache) ", " (list (lit 0):int) ")"):CacheSlot) "))"):array) ", " (list (composite []*mlx.Array`,
		`(template "py.SumArrays" "(" (list (call (funclit (types []*mlx.Array)`,
		`(call (qual py SetAt) (ident shape):List[int] (unary - (lit 1):int):int (lit 3):int)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Forward lacks %s:\n%s", w, got)
		}
	}
}
