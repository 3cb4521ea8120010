// Ported from mlx_lm/models/switch_layers.py
// Upstream: mlx-lm 0.32.2
// Blob: 25dc8e492bb9a397cd53f804c3488f79c7105ea2

// Package switchlayers is a hand port of mlx-lm's switch_layers.py: the
// mixture-of-experts layers (one weight matrix per expert, selected per token
// with gather_mm / gather_qmm). The directory is ported/switch; the package
// is named after switch_layers.py because switch is a Go keyword.
//
// Modules follow runtime/mlx/nn: parameters are exported *mlx.Array fields
// tagged with mlx's names, children are fields named as in Python
// (gate_proj, up_proj, down_proj, fc1, fc2), and Forward is __call__.
package switchlayers

import (
	"fmt"
	"math"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// GatherSort is _gather_sort(x, indices): tokens reordered so that each
// expert's rows are contiguous. It returns the reordered x (flattened over
// the leading axes), the sorted flat indices and the inverse order.
func GatherSort(x, indices *mlx.Array) (xs, idx, invOrder *mlx.Array) {
	m := indices.Dim(-1)
	flat := mlx.Flatten(indices, 0, -1)
	defer flat.Free()
	order := mlx.Argsort(flat, -1)
	defer order.Free()
	invOrder = mlx.Argsort(order, -1)
	xf := mlx.Flatten(x, 0, -3)
	defer xf.Free()
	rows := mlx.FloorDivide(order, mlx.Int(m))
	defer rows.Free()
	return xf.Index(rows), flat.Index(order), invOrder
}

// ScatterUnsort is _scatter_unsort(x, inv_order, shape): undo GatherSort;
// shape nil is None.
func ScatterUnsort(x, invOrder *mlx.Array, shape []int) *mlx.Array {
	out := x.Index(invOrder)
	if shape != nil {
		u := mlx.Unflatten(out, 0, shape...)
		out.Free()
		out = u
	}
	return out
}

// Layer is a SwitchLinear or QuantizedSwitchLinear.
type Layer interface {
	Forward(x, indices *mlx.Array, sortedIndices bool) *mlx.Array
}

// SwitchLinear is switch_layers.SwitchLinear: weight (num_experts, out, in).
type SwitchLinear struct {
	Weight *mlx.Array `mlx:"weight"`
	Bias   *mlx.Array `mlx:"bias"` // nil: bias=False
}

// NewSwitchLinear declares the parameters as lazy zeros (nn's convention:
// loading a checkpoint replaces them; Python draws uniform random values).
func NewSwitchLinear(inputDims, outputDims, numExperts int, bias bool) *SwitchLinear {
	l := &SwitchLinear{Weight: mlx.Zeros(mlx.Float32, numExperts, outputDims, inputDims)}
	if bias {
		l.Bias = mlx.Zeros(mlx.Float32, numExperts, outputDims)
	}
	return l
}

func (l *SwitchLinear) InputDims() int  { return l.Weight.Dim(2) }
func (l *SwitchLinear) OutputDims() int { return l.Weight.Dim(1) }
func (l *SwitchLinear) NumExperts() int { return l.Weight.Dim(0) }

// addBias is x + expand_dims(bias[indices], -2).
func addBias(x, bias, indices *mlx.Array) *mlx.Array {
	if bias == nil {
		return x
	}
	b := bias.Index(indices)
	e := mlx.ExpandDims(b, -2)
	b.Free()
	out := mlx.Add(x, e)
	e.Free()
	x.Free()
	return out
}

// Forward is SwitchLinear.__call__(x, indices, sorted_indices).
func (l *SwitchLinear) Forward(x, indices *mlx.Array, sortedIndices bool) *mlx.Array {
	wt := mlx.Swapaxes(l.Weight, -1, -2)
	y := mlx.GatherMM(x, wt, nil, indices, sortedIndices)
	wt.Free()
	return addBias(y, l.Bias, indices)
}

// ToQuantized is SwitchLinear.to_quantized(group_size, bits, mode,
// global_scale): QuantizedSwitchLinear._quantize of the current weights.
func (l *SwitchLinear) ToQuantized(q nn.QuantParams) (any, error) {
	if q.Mode == "" {
		q.Mode = "affine"
	}
	if q.GroupSize == 0 {
		q.GroupSize = 64
	}
	if q.Bits == 0 {
		q.Bits = 4
	}
	ql := &QuantizedSwitchLinear{Bias: l.Bias, GroupSize: q.GroupSize, Bits: q.Bits, Mode: q.Mode}
	if q.GlobalScale {
		w, sc, gs, err := QuantizeExperts(l.Weight, q.GroupSize, q.Bits, q.Mode)
		if err != nil {
			return nil, err
		}
		ql.Weight, ql.Scales, ql.GlobalScale = w, sc, gs
		return ql, nil
	}
	qw, err := mlx.Quantize(l.Weight, q.GroupSize, q.Bits, q.Mode)
	if err != nil {
		return nil, err
	}
	ql.Weight, ql.Scales, ql.Biases = qw.Weight, qw.Scales, qw.Biases
	return ql, nil
}

// TakesGlobalScale says that to_quantized accepts global_scale (what
// mlx_lm.utils._takes_global_scale checks in its signature): true for the
// switch layers only.
func (l *SwitchLinear) TakesGlobalScale() bool { return true }

// QuantizeExperts is _quantize_experts(w, group_size, bits, mode): each
// expert of w (num_experts, out, in) quantized with its own nvfp4 tensor
// scale, max |w[e]| in float32. It returns the stacked packed weights, the
// stacked scales and the (num_experts,) global scales.
func QuantizeExperts(w *mlx.Array, groupSize, bits int, mode string) (weight, scales, globalScale *mlx.Array, err error) {
	if mode != "nvfp4" {
		return nil, nil, nil, fmt.Errorf("A global scale needs 'nvfp4' mode, got '%s'.", mode)
	}
	if err := w.Err(); err != nil {
		return nil, nil, nil, err
	}
	if w.Ndim() != 3 {
		return nil, nil, nil, fmt.Errorf("_quantize_experts: weight has shape %v, want (experts, out, in)", w.Shape())
	}
	s := mlx.NewScope()
	defer s.Close()
	gs := mlx.Astype(mlx.Max(mlx.Abs(w), false, -2, -1), mlx.Float32)
	n := w.Dim(0)
	ws, ss := make([]*mlx.Array, n), make([]*mlx.Array, n)
	for e := range n {
		q, err := mlx.QuantizeGlobal(w.Index(e), groupSize, bits, mode, gs.Index(e))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("_quantize_experts: expert %d: %w", e, err)
		}
		ws[e], ss[e] = q.Weight, q.Scales
	}
	weight, scales = mlx.Stack(ws, 0), mlx.Stack(ss, 0)
	if err := mlx.Eval(weight, scales, gs); err != nil {
		return nil, nil, nil, fmt.Errorf("_quantize_experts: %w", err)
	}
	s.Keep(weight, scales, gs)
	return weight, scales, gs, nil
}

