package py

import (
	"fmt"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// How generated code runs a function mlx-lm decorates with @mx.compile or
// @partial(mx.compile, shapeless=True): the Python body is a Go function
// (fooBody); a package-level fooCompiled = mlx.Compile(...) traces it; foo,
// with the Python signature, calls fooCompiled. Python's compile takes
// non-array arguments (ints, floats, bools) as constants of the trace, and
// traces again for a new value; so does mlx.Compile with mlx.Int, mlx.Float
// and mlx.BoolScalar arguments, which the trace hands back to the body as
// the Go values ScalarInt, ScalarFloat and ScalarBool read.

// CompileMulti is mlx.CompileMulti for a function with n results, in the
// sticky-error convention of a single op: a call that fails gives n arrays
// carrying the error, so that the caller can unpack the results as it
// unpacks the Python tuple.
func CompileMulti(n int, fn func(...*mlx.Array) []*mlx.Array, shapeless bool) func(...*mlx.Array) []*mlx.Array {
	c := mlx.CompileMulti(fn, shapeless)
	return func(args ...*mlx.Array) []*mlx.Array {
		out, err := c(args...)
		if err == nil && len(out) != n {
			err = fmt.Errorf("compiled function returned %d results, want %d", len(out), n)
		}
		if err != nil {
			out = make([]*mlx.Array, n)
			for i := range out {
				out[i] = mlx.Errorf("compile", "%v", err)
			}
		}
		return out
	}
}

// ScalarInt is the value of an int argument (mlx.Int) inside a compiled
// function's trace.
func ScalarInt(a *mlx.Array) int { return int(scalar(a)) }

// ScalarFloat is the value of a float argument (mlx.Float) inside a
// compiled function's trace.
func ScalarFloat(a *mlx.Array) float64 { return scalar(a) }

// ScalarBool is the value of a bool argument (mlx.BoolScalar) inside a
// compiled function's trace.
func ScalarBool(a *mlx.Array) bool { return scalar(a) != 0 }

// scalar reads a Python-scalar argument of a trace (Item of a Python
// scalar is its value; of a traced array, an error, as MLX cannot evaluate
// inside a trace). Only the generator's own wrappers pass these, so an
// error is a translator bug: it panics, and the trace turns the panic into
// the compiled call's error.
func scalar(a *mlx.Array) float64 {
	v, err := a.Item()
	if err != nil {
		panic(&Error{Kind: "TypeError", Msg: "a constant argument of a compiled function is an array: " + err.Error()})
	}
	return v
}
