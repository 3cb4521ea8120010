package nn

import (
	"strings"
	"testing"
)

type namedBlock struct {
	Proj LinearLayer `mlx:"proj"`
	Eps  float64     `mlx:"-"`
}

type namedModel struct {
	Embed  EmbeddingLayer `mlx:"embed_tokens"`
	Layers []*namedBlock  `mlx:"layers"`
	Head   *Linear        `mlx:"lm_head"`
}

type otherLinear struct{ Linear }

// TestNamedModulesAndUpdate checks named_modules' paths (as mlx names them:
// the root "", list elements by index, parameters and plain fields left
// out) and update_modules: a module replaced at a list element's path (a
// tree_unflatten dict keyed by index, and a list with an empty dict for an
// element left alone), and the errors mlx raises as ValueError.
func TestNamedModulesAndUpdate(t *testing.T) {
	m := &namedModel{Embed: NewEmbedding(4, 2), Layers: []*namedBlock{{Proj: NewLinear(2, 2, false)}, {Proj: NewLinear(2, 2, false)}},
		Head: NewLinear(2, 4, false)}
	var paths []string
	for _, p := range NamedModules(m) {
		paths = append(paths, p.([]any)[0].(string))
	}
	if got := strings.Join(paths, " "); got != " embed_tokens layers.0 layers.0.proj layers.1 layers.1.proj lm_head" {
		t.Errorf("paths = %q", got)
	}
	repl := &otherLinear{}
	if err := UpdateModules(m, map[string]any{"layers": map[string]any{"1": map[string]any{"proj": repl}}}); err != nil {
		t.Fatal(err)
	}
	if m.Layers[1].Proj != LinearLayer(repl) || m.Layers[0].Proj == LinearLayer(repl) {
		t.Error("layers.1.proj not replaced (or layers.0.proj replaced)")
	}
	repl0 := &otherLinear{}
	if err := UpdateModules(m, map[string]any{"layers": []any{map[string]any{"proj": repl0}, map[string]any{}}}); err != nil {
		t.Fatal(err)
	}
	if m.Layers[0].Proj != LinearLayer(repl0) || m.Layers[1].Proj != LinearLayer(repl) {
		t.Error("a list tree did not replace layers.0.proj alone")
	}
	for tree, want := range map[string]map[string]any{
		`does not have sub-module named "layers.0.nope"`: {"layers": map[string]any{"0": map[string]any{"nope": repl}}},
		"cannot hold":            {"lm_head": repl}, // *Linear field, not an interface
		"index 5 of a list of 2": {"layers": map[string]any{"5": map[string]any{"proj": repl}}},
	} {
		err := UpdateModules(m, want)
		if err == nil || !strings.Contains(err.Error(), tree) {
			t.Errorf("UpdateModules(%v) = %v, want an error with %q", want, err, tree)
		}
	}
}
