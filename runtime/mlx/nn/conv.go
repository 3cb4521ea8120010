package nn

import "github.com/hf2go/hf2go/runtime/mlx"

// Conv1d is nn.Conv1d: a 1-D convolution over (N, L, C_in) inputs with a
// (C_out, K, C_in / groups) weight and an optional bias. mlx.nn's quantize
// leaves it alone (it has no to_quantized), so it has no quantized form.
type Conv1d struct {
	Weight *mlx.Array `mlx:"weight"`
	Bias   *mlx.Array `mlx:"bias"`

	Stride   int `mlx:"-"`
	Padding  int `mlx:"-"`
	Dilation int `mlx:"-"`
	Groups   int `mlx:"-"`
}

// NewConv1d is nn.Conv1d(in_channels, out_channels, kernel_size, stride,
// padding, dilation, groups, bias). Python draws the weight from a uniform
// distribution; here it is a lazy zeros of the same shape, which loading a
// checkpoint replaces (as for every layer of this package). in_channels not
// divisible by groups is Python's ValueError, an error array here.
func NewConv1d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups int, bias bool) *Conv1d {
	c := &Conv1d{Stride: stride, Padding: padding, Dilation: dilation, Groups: groups}
	if groups <= 0 || inChannels%groups != 0 {
		c.Weight = mlx.Errorf("nn.Conv1d", "the number of input channels (%d) must be divisible by the number of groups (%d)", inChannels, groups)
		return c
	}
	c.Weight = mlx.Zeros(mlx.Float32, outChannels, kernelSize, inChannels/groups)
	if bias {
		c.Bias = mlx.Zeros(mlx.Float32, outChannels)
	}
	return c
}

// Forward is Conv1d.__call__.
func (c *Conv1d) Forward(x *mlx.Array) *mlx.Array {
	y := mlx.Conv1d(x, c.Weight, c.Stride, c.Padding, c.Dilation, c.Groups)
	if c.Bias == nil {
		return y
	}
	defer y.Free()
	return mlx.Add(y, c.Bias)
}
