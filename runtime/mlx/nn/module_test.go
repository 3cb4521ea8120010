package nn_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// fullWeights returns a new array of the right shape for every parameter of m.
func fullWeights(m any) map[string]*mlx.Array {
	w := map[string]*mlx.Array{}
	for name, p := range nn.Parameters(m) {
		w[name] = mlx.Ones(mlx.Float32, p.Shape()...)
	}
	return w
}

// TestUpdateStrict checks that nn.Update reports every missing parameter,
// unexpected weight and shape mismatch by name, all at once, and leaves the
// module untouched when it reports anything; and that a correct update
// replaces every parameter.
func TestUpdateStrict(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	m := newModel(16, 8, 12, 2)
	before := nn.Parameters(m)

	w := fullWeights(m)
	delete(w, "layers.1.mlp.up_proj.weight")
	delete(w, "norm.weight")
	w["layers.2.o_proj.weight"] = mlx.Ones(mlx.Float32, 8, 8)
	w["lm_head.bias"] = mlx.Ones(mlx.Float32, 16)
	w["layers.0.o_proj.weight"] = mlx.Ones(mlx.Float32, 8, 9)
	w["embed_tokens.weight"] = mlx.Ones(mlx.Float32, 17, 8)

	err := nn.Update(m, w)
	var ue *nn.UpdateError
	if !errors.As(err, &ue) {
		t.Fatalf("want *nn.UpdateError, got %v", err)
	}
	if want := []string{"layers.1.mlp.up_proj.weight", "norm.weight"}; !reflect.DeepEqual(ue.Missing, want) {
		t.Errorf("Missing = %v, want %v", ue.Missing, want)
	}
	if want := []string{"layers.2.o_proj.weight", "lm_head.bias"}; !reflect.DeepEqual(ue.Unexpected, want) {
		t.Errorf("Unexpected = %v, want %v", ue.Unexpected, want)
	}
	if len(ue.Mismatched) != 2 ||
		!strings.HasPrefix(ue.Mismatched[0], "embed_tokens.weight: module has [16 8], weights have [17 8]") ||
		!strings.HasPrefix(ue.Mismatched[1], "layers.0.o_proj.weight: module has [8 8], weights have [8 9]") {
		t.Errorf("Mismatched = %q", ue.Mismatched)
	}
	for _, name := range []string{"layers.1.mlp.up_proj.weight", "norm.weight", "layers.2.o_proj.weight",
		"lm_head.bias", "layers.0.o_proj.weight", "embed_tokens.weight"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error message does not name %s: %v", name, err)
		}
	}
	after := nn.Parameters(m)
	if len(after) != len(before) {
		t.Fatalf("failed update changed the parameter count: %d -> %d", len(before), len(after))
	}
	for name, p := range before {
		if after[name] != p {
			t.Errorf("failed update replaced %s", name)
		}
		if !p.Valid() {
			t.Errorf("failed update freed %s", name)
		}
	}

	// One problem alone is also an error.
	w = fullWeights(m)
	w["layers.0.mlp.gate_proj.weight"] = mlx.Ones(mlx.Float32, 12)
	if err := nn.Update(m, w); !errors.As(err, &ue) || len(ue.Mismatched) != 1 || len(ue.Missing)+len(ue.Unexpected) != 0 {
		t.Errorf("a single shape mismatch: got %v", err)
	}
	if nn.Parameters(m)["layers.0.mlp.gate_proj.weight"] != before["layers.0.mlp.gate_proj.weight"] {
		t.Error("failed update replaced layers.0.mlp.gate_proj.weight")
	}

	// A weight carrying an error is refused, naming it.
	w = fullWeights(m)
	w["norm.weight"] = mlx.Errorf("load", "broken")
	if err := nn.Update(m, w); err == nil || !strings.Contains(err.Error(), "norm.weight") {
		t.Errorf("an error weight: got %v", err)
	}

	// A complete update replaces everything and frees what it replaced.
	w = fullWeights(m)
	if err := nn.Update(m, w); err != nil {
		t.Fatal(err)
	}
	after = nn.Parameters(m)
	for name, p := range after {
		if p != w[name] {
			t.Errorf("%s not replaced", name)
		}
		if before[name].Valid() {
			t.Errorf("old %s not freed", name)
		}
	}
}

// TestQuantizeNeedsInterfaceField checks that Quantize reports, by path, a
// layer whose field cannot hold the quantized type instead of skipping it.
func TestQuantizeNeedsInterfaceField(t *testing.T) {
	type concrete struct {
		Proj  *nn.Linear
		Other nn.LinearLayer
	}
	m := &concrete{Proj: nn.NewLinear(64, 8, false), Other: nn.NewLinear(64, 8, false)}
	err := nn.Quantize(m, func(string, any) *nn.QuantParams { return &nn.QuantParams{GroupSize: 64, Bits: 4} })
	if err == nil || !strings.Contains(err.Error(), "proj: field of type *nn.Linear cannot hold") {
		t.Errorf("Quantize choosing a *nn.Linear field: want an error naming proj, got %v", err)
	}
	if _, ok := m.Other.(*nn.QuantizedLinear); !ok {
		t.Errorf("Other is %T, want *nn.QuantizedLinear (the error must not stop the rest)", m.Other)
	}
}

// TestSnakeCase checks the Go field name -> Python attribute name rule.
func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"GateProj": "gate_proj", "QProj": "q_proj", "LayerNorm1": "layer_norm1", "EmbedTokens": "embed_tokens",
		"LmHead": "lm_head", "Weight": "weight", "MLP": "mlp", "KVProj": "kv_proj",
	} {
		if got := nn.SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
