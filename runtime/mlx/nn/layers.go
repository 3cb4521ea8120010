package nn

import (
	"fmt"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// Layers of mlx.nn, each computing exactly what its Python __call__ does
// (same ops, same order, so results agree to the last bit).
//
// Constructors declare parameters as lazy zeros of the right shape: they cost
// no memory until evaluated, and loading a checkpoint replaces them.

// LinearLayer is what a model's projection field holds: a Linear, or the
// QuantizedLinear that quantization puts in its place.
type LinearLayer interface {
	Forward(x *mlx.Array) *mlx.Array
}

// Linear is nn.Linear: y = x W^T + b.
type Linear struct {
	Weight *mlx.Array `mlx:"weight"`
	Bias   *mlx.Array `mlx:"bias"`

	weightT WeightT // Weight.T(), made once (see WeightT)
}

// NewLinear is nn.Linear(input_dims, output_dims, bias=bias).
func NewLinear(inputDims, outputDims int, bias bool) *Linear {
	l := &Linear{Weight: mlx.Zeros(mlx.Float32, outputDims, inputDims)}
	if bias {
		l.Bias = mlx.Zeros(mlx.Float32, outputDims)
	}
	return l
}

// Forward is Linear.__call__.
func (l *Linear) Forward(x *mlx.Array) *mlx.Array {
	wt, owned := l.weightT.T(l.Weight)
	if owned {
		defer wt.Free()
	}
	if l.Bias != nil {
		return mlx.Addmm(l.Bias, x, wt, 1, 1)
	}
	return mlx.Matmul(x, wt)
}

// ToQuantized is Linear.to_quantized (QuantizedLinear.from_linear).
func (l *Linear) ToQuantized(q QuantParams) (any, error) {
	return NewQuantizedLinearFrom(l.Weight, l.Bias, q)
}

// QuantizedLinear is nn.QuantizedLinear.
type QuantizedLinear struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"`
	Bias   *mlx.Array `mlx:"bias"`

	GroupSize int    `mlx:"-"`
	Bits      int    `mlx:"-"`
	Mode      string `mlx:"-"`
}

// NewQuantizedLinearFrom quantizes a weight matrix (and keeps the bias).
func NewQuantizedLinearFrom(weight, bias *mlx.Array, q QuantParams) (*QuantizedLinear, error) {
	if q.Mode == "" {
		q.Mode = "affine"
	}
	qw, err := mlx.Quantize(weight, q.GroupSize, q.Bits, q.Mode)
	if err != nil {
		return nil, err
	}
	return &QuantizedLinear{Weight: qw.Weight, Scales: qw.Scales, Biases: qw.Biases, Bias: bias,
		GroupSize: q.GroupSize, Bits: q.Bits, Mode: q.Mode}, nil
}

// Forward is QuantizedLinear.__call__.
func (l *QuantizedLinear) Forward(x *mlx.Array) *mlx.Array {
	y := mlx.QuantizedMatmul(x, l.Weight, l.Scales, l.Biases, true, l.GroupSize, l.Bits, l.Mode)
	if l.Bias != nil {
		defer y.Free()
		return mlx.Add(y, l.Bias)
	}
	return y
}

// EmbeddingLayer is what a model's embedding field holds.
type EmbeddingLayer interface {
	Forward(ids *mlx.Array) *mlx.Array
	AsLinear(x *mlx.Array) *mlx.Array
}

// Embedding is nn.Embedding.
type Embedding struct {
	Weight *mlx.Array `mlx:"weight"`

	weightT WeightT // Weight.T() for AsLinear, made once (see WeightT)
}

// NewEmbedding is nn.Embedding(num_embeddings, dims).
func NewEmbedding(numEmbeddings, dims int) *Embedding {
	return &Embedding{Weight: mlx.Zeros(mlx.Float32, numEmbeddings, dims)}
}

// Forward is Embedding.__call__: self.weight[x].
func (e *Embedding) Forward(ids *mlx.Array) *mlx.Array { return e.Weight.Index(ids) }

// AsLinear is Embedding.as_linear: x @ self.weight.T (tied output head).
func (e *Embedding) AsLinear(x *mlx.Array) *mlx.Array {
	wt, owned := e.weightT.T(e.Weight)
	if owned {
		defer wt.Free()
	}
	return mlx.Matmul(x, wt)
}

