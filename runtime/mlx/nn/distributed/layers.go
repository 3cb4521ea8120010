package distributed

import (
	"fmt"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Constructors declare parameters as lazy zeros of their sharded shape, as
// nn's constructors do (Python draws random uniform values that loading or
// from_linear replaces at once); the From constructors shard a layer's
// current weights.

// AllToShardedLinear is nn.AllToShardedLinear: each rank computes its slice
// of the output features from the common input; the result is sharded.
type AllToShardedLinear struct {
	Weight *mlx.Array `mlx:"weight"` // [output_dims/N, input_dims]
	Bias   *mlx.Array `mlx:"bias"`   // [output_dims/N] or nil

	Group *mlx.Group `mlx:"-"`

	weightT nn.WeightT // Weight.T(), made once (see nn.WeightT)
}

// ShardedToAllLinear is nn.ShardedToAllLinear: each rank multiplies its slice
// of the input features, all_sum adds the partial results, and every rank
// gets the whole output.
type ShardedToAllLinear struct {
	Weight *mlx.Array `mlx:"weight"` // [output_dims, input_dims/N]
	Bias   *mlx.Array `mlx:"bias"`   // [output_dims] (whole) or nil

	Group *mlx.Group `mlx:"-"`

	weightT nn.WeightT // Weight.T(), made once (see nn.WeightT)
}

// QuantizedAllToShardedLinear is nn.QuantizedAllToShardedLinear, the
// quantized AllToShardedLinear.
type QuantizedAllToShardedLinear struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"`
	Bias   *mlx.Array `mlx:"bias"`

	GroupSize int        `mlx:"-"`
	Bits      int        `mlx:"-"`
	Mode      string     `mlx:"-"`
	Group     *mlx.Group `mlx:"-"`
}

// QuantizedShardedToAllLinear is nn.QuantizedShardedToAllLinear, the
// quantized ShardedToAllLinear.
type QuantizedShardedToAllLinear struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"`
	Bias   *mlx.Array `mlx:"bias"`

	GroupSize int        `mlx:"-"`
	Bits      int        `mlx:"-"`
	Mode      string     `mlx:"-"`
	Group     *mlx.Group `mlx:"-"`
}

// NewAllToShardedLinear is AllToShardedLinear(input_dims, output_dims, bias,
// group).
func NewAllToShardedLinear(inputDims, outputDims int, bias bool, group *mlx.Group) (*AllToShardedLinear, error) {
	g, err := defaultGroup(group)
	if err != nil {
		return nil, err
	}
	n := g.Size()
	if outputDims%n != 0 {
		return nil, fmt.Errorf("Cannot shard the output of size %d across %d devices.", outputDims, n)
	}
	l := &AllToShardedLinear{Weight: mlx.Zeros(mlx.Float32, outputDims/n, inputDims), Group: g}
	if bias {
		l.Bias = mlx.Zeros(mlx.Float32, outputDims/n)
	}
	return l, nil
}

// NewShardedToAllLinear is ShardedToAllLinear(input_dims, output_dims, bias,
// group).
func NewShardedToAllLinear(inputDims, outputDims int, bias bool, group *mlx.Group) (*ShardedToAllLinear, error) {
	g, err := defaultGroup(group)
	if err != nil {
		return nil, err
	}
	n := g.Size()
	if inputDims%n != 0 {
		return nil, fmt.Errorf("The input of size %d cannot be sharded across %d devices.", inputDims, n)
	}
	l := &ShardedToAllLinear{Weight: mlx.Zeros(mlx.Float32, outputDims, inputDims/n), Group: g}
	if bias {
		l.Bias = mlx.Zeros(mlx.Float32, outputDims)
	}
	return l, nil
}

// AllToShardedLinearFromLinear is AllToShardedLinear.from_linear(layer,
// segments=segs, group=group). The layer is not changed.
func AllToShardedLinearFromLinear(layer *nn.Linear, segs Segments, group *mlx.Group) (*AllToShardedLinear, error) {
	g, err := defaultGroup(group)
	if err != nil {
		return nil, err
	}
	if err := layer.Weight.Err(); err != nil {
		return nil, err
	}
	if out, n := layer.Weight.Dim(0), g.Size(); out%n != 0 {
		return nil, fmt.Errorf("Cannot shard the output of size %d across %d devices.", out, n)
	}
	p, err := shardParams(nn.Parameters(layer), AllToShardedSharding(segs), g)
	if err != nil {
		return nil, err
	}
	return &AllToShardedLinear{Weight: p["weight"], Bias: p["bias"], Group: g}, nil
}

// ShardedToAllLinearFromLinear is ShardedToAllLinear.from_linear(layer,
// segments=segs, group=group). The layer is not changed; the bias is shared
// with it, whole.
func ShardedToAllLinearFromLinear(layer *nn.Linear, segs Segments, group *mlx.Group) (*ShardedToAllLinear, error) {
	g, err := defaultGroup(group)
	if err != nil {
		return nil, err
	}
	if err := layer.Weight.Err(); err != nil {
		return nil, err
	}
	if in, n := layer.Weight.Dim(1), g.Size(); in%n != 0 {
		return nil, fmt.Errorf("The input of size %d cannot be sharded across %d devices.", in, n)
	}
	p, err := shardParams(nn.Parameters(layer), ShardedToAllSharding(segs), g)
	if err != nil {
		return nil, err
	}
	return &ShardedToAllLinear{Weight: p["weight"], Bias: p["bias"], Group: g}, nil
}

