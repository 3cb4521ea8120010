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
