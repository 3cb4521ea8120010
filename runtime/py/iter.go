package py

import (
	"reflect"
	"sort"

	mlx "github.com/hf2go/hf2go/runtime/mlx"
)

// Iteration over values whose element type the translator does not know
// statically: an mx.array (its rows), a value of no static type (what
// tolist() or a config gives), and tolist() itself.

// Rows is iteration over an array, as mlx's __iter__ does it: a[0], a[1],
// ... along the first axis; a 0-d array is not iterable.
func Rows(a *mlx.Array) []*mlx.Array {
	if a.Ndim() == 0 {
		Raise("TypeError", "iteration over a 0-d array")
	}
	n := a.Dim(0)
	out := make([]*mlx.Array, n)
	for i := range n {
		out[i] = a.Index(i)
	}
	return out
}

// Iter is iteration over a value of no static type: a list's elements, a
// str's characters, a dict's keys (sorted: a Go map has lost the insertion
// order, and the translator iterates typed dicts in key order too); any
// other value is not iterable (TypeError, as in Python).
func Iter(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).Interface()
		}
		return out
	}
	Raise("TypeError", "'%s' object is not iterable", pyTypeName(v))
	return nil
}

// ToList is x.tolist(): nested lists ([]any) with one level per axis, of
// Python ints for integer arrays, floats for floating ones (each element's
// exact value as a double, as mlx converts it) and bools for bool arrays; a
// 0-d array gives the scalar itself.
func ToList(a *mlx.Array) any {
	d := a.Dtype()
	var flat []any
	switch {
	case d == mlx.Bool:
		v, err := mlx.ToSlice[bool](a)
		check(err)
		flat = boxed(v)
	case d == mlx.Uint64:
		v, err := mlx.ToSlice[uint64](a)
		check(err)
		flat = make([]any, len(v))
		for i, x := range v {
			flat[i] = int(x)
		}
	case d.IsInteger():
		v, err := mlx.ToSlice[int64](a.Astype(mlx.Int64))
		check(err)
		flat = make([]any, len(v))
		for i, x := range v {
			flat[i] = int(x)
		}
	case d == mlx.Float64:
		v, err := mlx.ToSlice[float64](a)
		check(err)
		flat = boxed(v)
	case d.IsFloating():
		// float16 and bfloat16 widen to float32 exactly.
		v, err := mlx.ToSlice[float32](a.Astype(mlx.Float32))
		check(err)
		flat = make([]any, len(v))
		for i, x := range v {
			flat[i] = float64(x)
		}
	default:
		Raise("TypeError", "tolist of a %s array is not supported", d)
	}
	shape := a.Shape()
	if len(shape) == 0 {
		return flat[0]
	}
	var nest func(dims []int, xs []any) []any
	nest = func(dims []int, xs []any) []any {
		if len(dims) == 1 {
			return xs
		}
		n, step := dims[0], len(xs)/max(dims[0], 1)
		out := make([]any, n)
		for i := range n {
			out[i] = nest(dims[1:], xs[i*step:(i+1)*step])
		}
		return out
	}
	return nest(shape, flat)
}

func boxed[T any](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

func check(err error) {
	if err != nil {
		Raise("ValueError", "%v", err)
	}
}

// Pair unpacks a tuple of two elements of different types (held as []any)
// into its elements: `a, b = pair`, with Python's length check.
func Pair[A, B any](v any) (A, B) {
	xs, ok := v.([]any)
	if !ok {
		Raise("TypeError", "cannot unpack non-iterable %s object", pyTypeName(v))
	}
	need(len(xs), 2)
	a, okA := xs[0].(A)
	b, okB := xs[1].(B)
	if !okA || !okB {
		Raise("TypeError", "pair (%s, %s) is not of the translated types", pyTypeName(xs[0]), pyTypeName(xs[1]))
	}
	return a, b
}

// UpdatePairs is d.update(pairs) for a list of (key, value) tuples: each
// stored in order, a later pair overwriting an earlier one.
func UpdatePairs[K comparable, V any](d map[K]V, pairs []any) {
	for _, p := range pairs {
		k, v := Pair[K, V](p)
		d[k] = v
	}
}

// LinalgNorm is mx.linalg.norm(a, ord=ord, axis=axes, keepdims=keepdims):
// ord None is the default norm (2-norm of a vector, Frobenius of a
// matrix), a number its order (dbrx normalizes router scores with ord=1).
func LinalgNorm(a *mlx.Array, ord any, keepdims bool, axes ...int) *mlx.Array {
	if ord == nil {
		return mlx.Norm(a, keepdims, axes...)
	}
	return mlx.NormOrd(a, Float(ord), keepdims, axes...)
}
