// Ported from mlx_lm/models/mla.py
// Upstream: mlx-lm 0.32.2
// Blob: c3fda51ef23afcbe2781bd3c1be3aac2b53cb8f2

// Package mla is a hand port of mlx-lm's mla.py (new in 0.32): the
// per-head linear layers of multi-head latent attention (DeepSeek-V3,
// GLM-4-MoE-Lite, Kimi, …), which absorb kv_b_proj into the attention:
// MultiLinear holds one (output_dims, input_dims) matrix per head, and has a
// quantized counterpart, like switch_layers.SwitchLinear.
//
// Modules follow runtime/mlx/nn: parameters are exported *mlx.Array fields
// tagged with mlx's names, Forward is __call__, ToQuantized is to_quantized.
package mla

import (
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Layer is a MultiLinear or a QuantizedMultiLinear: what a model's field
// holds, so that quantizing a checkpoint can swap one for the other.
type Layer interface {
	// Forward is __call__(x, transpose): x @ weight.T per head (transpose
	// true, Python's default) or x @ weight.
	Forward(x *mlx.Array, transpose bool) *mlx.Array
}

// MultiLinear is mla.MultiLinear: weight (num_heads, output_dims, input_dims).
type MultiLinear struct {
	Weight *mlx.Array `mlx:"weight"`
}

// NewMultiLinear declares the weight as lazy zeros (nn's convention: loading
// a checkpoint replaces it; Python draws uniform random values).
func NewMultiLinear(inputDims, outputDims, numHeads int) *MultiLinear {
	return &MultiLinear{Weight: mlx.Zeros(mlx.Float32, numHeads, outputDims, inputDims)}
}

// Forward is MultiLinear.__call__(x, transpose).
func (l *MultiLinear) Forward(x *mlx.Array, transpose bool) *mlx.Array {
	if !transpose {
		return mlx.Matmul(x, l.Weight)
	}
	wt := mlx.Swapaxes(l.Weight, -1, -2)
	defer wt.Free()
	return mlx.Matmul(x, wt)
}

// ToQuantized is MultiLinear.to_quantized(group_size, bits, mode): the
// current weight quantized (one matrix per head, as mx.quantize does over
// the leading axes).
func (l *MultiLinear) ToQuantized(q nn.QuantParams) (any, error) {
	if q.Mode == "" {
		q.Mode = "affine"
	}
	qw, err := mlx.Quantize(l.Weight, q.GroupSize, q.Bits, q.Mode)
	if err != nil {
		return nil, err
	}
	return &QuantizedMultiLinear{Weight: qw.Weight, Scales: qw.Scales, Biases: qw.Biases,
		GroupSize: q.GroupSize, Bits: q.Bits, Mode: q.Mode}, nil
}

// QuantizedMultiLinear is mla.QuantizedMultiLinear.
type QuantizedMultiLinear struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"` // nil for modes without biases

	GroupSize int    `mlx:"-"`
	Bits      int    `mlx:"-"`
	Mode      string `mlx:"-"`
}

// Forward is QuantizedMultiLinear.__call__(x, transpose).
func (l *QuantizedMultiLinear) Forward(x *mlx.Array, transpose bool) *mlx.Array {
	return mlx.QuantizedMatmul(x, l.Weight, l.Scales, l.Biases, transpose, l.GroupSize, l.Bits, l.Mode)
}