// quantizedDims is from_quantized_linear's output_dims, input_dims.
func quantizedDims(l *nn.QuantizedLinear) (out, in int, err error) {
	if err := l.Weight.Err(); err != nil {
		return 0, 0, err
	}
	if l.Bits <= 0 {
		return 0, 0, fmt.Errorf("quantized linear layer with bits=%d", l.Bits)
	}
	return l.Weight.Dim(0), l.Weight.Dim(1) * 32 / l.Bits, nil
}

func modeOf(l *nn.QuantizedLinear) string {
	if l.Mode == "" {
		return "affine" // getattr(quantized_linear_layer, "mode", "affine")
	}
	return l.Mode
}

// QuantizedAllToShardedLinearFromQuantizedLinear is
// QuantizedAllToShardedLinear.from_quantized_linear(layer, segments=segs,
// group=group). The packed weight, scales and biases are split by rows, as
// is the bias.
func QuantizedAllToShardedLinearFromQuantizedLinear(layer *nn.QuantizedLinear, segs Segments, group *mlx.Group) (*QuantizedAllToShardedLinear, error) {
	g, err := defaultGroup(group)
	if err != nil {
		return nil, err
	}
	out, _, err := quantizedDims(layer)
	if err != nil {
		return nil, err
	}
	if n := g.Size(); out%n != 0 {
		return nil, fmt.Errorf("Cannot shard the output of size %d across %d devices.", out, n)
	}
	p, err := shardParams(nn.Parameters(layer), AllToShardedSharding(segs), g)
	if err != nil {
		return nil, err
	}
	return &QuantizedAllToShardedLinear{Weight: p["weight"], Scales: p["scales"], Biases: p["biases"], Bias: p["bias"],
		GroupSize: layer.GroupSize, Bits: layer.Bits, Mode: modeOf(layer), Group: g}, nil
}

// QuantizedShardedToAllLinearFromQuantizedLinear is
// QuantizedShardedToAllLinear.from_quantized_linear(layer, segments=segs,
// group=group). The packed weight, scales and biases are split by columns
// (packed words, quantization groups); the bias stays whole.
func QuantizedShardedToAllLinearFromQuantizedLinear(layer *nn.QuantizedLinear, segs Segments, group *mlx.Group) (*QuantizedShardedToAllLinear, error) {
	g, err := defaultGroup(group)
	if err != nil {
		return nil, err
	}
	_, in, err := quantizedDims(layer)
	if err != nil {
		return nil, err
	}
	n := g.Size()
	if in%n != 0 {
		return nil, fmt.Errorf("The input of size %d cannot be sharded across %d devices.", in, n)
	}
	// Python's constructor quantizes a placeholder of shape [out, in/N], so
	// mx.quantize's rule applies to the shard: in/N must be a multiple of
	// the group size.
	if gs := layer.GroupSize; gs > 0 && (in/n)%gs != 0 {
		return nil, fmt.Errorf("[quantize] The last dimension of the matrix needs to be divisible by the quantization group size %d. However the provided  matrix has shape (%d,%d)", gs, layer.Weight.Dim(0), in/n)
	}
	p, err := shardParams(nn.Parameters(layer), ShardedToAllSharding(segs), g)
	if err != nil {
		return nil, err
	}
	return &QuantizedShardedToAllLinear{Weight: p["weight"], Scales: p["scales"], Biases: p["biases"], Bias: p["bias"],
		GroupSize: layer.GroupSize, Bits: layer.Bits, Mode: modeOf(layer), Group: g}, nil
}

// Forward is AllToShardedLinear.__call__ (sum_gradients is the identity in
// the forward pass).
func (l *AllToShardedLinear) Forward(x *mlx.Array) *mlx.Array {
	wt, owned := l.weightT.T(l.Weight)
	if owned {
		defer wt.Free()
	}
	if l.Bias != nil {
		return mlx.Addmm(l.Bias, x, wt, 1, 1)
	}
	return mlx.Matmul(x, wt)
}

// Forward is ShardedToAllLinear.__call__.
func (l *ShardedToAllLinear) Forward(x *mlx.Array) *mlx.Array {
	wt, owned := l.weightT.T(l.Weight)
	if owned {
		defer wt.Free()
	}
	y := mlx.Matmul(x, wt)
	defer y.Free()
	s := mlx.AllSum(y, l.Group)
	if l.Bias != nil {
		defer s.Free()
		return mlx.Add(s, l.Bias)
	}
	return s
}

// Forward is QuantizedAllToShardedLinear.__call__.
func (l *QuantizedAllToShardedLinear) Forward(x *mlx.Array) *mlx.Array {
	y := mlx.QuantizedMatmul(x, l.Weight, l.Scales, l.Biases, true, l.GroupSize, l.Bits, l.Mode)
	if l.Bias != nil {
		defer y.Free()
		return mlx.Add(y, l.Bias)
	}
	return y
}

// Forward is QuantizedShardedToAllLinear.__call__.
func (l *QuantizedShardedToAllLinear) Forward(x *mlx.Array) *mlx.Array {
	y := mlx.QuantizedMatmul(x, l.Weight, l.Scales, l.Biases, true, l.GroupSize, l.Bits, l.Mode)
	defer y.Free()
	s := mlx.AllSum(y, l.Group)
	if l.Bias != nil {
		defer s.Free()
		return mlx.Add(s, l.Bias)
	}
	return s
}
