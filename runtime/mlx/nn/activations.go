package nn

import (
	"math"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// Activations of mlx.nn, written with the same ops in the same order as the
// Python definitions (mlx/nn/layers/activations.py), Python float literals as
// weak scalars so they take the input's dtype. Python wraps each in
// @partial(mx.compile, shapeless=True), and so does this file (mlx.Compile):
// the same trace gives the same fused kernel, so results match Python's to
// the bit on every device, and an element-wise chain costs one dispatch.

// compiled1 is mx.compile(shapeless=True) of a function of one array.
func compiled1(f func(x *mlx.Array) *mlx.Array) func(x *mlx.Array) *mlx.Array {
	c := mlx.Compile(func(a ...*mlx.Array) *mlx.Array { return f(a[0]) }, true)
	return func(x *mlx.Array) *mlx.Array { return c(x) }
}

var (
	siluC           = compiled1(silu)
	geluC           = compiled1(gelu)
	geluApproxC     = compiled1(geluApprox)
	geluFastApproxC = compiled1(geluFastApprox)
	reluC           = compiled1(relu)
	relu2C          = compiled1(relu2)
	softplusC       = compiled1(softplus)
	sigmoidC        = compiled1(mlx.Sigmoid)
	swigluC         = mlx.Compile(func(a ...*mlx.Array) *mlx.Array { return swiglu(a[0], a[1]) }, true)
)

// Silu is nn.silu: x * sigmoid(x).
func Silu(x *mlx.Array) *mlx.Array { return siluC(x) }

// Gelu is nn.gelu: x * (1 + erf(x / sqrt(2))) / 2.
func Gelu(x *mlx.Array) *mlx.Array { return geluC(x) }

// GeluApprox is nn.gelu_approx:
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3))).
func GeluApprox(x *mlx.Array) *mlx.Array { return geluApproxC(x) }

// GeluFastApprox is nn.gelu_fast_approx: x * sigmoid(1.702 * x).
func GeluFastApprox(x *mlx.Array) *mlx.Array { return geluFastApproxC(x) }

// Relu is nn.relu: maximum(x, 0).
func Relu(x *mlx.Array) *mlx.Array { return reluC(x) }

// Relu2 is nn.relu2: square(maximum(x, 0)).
func Relu2(x *mlx.Array) *mlx.Array { return relu2C(x) }

// Softplus is nn.softplus: logaddexp(x, 0).
func Softplus(x *mlx.Array) *mlx.Array { return softplusC(x) }

// Sigmoid is nn.sigmoid.
func Sigmoid(x *mlx.Array) *mlx.Array { return sigmoidC(x) }

// Swiglu is mlx_lm's swiglu(gate, x): silu(gate) * x (compiled, shapeless,
// in mlx_lm/models/activations.py; silu inside it is nn's compiled silu).
func Swiglu(gate, x *mlx.Array) *mlx.Array { return swigluC(gate, x) }

// The uncompiled bodies.

func silu(x *mlx.Array) *mlx.Array {
	s := mlx.Sigmoid(x)
	defer s.Free()
	return mlx.Multiply(x, s)
}

func gelu(x *mlx.Array) *mlx.Array {
	t1 := mlx.Divide(x, mlx.Float(math.Sqrt(2)))
	t2 := mlx.Erf(t1)
	t3 := mlx.Add(mlx.Int(1), t2)
	t4 := mlx.Multiply(x, t3)
	defer freeAll(t1, t2, t3, t4)
	return mlx.Divide(t4, mlx.Int(2))
}

func geluApprox(x *mlx.Array) *mlx.Array {
	x3 := mlx.Power(x, mlx.Int(3))
	a := mlx.Multiply(mlx.Float(0.044715), x3)
	b := mlx.Add(x, a)
	c := mlx.Multiply(mlx.Float(math.Sqrt(2/math.Pi)), b)
	d := mlx.Tanh(c)
	e := mlx.Add(mlx.Int(1), d)
	f := mlx.Multiply(mlx.Float(0.5), x)
	defer freeAll(x3, a, b, c, d, e, f)
	return mlx.Multiply(f, e)
}

func geluFastApprox(x *mlx.Array) *mlx.Array {
	a := mlx.Multiply(mlx.Float(1.702), x)
	s := mlx.Sigmoid(a)
	defer freeAll(a, s)
	return mlx.Multiply(x, s)
}

func relu(x *mlx.Array) *mlx.Array { return mlx.Maximum(x, mlx.Int(0)) }

func relu2(x *mlx.Array) *mlx.Array {
	r := mlx.Maximum(x, mlx.Int(0))
	defer r.Free()
	return mlx.Square(r)
}

func softplus(x *mlx.Array) *mlx.Array { return mlx.Logaddexp(x, mlx.Int(0)) }

func swiglu(gate, x *mlx.Array) *mlx.Array {
	s := Silu(gate)
	defer s.Free()
	return mlx.Multiply(s, x)
}

func freeAll(arrs ...*mlx.Array) {
	for _, a := range arrs {
		a.Free()
	}
}
