// Ported from mlx_lm/models/activations.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 7507899022fbeef6c1805dadad78b39c1033069a

package base

import (
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Swiglu is activations.swiglu(gate, x) = nn.silu(gate) * x. Python wraps it
// in mx.compile(shapeless=True); the port runs the same ops uncompiled, which
// may differ from the fused kernel in the last bit of float32.
func Swiglu(gate, x *mlx.Array) *mlx.Array {
	s := nn.Silu(gate)
	defer s.Free()
	return mlx.Multiply(s, x)
}