// ToQuantized is Embedding.to_quantized.
func (e *Embedding) ToQuantized(q QuantParams) (any, error) {
	if q.Mode == "" {
		q.Mode = "affine"
	}
	qw, err := mlx.Quantize(e.Weight, q.GroupSize, q.Bits, q.Mode)
	if err != nil {
		return nil, err
	}
	return &QuantizedEmbedding{Weight: qw.Weight, Scales: qw.Scales, Biases: qw.Biases,
		GroupSize: q.GroupSize, Bits: q.Bits, Mode: q.Mode}, nil
}

// QuantizedEmbedding is nn.QuantizedEmbedding.
type QuantizedEmbedding struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"`

	GroupSize int    `mlx:"-"`
	Bits      int    `mlx:"-"`
	Mode      string `mlx:"-"`
}

// Forward is QuantizedEmbedding.__call__: dequantize the selected rows.
func (e *QuantizedEmbedding) Forward(ids *mlx.Array) *mlx.Array {
	w := e.Weight.Index(ids)
	s := e.Scales.Index(ids)
	defer w.Free()
	defer s.Free()
	var b *mlx.Array
	if e.Biases != nil {
		b = e.Biases.Index(ids)
		defer b.Free()
	}
	return mlx.Dequantize(w, s, b, e.GroupSize, e.Bits, e.Mode, -1)
}

// AsLinear is QuantizedEmbedding.as_linear.
func (e *QuantizedEmbedding) AsLinear(x *mlx.Array) *mlx.Array {
	return mlx.QuantizedMatmul(x, e.Weight, e.Scales, e.Biases, true, e.GroupSize, e.Bits, e.Mode)
}

// RMSNorm is nn.RMSNorm.
type RMSNorm struct {
	Weight *mlx.Array `mlx:"weight"`
	Eps    float32    `mlx:"-"`
}

// NewRMSNorm is nn.RMSNorm(dims, eps).
func NewRMSNorm(dims int, eps float32) *RMSNorm {
	return &RMSNorm{Weight: mlx.Ones(mlx.Float32, dims), Eps: eps}
}

// Forward is RMSNorm.__call__.
func (n *RMSNorm) Forward(x *mlx.Array) *mlx.Array { return mlx.RMSNorm(x, n.Weight, n.Eps) }

// LayerNorm is nn.LayerNorm.
type LayerNorm struct {
	Weight *mlx.Array `mlx:"weight"`
	Bias   *mlx.Array `mlx:"bias"`
	Eps    float32    `mlx:"-"`
}

// NewLayerNorm is nn.LayerNorm(dims, eps, affine, bias).
func NewLayerNorm(dims int, eps float32, affine, bias bool) *LayerNorm {
	n := &LayerNorm{Eps: eps}
	if affine {
		n.Weight = mlx.Ones(mlx.Float32, dims)
		if bias {
			n.Bias = mlx.Zeros(mlx.Float32, dims)
		}
	}
	return n
}

// Forward is LayerNorm.__call__.
func (n *LayerNorm) Forward(x *mlx.Array) *mlx.Array {
	return mlx.LayerNorm(x, n.Weight, n.Bias, n.Eps)
}

// RoPE is nn.RoPE.
type RoPE struct {
	Dims        int     `mlx:"-"`
	Traditional bool    `mlx:"-"`
	Base        float32 `mlx:"-"`
	Scale       float32 `mlx:"-"`
}

// NewRoPE is nn.RoPE(dims, traditional, base, scale).
func NewRoPE(dims int, traditional bool, base, scale float32) *RoPE {
	return &RoPE{Dims: dims, Traditional: traditional, Base: base, Scale: scale}
}

// Forward is RoPE.__call__(x, offset) with an integer offset.
func (r *RoPE) Forward(x *mlx.Array, offset int) *mlx.Array {
	return mlx.Rope(x, mlx.RopeOpts{Dims: r.Dims, Traditional: r.Traditional, Base: r.Base, Scale: r.Scale}, offset)
}

// ForwardArray is RoPE.__call__(x, offset) with an array offset.
func (r *RoPE) ForwardArray(x *mlx.Array, offset *mlx.Array) *mlx.Array {
	return mlx.RopeArrayOffset(x, mlx.RopeOpts{Dims: r.Dims, Traditional: r.Traditional, Base: r.Base, Scale: r.Scale}, offset)
}

// String describes a quantized layer like mlx's repr does.
func (l *QuantizedLinear) String() string {
	return fmt.Sprintf("QuantizedLinear(group_size=%d, bits=%d, mode=%s)", l.GroupSize, l.Bits, l.Mode)
}
