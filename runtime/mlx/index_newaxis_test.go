package mlx_test

import (
	"slices"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestNewAxisShapeless checks a[..., None] inside a shapeless mx.compile
// (bailing_moe's aggregate_expert_outputs: (x * s[..., None]).sum(-2)) for
// inputs of several shapes: the new axis is expand_dims, as in MLX's Python
// indexing, so the one trace serves every shape (a reshape to the traced
// shape failed the second call: "Cannot reshape array of size 2 into shape
// (1,12,2,1)"). Values are compared with the uncompiled function.
func TestNewAxisShapeless(t *testing.T) {
	body := func(a ...*mlx.Array) *mlx.Array {
		return mlx.Multiply(a[0], a[1].Index(mlx.Ellipsis, mlx.NewAxis)).Sum(false, -2)
	}
	compiled := mlx.Compile(body, true)
	for _, sh := range [][]int{{1, 12, 2, 8}, {1, 1, 2, 8}, {2, 5, 3, 4}} {
		n := 1
		for _, d := range sh {
			n *= d
		}
		x := mlx.Reshape(mlx.Arange(0, float64(n), 1, mlx.Float32), sh...)
		s := mlx.Ones(mlx.Float32, sh[:3]...)
		got, want := compiled(x, s), body(x, s)
		if err := mlx.Eval(got, want); err != nil {
			t.Fatalf("shape %v: %v", sh, err)
		}
		if !slices.Equal(got.Shape(), want.Shape()) || !slices.Equal(values(t, got), values(t, want)) {
			t.Fatalf("shape %v: compiled %v %v, uncompiled %v %v", sh, got.Shape(), values(t, got), want.Shape(), values(t, want))
		}
	}
	// a[None, :, None] keeps its meaning: shape (1, n, 1).
	a := mlx.Ones(mlx.Float32, 3).Index(mlx.NewAxis, mlx.Colon, mlx.NewAxis)
	if !slices.Equal(a.Shape(), []int{1, 3, 1}) {
		t.Fatalf("a[None, :, None]: shape %v", a.Shape())
	}
}
