package py

import (
	"slices"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

func float32s(t *testing.T, a *mlx.Array) []float32 {
	t.Helper()
	v, err := mlx.ToSlice[float32](a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// body is the shape of a generated <name>Body: Go scalars in, arrays out.
func body(x *mlx.Array, k int, s float64, on bool) (*mlx.Array, *mlx.Array) {
	y := mlx.Multiply(x, mlx.Int(k))
	if on {
		y = mlx.Add(y, mlx.Float(s))
	}
	return y, mlx.Exp(x)
}

// TestCompileMultiScalars compares what generated code does for a compiled
// function with a tuple result and scalar parameters (py.CompileMulti,
// mlx.Int/Float/BoolScalar at the call, py.Scalar* in the trace) with the
// uncompiled body, bit for bit on CPU float32, for changing scalar values
// (each must trace again, not replay a stale constant).
func TestCompileMultiScalars(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	c := CompileMulti(2, func(a ...*mlx.Array) []*mlx.Array {
		r0, r1 := body(a[0], ScalarInt(a[1]), ScalarFloat(a[2]), ScalarBool(a[3]))
		return []*mlx.Array{r0, r1}
	}, false)
	x := mlx.Normal([]int{3, 4}, mlx.Float32, 0, 2, mlx.RandomKey(7))
	for _, k := range []struct {
		k  int
		s  float64
		on bool
	}{{2, 0.5, true}, {3, 0.5, true}, {3, 0.25, true}, {3, 0.25, false}, {2, 0.5, true}} {
		r := c(x, mlx.Int(k.k), mlx.Float(k.s), mlx.BoolScalar(k.on))
		w0, w1 := body(x, k.k, k.s, k.on)
		if !slices.Equal(float32s(t, r[0]), float32s(t, w0)) || !slices.Equal(float32s(t, r[1]), float32s(t, w1)) {
			t.Fatalf("k=%v: compiled %v %v, uncompiled %v %v", k, float32s(t, r[0]), float32s(t, r[1]), float32s(t, w0), float32s(t, w1))
		}
	}
}

// TestCompileMultiErrors: a failed compiled call gives one error array per
// result (the caller unpacks them as the tuple), and an array passed where
// the body reads a scalar is a TypeError naming the constant argument.
func TestCompileMultiErrors(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	c := CompileMulti(2, func(a ...*mlx.Array) []*mlx.Array {
		return []*mlx.Array{mlx.Matmul(a[0], a[0]), mlx.Multiply(a[0], mlx.Int(ScalarInt(a[1])))}
	}, true)
	r := c(mlx.Ones(mlx.Float32, 2, 3), mlx.Int(1))
	if len(r) != 2 || r[0].Err() == nil || r[1].Err() == nil || !strings.Contains(r[1].Err().Error(), "matmul") {
		t.Fatalf("failed call: %v", r)
	}
	r = c(mlx.Ones(mlx.Float32, 2, 2), mlx.Ones(mlx.Int32))
	if len(r) != 2 || r[0].Err() == nil || !strings.Contains(r[0].Err().Error(), "constant argument") {
		t.Fatalf("array for a scalar: %v", r)
	}
	wrong := CompileMulti(3, func(a ...*mlx.Array) []*mlx.Array { return []*mlx.Array{a[0]} }, true)
	if r := wrong(mlx.Ones(mlx.Float32, 1)); len(r) != 3 || r[2].Err() == nil {
		t.Fatalf("too few results: %v", r)
	}
}
