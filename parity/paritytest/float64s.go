package paritytest

import "github.com/hf2go/hf2go/runtime/mlx"

// AsFloat64s reads an array's values widened to float64, as
// mlx.ToSlice[float64](mlx.Astype(a, mlx.Float64)) does on the CPU. MLX's
// CUDA backend has no float64 ("float64 is not supported on the GPU"), so on
// the GPU the cast goes to a dtype it has that holds every value exactly
// (float32 for float16/bfloat16/float32, int64 for integers and booleans) and
// the widening to float64 happens in Go. The values compared are the same.
func AsFloat64s(a *mlx.Array) ([]float64, error) {
	if !mlx.OnGPU() || a.Dtype() == mlx.Float64 {
		return mlx.ToSlice[float64](mlx.Astype(a, mlx.Float64))
	}
	out := make([]float64, 0, a.Size())
	if a.Dtype().IsFloating() {
		v, err := mlx.ToSlice[float32](mlx.Astype(a, mlx.Float32))
		if err != nil {
			return nil, err
		}
		for _, x := range v {
			out = append(out, float64(x))
		}
		return out, nil
	}
	v, err := mlx.ToSlice[int64](mlx.Astype(a, mlx.Int64))
	if err != nil {
		return nil, err
	}
	for _, x := range v {
		out = append(out, float64(x))
	}
	return out, nil
}
