// Ported from mlx_lm/models/activations.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 7507899022fbeef6c1805dadad78b39c1033069a

package base

import (
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Swiglu is activations.swiglu(gate, x) = nn.silu(gate) * x, compiled with
// shapeless=True as in Python (nn.Swiglu is that compiled function).
func Swiglu(gate, x *mlx.Array) *mlx.Array { return nn.Swiglu(gate, x) }
