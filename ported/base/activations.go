// Ported from mlx_lm/models/activations.py
// Upstream: mlx-lm 0.32.2
// Blob: 76a2d2395d6f81eec21f03a09c87de6507d1f2c7

package base

import (
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Python wraps each function of activations.py in mx.compile(shapeless=True);
// Swiglu runs compiled (nn.Swiglu); the others run the same ops uncompiled. On
// the CPU the fused kernel gives the same bits (measured: max |Δ| = 0 for each
// function, and the parity test checks it).

// Swiglu is activations.swiglu(gate, x) = nn.silu(gate) * x, compiled with
// shapeless=True as in Python (nn.Swiglu is that compiled function).
func Swiglu(gate, x *mlx.Array) *mlx.Array { return nn.Swiglu(gate, x) }

// PreciseSwiglu is activations.precise_swiglu(h, gate, x): SwiGLU computed in
// float32 and cast back to h's dtype (h only supplies the dtype).
func PreciseSwiglu(h, gate, x *mlx.Array) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	g := nn.Silu(mlx.Astype(gate, mlx.Float32))
	x32 := mlx.Astype(x, mlx.Float32)
	out := mlx.Astype(mlx.Multiply(g, x32), h.Dtype())
	s.Keep(out)
	return out
}

// SwigluOAIFn is activations.swiglu_oai(gate, x, alpha, limit), GPT-OSS's
// variant: the gate clipped from above only, 1 added to the linear part.
// Python's defaults are alpha 1.702, limit 7.0.
func SwigluOAIFn(gate, x *mlx.Array, alpha, limit float64) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	gate = mlx.Minimum(gate, mlx.Float(limit))
	x = mlx.Clip(x, mlx.Float(-limit), mlx.Float(limit))
	out := mlx.Multiply(mlx.Add(x, mlx.Float(1.0)), mlx.Multiply(gate, mlx.Sigmoid(mlx.Multiply(mlx.Float(alpha), gate))))
	s.Keep(out)
	return out
}

// SwigluOAI is activations.SwigluOAI: a module without parameters whose
// __call__(x, gate) is swiglu_oai(gate, x, alpha, limit). Its Forward has
// the shape of switch_layers' GLU activation (x the linear branch, gate the
// GLU branch), which is where gpt_oss.py uses it.
type SwigluOAI struct {
	Alpha float64 `mlx:"-"`
	Limit float64 `mlx:"-"`
}

// NewSwigluOAI is SwigluOAI(alpha, limit); Python's defaults are 1.702, 7.0.
func NewSwigluOAI(alpha, limit float64) *SwigluOAI { return &SwigluOAI{Alpha: alpha, Limit: limit} }

// Forward is SwigluOAI.__call__(x, gate).
func (m *SwigluOAI) Forward(x, gate *mlx.Array) *mlx.Array {
	return SwigluOAIFn(gate, x, m.Alpha, m.Limit)
}

// Xielu is activations.xielu(x, alpha_p, alpha_n, beta, eps).
func Xielu(x, alphaP, alphaN, beta, eps *mlx.Array) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	alphaP = nn.Softplus(alphaP)
	alphaN = mlx.Add(beta, nn.Softplus(alphaN))
	bx := mlx.Multiply(beta, x)
	out := mlx.Where(mlx.Greater(x, mlx.Int(0)),
		mlx.Add(mlx.Multiply(alphaP, mlx.Square(x)), bx),
		mlx.Add(mlx.Multiply(mlx.Subtract(mlx.Expm1(mlx.Minimum(x, eps)), x), alphaN), bx))
	s.Keep(out)
	return out
}

// XieLU is activations.XieLU (Apertus). Its four arrays are parameters of
// the module (a checkpoint stores them under act_fn.alpha_p, …), 0-d float32
// as Python's mx.array(float) makes them.
type XieLU struct {
	AlphaP *mlx.Array `mlx:"alpha_p"`
	AlphaN *mlx.Array `mlx:"alpha_n"`
	Beta   *mlx.Array `mlx:"beta"`
	Eps    *mlx.Array `mlx:"eps"`
}

// NewXieLU is XieLU(alpha_p_init, alpha_n_init, beta, eps); Python's
// defaults are 0.8, 0.8, 0.5, -1e-6.
func NewXieLU(alphaPInit, alphaNInit, beta, eps float64) *XieLU {
	// mx.array(python float) is float32; alpha_n_init - beta is computed in
	// Python floats (float64) before the conversion.
	alphaP := mlx.Scalar(alphaPInit, mlx.Float32)
	alphaN := mlx.Scalar(alphaNInit-beta, mlx.Float32)
	defer alphaP.Free()
	defer alphaN.Free()
	// mx.log(mx.exp(t) - 1): the inverse of softplus.
	invSoftplus := func(t *mlx.Array) *mlx.Array {
		e := mlx.Exp(t)
		defer e.Free()
		d := mlx.Subtract(e, mlx.Int(1))
		defer d.Free()
		return mlx.Log(d)
	}
	return &XieLU{
		AlphaP: invSoftplus(alphaP),
		AlphaN: invSoftplus(alphaN),
		Beta:   mlx.Scalar(beta, mlx.Float32),
		Eps:    mlx.Scalar(eps, mlx.Float32),
	}
}

// Forward is XieLU.__call__(x).
func (m *XieLU) Forward(x *mlx.Array) *mlx.Array {
	return Xielu(x, m.AlphaP, m.AlphaN, m.Beta, m.Eps)
}
