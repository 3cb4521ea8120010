package py

import "github.com/hf2go/hf2go/runtime/mlx"

// Builtins over sequences the translated files use on arrays and lists.

// SumArrays is Python's sum(xs) of arrays: 0 + xs[0] + xs[1] + ..., left
// to right, the start the int 0 (a weak scalar: the sum keeps the arrays'
// dtype, and -0.0 entries become 0.0 as they do in Python). Python's sum of
// no arrays is the int 0, which no use of an array result accepts: an error.
func SumArrays(xs []*mlx.Array) *mlx.Array {
	if len(xs) == 0 {
		Raise("TypeError", "sum() of no arrays is the int 0, where an array is expected")
	}
	acc := mlx.Add(mlx.Int(0), xs[0])
	for _, x := range xs[1:] {
		acc = mlx.Add(acc, x)
	}
	return acc
}

// DependsAll is mx.depends(input, (d1, d2, ...)): input that depends on
// several arrays.
func DependsAll(input *mlx.Array, dependencies []*mlx.Array) *mlx.Array {
	out, err := mlx.Depends([]*mlx.Array{input}, dependencies)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return out[0]
}

// SetAt is xs[i] = v with Python's negative indexing (IndexError out of
// range).
func SetAt[T any](xs []T, i int, v T) {
	j := i
	if j < 0 {
		j += len(xs)
	}
	if j < 0 || j >= len(xs) {
		Raise("IndexError", "list assignment index %d out of range (len %d)", i, len(xs))
	}
	xs[j] = v
}
