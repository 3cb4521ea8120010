package nn_test

import "github.com/hf2go/hf2go/runtime/mlx"

// asFloat64s is mlx.ToSlice[float64](a.Astype(mlx.Float64)) for floating
// arrays, also on the GPU: MLX's CUDA backend has no float64, so there the
// cast goes to float32 (exact for float16, bfloat16 and float32) and Go
// widens the values.
func asFloat64s(a *mlx.Array) ([]float64, error) {
	if !mlx.OnGPU() || a.Dtype() == mlx.Float64 {
		return mlx.ToSlice[float64](a.Astype(mlx.Float64))
	}
	v, err := mlx.ToSlice[float32](a.Astype(mlx.Float32))
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out, nil
}
