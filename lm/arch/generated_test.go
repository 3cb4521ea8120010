package arch_test

import (
	"errors"
	"testing"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/py"
)

type testArgs struct{ N int }
type testModel struct{ n int }

// TestGenerated checks the adapter every generated package registers
// through: the registry builds the model from a config, a Python
// exception raised anywhere in it is an error (not a panic), methods the
// class lacks have the registry's defaults, and only a class with shard()
// is a Sharder.
func TestGenerated(t *testing.T) {
	g := arch.Generated[*testArgs, *testModel]{
		ModelType: "generated_test", File: "m.py", Aliases: []string{"generated_alias"},
		Args: func(c map[string]any) *testArgs {
			n, ok := c["n"].(int)
			if !ok {
				py.Raise("TypeError", "n must be an int")
			}
			return &testArgs{N: n}
		},
		NewModel: func(a *testArgs) *testModel { return &testModel{n: a.N} },
		Forward: func(m *testModel, inputs *mlx.Array, caches []cache.Cache) *mlx.Array {
			py.Raise("ValueError", "forward of %d", m.n)
			return nil
		},
		Layers: func(m *testModel) int { return m.n },
	}
	g.Register()
	a, err := arch.Lookup("generated_alias")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.New(map[string]any{"n": "x"}); err == nil || !errors.As(err, new(*py.Error)) {
		t.Errorf("bad config: %v, want the TypeError", err)
	}
	m, err := a.New(map[string]any{"n": 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Forward(nil, nil); err == nil || err.Error() != "ValueError: forward of 3" {
		t.Errorf("Forward: %v", err)
	}
	w := map[string]*mlx.Array{}
	if out, err := m.Sanitize(w); err != nil || out == nil {
		t.Errorf("Sanitize without sanitize: %v %v", out, err)
	}
	if cs, err := m.MakeCache(); cs != nil || err != nil {
		t.Errorf("MakeCache without make_cache: %v %v", cs, err)
	}
	if m.NumLayers() != 3 {
		t.Errorf("NumLayers %d", m.NumLayers())
	}
	if _, ok := m.(arch.Sharder); ok {
		t.Error("a model without shard() is a Sharder")
	}
}
