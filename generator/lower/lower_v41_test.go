package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// translated translates a snippet that must have no diagnostics and
// returns its Go declarations, by name, and its registration.
func translated(t *testing.T, src string) (map[string]string, string) {
	t.Helper()
	res := translateSrc(t, src)
	out := map[string]string{}
	for _, d := range res.File.Decls {
		switch x := d.(type) {
		case *model.Func:
			name := x.Name
			if x.Recv != nil {
				name = strings.TrimPrefix(model.Dump(x.Recv.Type), "*") + "." + x.Name
			}
			out[name] = model.Dump(x)
		case *model.Struct:
			out["type "+x.Name] = model.Dump(x)
		}
	}
	reg := ""
	for _, d := range res.Register.Decls {
		if fn, ok := d.(*model.Func); ok {
			reg += model.Dump(fn)
		}
	}
	return out, reg
}

const v41Head = `from dataclasses import dataclass
import re
from typing import Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

_KEY = r"layers\.(\d+)\.experts\.(\d+)\.(w[13])\.weight"

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    ratios: tuple[int, ...] = ()
`

// TestSanitizeGrouping checks the rules deepseek_v41's sanitize needs:
// re.fullmatch with a module-constant pattern and groups()
// (types/check_refullmatch.go), a tuple assignment that rebinds names to
// ints split into new variables (check_tuplesplit.go,
// check_rebindlocal.go), dict.setdefault chains that teach an empty dict
// its (int, str)-pair keys and nested value types (check_setdefault.go,
// lower_setdefault.go), and the loop over such a dict's items.
func TestSanitizeGrouping(t *testing.T) {
	src := v41Head + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.w = mx.zeros((2,))

    def __call__(self, x: mx.array) -> mx.array:
        return x * self.w

    def sanitize(self, weights: dict[str, mx.array]) -> dict[str, mx.array]:
        clean = {}
        experts = {}
        for key, value in weights.items():
            m = re.fullmatch(_KEY, key)
            if m is not None:
                layer, index, proj = m.groups()
                layer, index = int(layer), int(index)
                rows = experts.setdefault((layer, proj), {})
                rows.setdefault(index, {})["weight"] = value
                continue
            clean[key] = value
        for (layer, proj), rows in experts.items():
            parts = [rows[i] for i in sorted(rows)]
            clean[f"model.layers.{layer}.{proj}"] = mx.stack([p["weight"] for p in parts])
        return clean
`
	decls, _ := translated(t, src)
	got := decls["Model.Sanitize"]
	for _, w := range []string{
		`(template "py.ReFullmatch" "(" (list (lit "layers\\.(\\d+)\\.experts\\.(\\d+)\\.(w[13])\\.weight"):str)`,
		`".Groups()"`,
		`(:= (list (ident layer2)) (list (template "py.ParseInt" "(" (list (ident layer):str)`,
		`(call (qual py SetDefault) (ident experts)`,
		`(composite [2]any (ident layer2):int (ident proj):str)`,
		`(call (qual py SortedPairKeys) (ident experts)`,
		`(assert (index (ident k_) (lit 0)) int)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Sanitize lacks %s:\n%s", w, got)
		}
	}
	if !strings.Contains(got, `(composite map[[2]any]map[int]map[string]*mlx.Array)`) {
		t.Errorf("experts is not map[[2]any]map[int]map[string]*mlx.Array:\n%s", got)
	}
}

// TestOwnCacheClass checks a model's own cache class
// (types/check_localcache.go, lower/lower_localcache.go): the annotated
// cache list keeps the class, its protocol members are translated though
// no model code calls them, and the registration wraps and unwraps the
// instances through py.LocalCache; an empty tuple default is a typed
// empty list (lower_emptyseq.go) and `shared = {}` passed to an annotated
// dict parameter takes its type (types/check_emptydictarg.go).
func TestOwnCacheClass(t *testing.T) {
	src := v41Head + `
class StepCache:
    def __init__(self):
        self.offset = 0
        self.last = None

    @property
    def state(self) -> tuple[Optional[mx.array], mx.array]:
        return (self.last, mx.array(self.offset))

    def empty(self) -> bool:
        return self.offset == 0

class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = mx.zeros((2,))

    def __call__(self, x: mx.array, cache: StepCache, shared: dict[str, Optional[mx.array]]) -> mx.array:
        cache.last = x
        cache.offset += x.shape[1]
        shared["x"] = x
        return x * self.w

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [Layer() for _ in range(2)]

    def make_cache(self) -> list[StepCache]:
        return [StepCache() for _ in self.layers]

    def __call__(self, x: mx.array, cache: Optional[list[StepCache]] = None) -> mx.array:
        cache = cache or self.make_cache()
        shared = {}
        for layer, c in zip(self.layers, cache):
            x = layer(x, c, shared)
        return x
`
	decls, reg := translated(t, src)
	for _, w := range []string{"StepCache.State", "StepCache.Empty"} {
		if decls[w] == "" {
			t.Errorf("%s is not translated", w)
		}
	}
	if got := decls["Model.Forward"]; !strings.Contains(got, `(cache []*StepCache)`) ||
		!strings.Contains(got, `(composite map[string]*mlx.Array):Dict[str, array]`) {
		t.Errorf("Forward does not take []*StepCache or shared is not map[string]*mlx.Array:\n%s", got)
	}
	for _, w := range []string{`(call (qual py UnwrapCaches) (types *StepCache) (ident caches))`, `(qual py WrapCaches)`, `(kv (ident Empty) (sel (paren (unary * (ident StepCache))) "Empty"))`, `(lit "StepCache")`, `(return (composite []*mlx.Array (ident s0) (ident s1)))`} {
		if !strings.Contains(reg, w) {
			t.Errorf("registration lacks %s:\n%s", w, reg)
		}
	}
	if got := decls["NewModelArgs"]; !strings.Contains(got, `(kv (ident Ratios) (composite []int):List[int])`) {
		t.Errorf("ratios = () is not []int{}:\n%s", got)
	}
}
