package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestRecurrentConstructs checks the recurrent patterns of kimi_linear and
// baichuan_m1: `a, b, c, d = cache` reads an ArraysCache's entries into
// array locals (py.CacheSlotsOf), a cache slot passed where the API table
// takes a cache is read as one (py.AsCache), `x in <config value>` goes through
// py.ContainsAny, and an
// unannotated `weights` parameter of a method other than sanitize takes
// the array its call site passes (not a weights dict).
func TestRecurrentConstructs(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import Any, Dict, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs, create_attention_mask
from .cache import ArraysCache, CacheList, KVCache

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    cfg: Dict[str, Any]

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.first = args.cfg["layers"][0] - 1
        self.w = mx.zeros((2,))

    def _mix(self, u, weights):
        return u * weights.reshape((1, 2))[:, 0]

    def __call__(self, x, cache: Optional[Any] = None):
        q_state, k_state, v_state, s_state = cache[0]
        if q_state is None:
            q_state = mx.zeros((2,))
            k_state = q_state
            v_state = q_state
            s_state = q_state
        if 2 in self.args.cfg["layers"]:
            x = x + q_state
        mask = create_attention_mask(x, cache[1])
        return self._mix(x, self.w)

    def make_cache(self):
        return [CacheList(ArraysCache(size=4), KVCache())]
`
	fn := lowerSrc(t, src, "Model", "Forward")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(call (qual py Unpack4) (call (qual py CacheSlotsOf) (types *mlx.Array) (template "py.CacheItem" "(" (list (ident cache):Cache) ", " (list (lit 0):int) ")"):CacheSlot (lit 4)))`,
		`(call (qual py ContainsAny) (index (sel (sel (ident self):Model "Args"):ModelArgs "Cfg"):Dict[str, Any] (lit "layers"):str):Any (lit 2):int):bool`,
		`(call (qual py AsCache) (template "py.CacheItem" "(" (list (ident cache):Cache) ", " (list (lit 1):int) ")"):CacheSlot)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Forward lacks %s:\n%s", w, got)
		}
	}
	mix := lowerSrc(t, src, "Model", "Mix_")
	if len(mix.Params) != 2 || model.Dump(mix.Params[1].Type) != model.Dump(mix.Params[0].Type) {
		t.Errorf("_mix(u, weights): weights is not an array like u: %s", model.Dump(mix.Params))
	}
}
