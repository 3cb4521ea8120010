package mlx_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

func values(t *testing.T, a *mlx.Array) []float32 {
	t.Helper()
	v, err := mlx.ToSlice[float32](a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// gelu is nn.gelu_approx's formula with Python float literals, the kind of
// element-wise chain mx.compile fuses.
func gelu(a ...*mlx.Array) *mlx.Array {
	x := a[0]
	x3 := mlx.Power(x, mlx.Int(3))
	inner := mlx.Multiply(mlx.Float(math.Sqrt(2/math.Pi)), mlx.Add(x, mlx.Multiply(mlx.Float(0.044715), x3)))
	return mlx.Multiply(mlx.Multiply(mlx.Float(0.5), x), mlx.Add(mlx.Int(1), mlx.Tanh(inner)))
}

// TestCompileMatchesUncompiled: a compiled function gives bit-identical
// results to the same ops run one by one (CPU, float32), for several shapes
// (shapeless: one trace; shaped: one per shape) and for Python-scalar
// arguments (constants of the trace: a new value retraces, never reuses a
// stale one).
func TestCompileMatchesUncompiled(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	for _, shapeless := range []bool{true, false} {
		cg := mlx.Compile(gelu, shapeless)
		scaled := mlx.Compile(func(a ...*mlx.Array) *mlx.Array { return mlx.Multiply(a[0], a[1]) }, shapeless)
		for _, shape := range [][]int{{7}, {3, 5}, {2, 4, 9}} {
			x := mlx.Normal(shape, mlx.Float32, 0, 3, mlx.RandomKey(uint64(len(shape))))
			want, got := values(t, gelu(x)), values(t, cg(x))
			if !slices.Equal(want, got) {
				t.Fatalf("shapeless=%v shape %v: compiled %v, uncompiled %v", shapeless, shape, got, want)
			}
			for _, k := range []float64{2, 0.5, 2} {
				w, g := values(t, mlx.Multiply(x, mlx.Float(k))), values(t, scaled(x, mlx.Float(k)))
				if !slices.Equal(w, g) {
					t.Fatalf("shapeless=%v shape %v, scalar %v: compiled %v, uncompiled %v", shapeless, shape, k, g, w)
				}
			}
		}
	}
}

// TestCompileErrors: a failing op inside the trace, a bad argument and a
// panic all come back as errors, never an abort.
func TestCompileErrors(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	bad := mlx.Compile(func(a ...*mlx.Array) *mlx.Array { return mlx.Matmul(a[0], a[1]) }, false)
	r := bad(mlx.Ones(mlx.Float32, 2, 3), mlx.Ones(mlx.Float32, 2, 3))
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), "matmul") {
		t.Fatalf("shape mismatch in a trace: got %v, want a matmul error", err)
	}
	if err := bad(mlx.Errorf("x", "boom"), mlx.Ones(mlx.Float32, 1)).Err(); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error argument: got %v", err)
	}
	panicky := mlx.Compile(func(a ...*mlx.Array) *mlx.Array { panic("oops") }, true)
	if err := panicky(mlx.Ones(mlx.Float32, 1)).Err(); err == nil || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("panic in a trace: got %v", err)
	}
	multi := mlx.CompileMulti(func(a ...*mlx.Array) []*mlx.Array { return []*mlx.Array{a[0], mlx.Exp(a[0]), a[0]} }, true)
	outs, err := multi(mlx.Zeros(mlx.Float32, 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 3 || !slices.Equal(values(t, outs[1]), []float32{1, 1}) || !slices.Equal(values(t, outs[2]), []float32{0, 0}) {
		t.Fatalf("multi-output compiled function: %v", outs)
	}
}

// TestCompileNoneArgument: a nil argument (Python's None for an Optional
// array, _gated_delta_step_ops(..., mask=None)) is a constant of the trace
// as in Python: the body sees nil, and the same function called with an
// array there traces again rather than reusing the None trace.
func TestCompileNoneArgument(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	masked := func(a ...*mlx.Array) *mlx.Array {
		if a[1] == nil {
			return mlx.Exp(a[0])
		}
		return mlx.Multiply(mlx.Exp(a[0]), a[1])
	}
	c := mlx.Compile(masked, true)
	x := mlx.Normal([]int{2, 3}, mlx.Float32, 0, 1, mlx.RandomKey(7))
	m := mlx.Full(mlx.Float(0.5), mlx.Float32, 2, 3)
	for _, arg := range []*mlx.Array{nil, m, nil} {
		want, got := values(t, masked(x, arg)), values(t, c(x, arg))
		if !slices.Equal(want, got) {
			t.Fatalf("mask %v: compiled %v, uncompiled %v", arg != nil, got, want)
		}
	}
}