// QuantizedSwitchLinear is switch_layers.QuantizedSwitchLinear.
type QuantizedSwitchLinear struct {
	Weight *mlx.Array `mlx:"weight"`
	Scales *mlx.Array `mlx:"scales"`
	Biases *mlx.Array `mlx:"biases"` // nil for modes without biases
	Bias   *mlx.Array `mlx:"bias"`
	// GlobalScale is the per-expert nvfp4 tensor scale (global_scale=True,
	// new in 0.32); nil is None.
	GlobalScale *mlx.Array `mlx:"global_scale"`

	GroupSize int    `mlx:"-"`
	Bits      int    `mlx:"-"`
	Mode      string `mlx:"-"`
}

func (l *QuantizedSwitchLinear) InputDims() int  { return l.Scales.Dim(2) * l.GroupSize }
func (l *QuantizedSwitchLinear) OutputDims() int { return l.Weight.Dim(1) }
func (l *QuantizedSwitchLinear) NumExperts() int { return l.Weight.Dim(0) }

// Forward is QuantizedSwitchLinear.__call__.
func (l *QuantizedSwitchLinear) Forward(x, indices *mlx.Array, sortedIndices bool) *mlx.Array {
	y := mlx.GatherQMMGlobal(x, l.Weight, l.Scales, l.Biases, nil, indices, true, l.GroupSize, l.Bits, l.Mode, l.GlobalScale, sortedIndices)
	return addBias(y, l.Bias, indices)
}

// GLUActivation is SwitchGLU's activation(x_up, x_gate).
type GLUActivation interface {
	Forward(x, gate *mlx.Array) *mlx.Array
}

// SwiGLU is switch_layers.SwiGLU: swiglu(gate, x).
type SwiGLU struct{}

func (SwiGLU) Forward(x, gate *mlx.Array) *mlx.Array { return base.Swiglu(gate, x) }

