package nn_test

import (
	"fmt"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

type heads struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"` // nil: not a parameter
}

// TestApply: Module.apply(fn) replaces every parameter (not absent ones)
// by fn's result, whatever its shape (mlx-lm's shard() slices heads so),
// and an error from fn leaves the module as it was.
func TestApply(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	m := &heads{Weight: mlx.Ones(mlx.Float32, 4, 3, 2), Scales: mlx.Ones(mlx.Float32, 4, 3)}
	calls := 0
	err := nn.Apply(m, func(w *mlx.Array) *mlx.Array {
		calls++
		return w.Index(mlx.Slice(1, 3, 1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || fmt.Sprint(m.Weight.Shape()) != "[2 3 2]" || fmt.Sprint(m.Scales.Shape()) != "[2 3]" || m.Biases != nil {
		t.Fatalf("after apply: %d calls, weight %v, scales %v, biases %v", calls, m.Weight.Shape(), m.Scales.Shape(), m.Biases)
	}
	before := m.Weight
	err = nn.Apply(m, func(w *mlx.Array) *mlx.Array { return mlx.Matmul(w, w) })
	if err == nil || m.Weight != before {
		t.Fatalf("a failing fn: err %v, weight replaced: %v", err, m.Weight != before)
	}
}
