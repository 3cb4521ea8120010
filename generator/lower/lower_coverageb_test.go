package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// TestLowerPythonForms checks the Go model of Python forms the 0.32.2
// files use: next(genexp, default) and next(genexp) as a loop that returns
// the first element (StopIteration without a default), str.endswith(tuple),
// x.reshape(*shape), dict(d) as the copy Python makes, and an int | array cache
// offset in integer arithmetic.
func TestLowerPythonForms(t *testing.T) {
	src := header + `
    def __call__(self, x, cache=None):
        kinds = ["a", "b", "a"]
        first = next(i for i, k in enumerate(kinds) if k == "b")
        later = next((i for i, k in enumerate(kinds) if k == "c"), None)
        tail = "w.cos".endswith(("cos", "sin"))
        shape = x.shape[:-1] + (2, 3)
        y = x.reshape(*shape)
        d = dict(self.args.rope)
        d["type"] = "yarn"
        e = dict(self.args.rope["inner"])
        e["type"] = "yarn"
        end = cache.offset + 4
        return y
`
	src = strings.Replace(src, "    head_dim: Optional[int] = None\n", "    head_dim: Optional[int] = None\n    rope: Optional[Dict[str, Any]] = None\n", 1)
	src = strings.Replace(src, "from typing import Any, Optional", "from typing import Any, Dict, Optional", 1)
	fn := lowerSrc(t, src, "Model", "Forward")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		// next without a default: the first match, else StopIteration.
		`(return (ident i):int)`,
		`(call (qual py Raise) (lit "StopIteration")`,
		// next with None: Optional[int], the match wrapped, nil after the loop.
		`(return (call (qual py Ptr) (ident i):int))`,
		`(return (lit <nil>))`,
		`(call (qual py EndsWithAny) (lit "w.cos")`,
		`(spread (ident shape)`,
		// dict(d) copies: of a typed dict, and of a config value (Any).
		`(call (qual maps Clone) (sel (sel (ident self):Model "Args"):ModelArgs "Rope")`,
		`(call (qual maps Clone) (call (qual py Dict)`,
		`(call (qual py OffsetArith) (lit "+")`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerLoopsAndLists checks zip with a tuple target (each element
// unpacked by py.Unpack2), round() as Python's (py.Round, halves to even),
// and lists of two cache classes joined as lists of the interface.
func TestLowerLoopsAndLists(t *testing.T) {
	src := header + `
    def __call__(self, x, n: int):
        kv = []
        for i in range(n):
            kv.append((x, x))
        for j, (k, v) in zip(range(n), kv):
            x = x + k * v
        m = 256 * round(int(8 * self.args.hidden_size / 3) / 256)
        return x * m

    def make_cache(self):
        return [KVCache() for _ in range(2)] + [RotatingKVCache(max_size=4) for _ in range(2)]
`
	src = strings.Replace(src, "from .base import BaseModelArgs", "from .base import BaseModelArgs\nfrom .cache import KVCache, RotatingKVCache", 1)
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(:= (list (ident k) (ident v)) (list (call (qual py Unpack2) (index (ident kv)`,
		`(template "py.Round" "("`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Forward lacks %s:\n%s", w, got)
		}
	}
	got = model.Dump(lowerSrc(t, src, "Model", "MakeCache").Body)
	if !strings.Contains(got, `(call (qual slices Concat) (call (qual py Widen)`) {
		t.Errorf("MakeCache does not widen its lists to the cache interface:\n%s", got)
	}
}

// TestDataclassClassAttribute checks that an unannotated attribute of a
// ModelArgs body is no config key (json "-": from_dict does not fill it),
// typed by what __post_init__ assigns.
func TestDataclassClassAttribute(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", "    head_dim: Optional[int] = None\n    num_key_value_heads = None\n\n    def __post_init__(self):\n        if self.num_key_value_heads is None:\n            self.num_key_value_heads = self.hidden_size\n", 1) + `
    def __call__(self, x):
        return x
`
	f, diags := syntax.Parse("m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, _ := types.LoadTable()
	res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m"})
	if len(res.Diagnostics) > 0 {
		t.Fatal(res.Diagnostics)
	}
	got := model.Dump(res.File)
	for _, w := range []string{`(field NumKeyValueHeads *int json:-)`, `(field HeadDim *int json:head_dim)`} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), w) {
			t.Errorf("ModelArgs lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerIntOrList checks hunyuan's _int_or_list(arg, idx): a parameter
// that the function tests for a list and that receives a config value
// stays a value of no static type (not a float), read by index with
// py.AnyAt; int() of such a value truncates (py.IntOf, the builtins table's int(any)).
func TestLowerIntOrList(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", "    head_dim: Optional[int] = None\n    topk: Any = 2\n", 1) + `
    def __call__(self, x):
        k = _int_or_list(self.args.topk, 1)
        size = self.args.hidden_size
        n = int(size * _int_or_list(self.args.topk, 0))
        return x[..., :k] * n


def _int_or_list(arg, idx):
    if isinstance(arg, list):
        return arg[idx]
    return arg
`
	f, diags := syntax.Parse("m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, _ := types.LoadTable()
	res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m"})
	if len(res.Diagnostics) > 0 {
		t.Fatal(res.Diagnostics)
	}
	got := model.Dump(res.File)
	for _, w := range []string{`(call (qual py AnyAt) (ident arg):Any (ident idx):int)`, `py.IntOf`, `(params (arg any) (idx int)) (types any)`} {
		if !strings.Contains(got, w) {
			t.Errorf("the model lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerLoopCarried checks that a local a loop body updates from its own
// value, and may read before assigning in an iteration, is declared before
// the loop (Python's locals live for the whole function: hunyuan's
// shared_kv_states), while one each iteration assigns first stays inside.
func TestLowerLoopCarried(t *testing.T) {
	src := header + `
    def __call__(self, x, n: int):
        for i in range(n):
            if i == 0:
                s = x
            s = s + x
            x = s
        for j in range(n):
            u = x * 2
            u = u + x
            x = u
        return x
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	vs, loop := strings.Index(got, "(var s *mlx.Array"), strings.Index(got, "(for-range (ident i)")
	if vs < 0 || loop < 0 || vs > loop {
		t.Errorf("s is not declared before its loop:\n%s", got)
	}
	if strings.Contains(got, "(var u ") || !strings.Contains(got, "(:= (list (ident u)") {
		t.Errorf("u, assigned first in each iteration, is not declared in its loop body:\n%s", got)
	}
}