// SwitchGLU is switch_layers.SwitchGLU.
type SwitchGLU struct {
	GateProj   Layer         `mlx:"gate_proj"`
	UpProj     Layer         `mlx:"up_proj"`
	DownProj   Layer         `mlx:"down_proj"`
	Activation GLUActivation `mlx:"-"`
}

// NewSwitchGLU is SwitchGLU(input_dims, hidden_dims, num_experts,
// activation, bias); activation nil is SwiGLU().
func NewSwitchGLU(inputDims, hiddenDims, numExperts int, activation GLUActivation, bias bool) *SwitchGLU {
	if activation == nil {
		activation = SwiGLU{}
	}
	return &SwitchGLU{
		GateProj:   NewSwitchLinear(inputDims, hiddenDims, numExperts, bias),
		UpProj:     NewSwitchLinear(inputDims, hiddenDims, numExperts, bias),
		DownProj:   NewSwitchLinear(hiddenDims, inputDims, numExperts, bias),
		Activation: activation,
	}
}

// sortThreshold: with this many (token, expert) pairs or more, tokens are
// sorted by expert so each expert's weights are read in order.
const sortThreshold = 64

// Forward is SwitchGLU.__call__(x, indices) (0.32 stops the gradient of the
// indices always, not only in training: no effect on values, and nothing
// here takes gradients).
func (m *SwitchGLU) Forward(x, indices *mlx.Array) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	x = mlx.ExpandDims(x, -2, -3)
	doSort := indices.Size() >= sortThreshold
	idx := indices
	var invOrder *mlx.Array
	if doSort {
		x, idx, invOrder = GatherSort(x, indices)
	}
	xUp := m.UpProj.Forward(x, idx, doSort)
	xGate := m.GateProj.Forward(x, idx, doSort)
	x = m.DownProj.Forward(m.Activation.Forward(xUp, xGate), idx, doSort)
	if doSort {
		x = ScatterUnsort(x, invOrder, indices.Shape())
	}
	out := mlx.Squeeze(x, -2)
	s.Keep(out)
	return out
}

// SwitchMLP is switch_layers.SwitchMLP.
type SwitchMLP struct {
	FC1        Layer                         `mlx:"fc1"`
	FC2        Layer                         `mlx:"fc2"`
	Activation func(x *mlx.Array) *mlx.Array `mlx:"-"`
}

// NewSwitchMLP is SwitchMLP(...); activation nil is nn.GELU(approx="precise"),
// which is gelu_approx.
func NewSwitchMLP(inputDims, hiddenDims, numExperts int, activation func(*mlx.Array) *mlx.Array, bias bool) *SwitchMLP {
	if activation == nil {
		activation = nn.GeluApprox
	}
	return &SwitchMLP{
		FC1:        NewSwitchLinear(inputDims, hiddenDims, numExperts, bias),
		FC2:        NewSwitchLinear(hiddenDims, inputDims, numExperts, bias),
		Activation: activation,
	}
}

// Forward is SwitchMLP.__call__(x, indices).
func (m *SwitchMLP) Forward(x, indices *mlx.Array) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	x = mlx.ExpandDims(x, -2, -3)
	doSort := indices.Size() >= sortThreshold
	idx := indices
	var invOrder *mlx.Array
	if doSort {
		x, idx, invOrder = GatherSort(x, indices)
	}
	x = m.FC1.Forward(x, idx, doSort)
	x = m.Activation(x)
	x = m.FC2.Forward(x, idx, doSort)
	if doSort {
		x = ScatterUnsort(x, invOrder, indices.Shape())
	}
	out := mlx.Squeeze(x, -2)
	s.Keep(out)
	return out
}

// uniformScale is Python's initialisation bound sqrt(1 / input_dims), kept
// for callers that want Python's random init instead of zeros.
func uniformScale(inputDims int) float64 { return math.Sqrt(1 / float64(inputDims)) }

// NewSwitchLinearRandom is SwitchLinear with Python's initialisation:
// uniform(-scale, scale) weights and zero bias.
func NewSwitchLinearRandom(inputDims, outputDims, numExperts int, bias bool) *SwitchLinear {
	sc := uniformScale(inputDims)
	l := &SwitchLinear{Weight: mlx.Uniform(mlx.Float(-sc), mlx.Float(sc), []int{numExperts, outputDims, inputDims}, mlx.Float32, nil)}
	if bias {
		l.Bias = mlx.Zeros(mlx.Float32, numExperts, outputDims)
	}
	return l
}
