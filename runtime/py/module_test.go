package py

import (
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// TestDictFromPairsAndTreeUnflatten: dict() of (key, value) tuples keeps
// the last value of a repeated key as Python does, and tree_unflatten of
// (path, module) tuples is the tree UpdateModules takes.
func TestDictFromPairsAndTreeUnflatten(t *testing.T) {
	d := DictFromPairs[string, any]([]any{[]any{"a", 1}, []any{"b", "x"}, []any{"a", 2}})
	if len(d) != 2 || d["a"] != 2 || d["b"] != "x" {
		t.Errorf("dict(pairs) = %v", d)
	}
	type block struct {
		Proj nn.LinearLayer `mlx:"proj"`
	}
	type model struct {
		Layers []*block `mlx:"layers"`
	}
	m := &model{Layers: []*block{{Proj: nn.NewLinear(2, 2, false)}, {Proj: nn.NewLinear(2, 2, false)}}}
	repl := nn.NewLinear(2, 3, false)
	UpdateModules(m, TreeUnflatten([]any{[]any{"layers.1.proj", repl}}))
	if m.Layers[1].Proj != nn.LinearLayer(repl) {
		t.Error("layers.1.proj not replaced")
	}
	defer func() {
		if e, ok := recover().(*Error); !ok || e.Kind != "ValueError" {
			t.Errorf("a bad path raised %v, want ValueError", e)
		}
	}()
	UpdateModules(m, TreeUnflatten([]any{[]any{"layers.0.nope", repl}}))
}
