// Ported from mlx_lm/models/gpt_oss.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: e0fda5e274515a11300aff93025d9bee1f85d4ec

package switchlayers

import "github.com/hf2go/hf2go/runtime/mlx"

// ClippedSwiglu is gpt_oss.swiglu(x_linear, x_glu, alpha, limit): the
// clamped SwiGLU with the extra +1 on the linear branch (defaults 1.702, 7.0).
// It lives in gpt_oss.py upstream; it is ported here, next to the switch
// layers it is used with, so the generated gpt_oss package can call it.
func ClippedSwiglu(xLinear, xGlu *mlx.Array, alpha, limit float64) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	xGlu = mlx.Clip(xGlu, nil, mlx.Float(limit))
	xLinear = mlx.Clip(xLinear, mlx.Float(-limit), mlx.Float(limit))
	gluScaled := mlx.Multiply(mlx.Float(alpha), xGlu)
	sig := mlx.Sigmoid(gluScaled)
	outGlu := mlx.Multiply(xGlu, sig)
	out := mlx.Multiply(outGlu, mlx.Add(xLinear, mlx.Int(1)))
	s.Keep(out)
	return out
}

// GptOssSwiGLU is gpt_oss.SwiGLU: __call__(x, gate) = swiglu(x, gate), with
// x the linear branch and gate the GLU branch.
type GptOssSwiGLU struct{}

func (GptOssSwiGLU) Forward(x, gate *mlx.Array) *mlx.Array { return ClippedSwiglu(x, gate, 1.702, 7.0) }
