// Ported from mlx_lm/models/rope_utils.py
// Upstream: mlx-lm 0.32.2
// Blob: ed7de6d94f07c6d59cad2f95446cf095a656e1a4

// Package rope is a hand port of mlx-lm's rope_utils.py (plus mlx.nn.RoPE,
// which initialize_rope returns for the "default", "linear" and "mrope"
// types): rotary position embeddings built on mx.fast.rope.
//
// Every layer has Forward (an int offset, what KVCache.offset is) and
// ForwardArray (an array offset, what the batched caches hold: a scalar or one
// offset per batch entry). Python's __call__ accepts either in one argument.
package rope

import (
	"fmt"
	"math"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// Layer is what InitializeRope returns: any of the RoPE variants.
type Layer interface {
	// Forward applies the embedding to x (B, H, L, D) at positions
	// offset .. offset+L-1.
	Forward(x *mlx.Array, offset int) *mlx.Array
	// ForwardArray is Forward with offset an array (a scalar, or shape (B,)).
	ForwardArray(x *mlx.Array, offset *mlx.Array) *mlx.Array
}

// RoPE is mlx.nn.RoPE: mx.fast.rope with a base and a position scale.
type RoPE struct {
	Dims        int
	Traditional bool
	Base        float64
	Scale       float64
}

// NewRoPE is nn.RoPE(dims, traditional=, base=, scale=); Python's defaults
// are base 10000 and scale 1.
func NewRoPE(dims int, traditional bool, base, scale float64) *RoPE {
	return &RoPE{Dims: dims, Traditional: traditional, Base: base, Scale: scale}
}

func (r *RoPE) opts() mlx.RopeOpts {
	return mlx.RopeOpts{Dims: r.Dims, Traditional: r.Traditional, Base: float32(r.Base), Scale: float32(r.Scale)}
}

// Forward is RoPE.__call__(x, offset) with an int offset.
func (r *RoPE) Forward(x *mlx.Array, offset int) *mlx.Array { return mlx.Rope(x, r.opts(), offset) }

// ForwardArray is RoPE.__call__(x, offset) with an array offset.
func (r *RoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	return mlx.RopeArrayOffset(x, r.opts(), offset)
}

// freqsRope is the shared tail of the variants that pass custom frequencies
// (base=None) and optionally pre-scale the rotated features.
type freqsRope struct {
	dims        int
	traditional bool
	freqs       *mlx.Array
	// preScale multiplies x[..., :dims] before the rotation; 1 means none.
	preScale float64
}

func (f *freqsRope) opts() mlx.RopeOpts {
	return mlx.RopeOpts{Dims: f.dims, Traditional: f.traditional, Scale: 1.0, Freqs: f.freqs}
}

// scaled is Python's x.at[..., :dims].multiply(s) (0.30's in-place
// `x[..., :dims] = s * x[..., :dims]`, which mutated the caller's array, is
// gone upstream too): a new array with the rotated features scaled; x is left
// alone. s * x and x * s are the same float32 product.
func (f *freqsRope) scaled(x *mlx.Array, s float64) (*mlx.Array, bool) {
	if s == 1.0 {
		return x, false
	}
	head := x.Index(mlx.Ellipsis, mlx.Slice(mlx.None, f.dims, 1))
	prod := mlx.Multiply(head, mlx.Float(s))
	head.Free()
	out := x.SetIndex(prod, mlx.Ellipsis, mlx.Slice(mlx.None, f.dims, 1))
	prod.Free()
	return out, true
}

func (f *freqsRope) forward(x *mlx.Array, offset int, offsetArr *mlx.Array) *mlx.Array {
	return f.forwardWith(x, offset, offsetArr, f.preScale, f.opts())
}

// forwardWith pre-scales by s and rotates with o.
func (f *freqsRope) forwardWith(x *mlx.Array, offset int, offsetArr *mlx.Array, s float64, o mlx.RopeOpts) *mlx.Array {
	xs, owned := f.scaled(x, s)
	var out *mlx.Array
	if offsetArr != nil {
		out = mlx.RopeArrayOffset(xs, o, offsetArr)
	} else {
		out = mlx.Rope(xs, o, offset)
	}
	if owned {
		xs.Free()
	}
	return out
}

// Freqs are the custom frequencies passed to mx.fast.rope (Python's _freqs).
func (f *freqsRope) Freqs() *mlx.Array { return f.freqs }

// ---- SuScaledRoPE ("longrope") ----

// SuScaledRoPE is rope_utils.SuScaledRoPE (Phi-3 "longrope"). As upstream,
// only the long factors enter the frequencies; short_factor is accepted and
// unused.
type SuScaledRoPE struct {
	freqsRope
	OriginalMaxPositionEmbeddings int
	// Scale is Python's _scale, the factor on x[..., :dims].
	Scale float64
}

// SuScaledOpts are SuScaledRoPE's keyword arguments; zero values take
// Python's defaults except where noted.
type SuScaledOpts struct {
	Base                          float64   // default 10000
	MaxPositionEmbeddings         int       // default 131072
	OriginalMaxPositionEmbeddings int       // default 4096
	ShortFactor                   []float64 // default [1.0] (unused, as upstream)
	LongFactor                    []float64 // default [1.0]; one value broadcasts
	ShortMscale                   *float64  // unused, as upstream
	LongMscale                    *float64  // None: derived from the factor
}

// NewSuScaledRoPE is SuScaledRoPE(dims, ...).
func NewSuScaledRoPE(dims int, o SuScaledOpts) (*SuScaledRoPE, error) {
	if o.Base == 0 {
		o.Base = 10000.0
	}
	if o.MaxPositionEmbeddings == 0 {
		o.MaxPositionEmbeddings = 131072
	}
	if o.OriginalMaxPositionEmbeddings == 0 {
		o.OriginalMaxPositionEmbeddings = 4096
	}
	if len(o.LongFactor) == 0 {
		o.LongFactor = []float64{1.0}
	}
	// freqs = base ** (mx.arange(0, dims, 2, dtype=mx.float32) / dims)
	freqs := baseFreqs(o.Base, dims)
	lf32 := make([]float32, len(o.LongFactor))
	for i, v := range o.LongFactor {
		lf32[i] = float32(v)
	}
	var lf *mlx.Array
	if len(lf32) == 1 {
		lf = mlx.Scalar(float64(lf32[0]), mlx.Float32) // mx.array(float) is 0-d
	} else {
		lf = mlx.FromSlice(lf32)
	}
	f := mlx.Multiply(lf, freqs)
	lf.Free()
	freqs.Free()
	if err := mlx.Eval(f); err != nil {
		return nil, fmt.Errorf("SuScaledRoPE: %w", err)
	}
	factor := float64(o.MaxPositionEmbeddings) / float64(o.OriginalMaxPositionEmbeddings)
	// self._scale = long_mscale or (1.0 if factor <= 1.0 else default_scale(factor))
	var scale float64
	if o.LongMscale != nil && *o.LongMscale != 0 {
		scale = *o.LongMscale
	} else if factor <= 1.0 {
		scale = 1.0
	} else {
		scale = math.Sqrt(1 + math.Log(factor)/math.Log(float64(o.OriginalMaxPositionEmbeddings)))
	}
	return &SuScaledRoPE{
		// Python always assigns x[..., :dim] = scale * x[..., :dim], even when
		// the scale is 1; multiplying by 1 is exact, so skipping it is too.
		freqsRope:                     freqsRope{dims: dims, freqs: f, preScale: scale},
		OriginalMaxPositionEmbeddings: o.OriginalMaxPositionEmbeddings,
		Scale:                         scale,
	}, nil
}

// Forward is SuScaledRoPE.__call__ with an int offset.
func (r *SuScaledRoPE) Forward(x *mlx.Array, offset int) *mlx.Array { return r.forward(x, offset, nil) }

// ForwardArray is SuScaledRoPE.__call__ with an array offset.
func (r *SuScaledRoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	if offset == nil {
		return mlx.Errorf("fast.rope", "nil offset array")
	}
	return r.forward(x, 0, offset)
}

// baseFreqs is base ** (mx.arange(0, dims, 2, dtype=mx.float32) / dims).
func baseFreqs(base float64, dims int) *mlx.Array {
	ar := mlx.Arange(0, float64(dims), 2, mlx.Float32)
	e := mlx.Divide(ar, mlx.Int(dims))
	ar.Free()
	out := mlx.Power(mlx.Float(base), e)
	e.Free()
	return out
}

// ---- Llama3RoPE ----

// Llama3RoPE is rope_utils.Llama3RoPE.
type Llama3RoPE struct {
	freqsRope
	MaxPositionEmbeddings int
}

// NewLlama3RoPE is Llama3RoPE(dims, max_position_embeddings, traditional,
// base, scaling_config). scaling_config must hold "factor"; the other keys
// default as in Python.
func NewLlama3RoPE(dims, maxPositionEmbeddings int, traditional bool, base float64, scalingConfig map[string]any) (*Llama3RoPE, error) {
	factor, err := need(scalingConfig, "factor")
	if err != nil {
		return nil, fmt.Errorf("Llama3RoPE: %w", err)
	}
	lowFreqFactor, err := numOr(scalingConfig, "low_freq_factor", 1.0)
	if err != nil {
		return nil, fmt.Errorf("Llama3RoPE: %w", err)
	}
	highFreqFactor, err := numOr(scalingConfig, "high_freq_factor", 4.0)
	if err != nil {
		return nil, fmt.Errorf("Llama3RoPE: %w", err)
	}
	oldContextLen, err := numOr(scalingConfig, "original_max_position_embeddings", 8192)
	if err != nil {
		return nil, fmt.Errorf("Llama3RoPE: %w", err)
	}
	lowFreqWavelen := oldContextLen / lowFreqFactor
	highFreqWavelen := oldContextLen / highFreqFactor

	s := mlx.NewScope()
	defer s.Close()
	// freqs = base ** (mx.arange(0, dims, 2) / dims): an int32 arange whose
	// division by an int is float32.
	ar := mlx.Arange(0, float64(dims), 2, mlx.Int32)
	freqs := mlx.Power(mlx.Float(base), mlx.Divide(ar, mlx.Int(dims)))
	// wavelens = 2 * mx.pi * freqs (2 * mx.pi is folded in Python first)
	wavelens := mlx.Multiply(mlx.Float(2*math.Pi), freqs)
	freqs = mlx.Where(mlx.Greater(wavelens, mlx.Float(lowFreqWavelen)), mlx.Multiply(freqs, mlx.Float(factor)), freqs)
	isMedium := mlx.LogicalAnd(mlx.Greater(wavelens, mlx.Float(highFreqWavelen)), mlx.Less(wavelens, mlx.Float(lowFreqWavelen)))
	smoothFactors := mlx.Divide(
		mlx.Subtract(mlx.Divide(mlx.Float(oldContextLen), wavelens), mlx.Float(lowFreqFactor)),
		mlx.Float(highFreqFactor-lowFreqFactor))
	smoothFreqs := mlx.Divide(freqs,
		mlx.Add(mlx.Divide(mlx.Subtract(mlx.Int(1), smoothFactors), mlx.Float(factor)), smoothFactors))
	out := mlx.Where(isMedium, smoothFreqs, freqs)
	if err := mlx.Eval(out); err != nil {
		return nil, fmt.Errorf("Llama3RoPE: %w", err)
	}
	s.Keep(out)
	return &Llama3RoPE{
		freqsRope:             freqsRope{dims: dims, traditional: traditional, freqs: out, preScale: 1.0},
		MaxPositionEmbeddings: maxPositionEmbeddings,
	}, nil
}

// Forward is Llama3RoPE.__call__ with an int offset.
func (r *Llama3RoPE) Forward(x *mlx.Array, offset int) *mlx.Array { return r.forward(x, offset, nil) }

// ForwardArray is Llama3RoPE.__call__ with an array offset (Python annotates
// offset as int, but mx.fast.rope accepts an array there as well).
func (r *Llama3RoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	if offset == nil {
		return mlx.Errorf("fast.rope", "nil offset array")
	}
	return r.forward(x, 0, offset)
}

// ---- YarnRoPE ----

// YarnRoPE is rope_utils.YarnRoPE ("yarn" and "deepseek_yarn").
type YarnRoPE struct {
	freqsRope
	// Mscale is the factor on x[..., :dims] (Python's mscale attribute).
	Mscale float64
}

// YarnOpts are YarnRoPE's keyword arguments with Python's defaults filled in
// by DefaultYarnOpts.
type YarnOpts struct {
	Traditional                   bool
	MaxPositionEmbeddings         int
	Base                          float64
	ScalingFactor                 float64
	OriginalMaxPositionEmbeddings float64
	BetaFast                      float64
	BetaSlow                      float64
	Mscale                        float64
	MscaleAllDim                  float64
}

// DefaultYarnOpts are YarnRoPE.__init__'s defaults.
func DefaultYarnOpts() YarnOpts {
	return YarnOpts{MaxPositionEmbeddings: 2048, Base: 10000, ScalingFactor: 1.0,
		OriginalMaxPositionEmbeddings: 4096, BetaFast: 32, BetaSlow: 1, Mscale: 1, MscaleAllDim: 0}
}

// NewYarnRoPE is YarnRoPE(dims, ...).
func NewYarnRoPE(dims int, o YarnOpts) (*YarnRoPE, error) {
	findCorrectionDim := func(numRotations float64) float64 {
		return (float64(dims) * math.Log(o.OriginalMaxPositionEmbeddings/(numRotations*2*math.Pi))) / (2 * math.Log(o.Base))
	}
	low := int(math.Floor(findCorrectionDim(o.BetaFast)))
	high := int(math.Ceil(findCorrectionDim(o.BetaSlow)))
	low, high = max(low, 0), min(high, dims-1)
	getMscale := func(scale, mscale float64) float64 {
		if scale <= 1 {
			return 1.0
		}
		return 0.1*mscale*math.Log(scale) + 1.0
	}
	mscale := getMscale(o.ScalingFactor, o.Mscale) / getMscale(o.ScalingFactor, o.MscaleAllDim)

	s := mlx.NewScope()
	defer s.Close()
	freqExtra := baseFreqs(o.Base, dims)
	freqInter := mlx.Multiply(mlx.Float(o.ScalingFactor), freqExtra)
	// yarn_linear_ramp_mask(low, high, dims // 2); min_val == max_val gets
	// max_val += 0.001, which makes the divisor a Python float.
	var denom *mlx.Array
	if low == high {
		denom = mlx.Float(float64(high) + 0.001 - float64(low))
	} else {
		denom = mlx.Int(high - low)
	}
	linear := mlx.Divide(mlx.Subtract(mlx.Arange(0, float64(dims/2), 1, mlx.Float32), mlx.Int(low)), denom)
	ramp := mlx.Clip(linear, mlx.Int(0), mlx.Int(1))
	freqMask := mlx.Subtract(mlx.Float(1.0), ramp)
	freqs := mlx.Divide(mlx.Multiply(freqInter, freqExtra),
		mlx.Add(mlx.Multiply(freqInter, freqMask), mlx.Multiply(freqExtra, mlx.Subtract(mlx.Int(1), freqMask))))
	if err := mlx.Eval(freqs); err != nil {
		return nil, fmt.Errorf("YarnRoPE: %w", err)
	}
	s.Keep(freqs)
	return &YarnRoPE{
		freqsRope: freqsRope{dims: dims, traditional: o.Traditional, freqs: freqs, preScale: mscale},
		Mscale:    mscale,
	}, nil
}

// Forward is YarnRoPE.__call__ with an int offset.
func (r *YarnRoPE) Forward(x *mlx.Array, offset int) *mlx.Array { return r.forward(x, offset, nil) }

// ForwardArray is YarnRoPE.__call__ with an array offset.
func (r *YarnRoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	if offset == nil {
		return mlx.Errorf("fast.rope", "nil offset array")
	}
	return r.forward(x, 0, offset)
}

// ForwardScaled is YarnRoPE.__call__(x, offset, scale, inverse) (new in
// 0.32): scale is mx.fast.rope's position scale; inverse undoes the rotation
// (input scaled by 1/mscale, frequencies negated). offsetArr non-nil is an
// array offset and offset is then ignored.
func (r *YarnRoPE) ForwardScaled(x *mlx.Array, offset int, offsetArr *mlx.Array, scale float64, inverse bool) *mlx.Array {
	inputScale, o := r.Mscale, r.opts()
	o.Scale = float32(scale)
	if inverse {
		if r.Mscale != 1.0 {
			inputScale = 1.0 / r.Mscale
		}
		neg := mlx.Negative(r.freqs)
		defer neg.Free()
		o.Freqs = neg
	}
	return r.forwardWith(x, offset, offsetArr, inputScale, o)
}

// ---- ProportionalRoPE ----

// ProportionalRoPE is rope_utils.ProportionalRoPE (new in 0.32): the first
// rotated_dims of dims features rotate with factor * base ** (2i / dims);
// the rest get infinite frequencies' partners, i.e. are left unrotated.
type ProportionalRoPE struct {
	freqsRope
}

// NewProportionalRoPE is ProportionalRoPE(dims, rotated_dims, traditional,
// base, factor); Python's defaults are false, 10000, 1.
func NewProportionalRoPE(dims, rotatedDims int, traditional bool, base, factor float64) (*ProportionalRoPE, error) {
	if rotatedDims > dims {
		return nil, fmt.Errorf("ProportionalRoPE: rotated_dims should be smaller than dims")
	}
	s := mlx.NewScope()
	defer s.Close()
	exponents := mlx.Divide(mlx.Arange(0, float64(rotatedDims), 2, mlx.Float32), mlx.Int(dims))
	rotated := mlx.Multiply(mlx.Float(factor), mlx.Power(mlx.Float(base), exponents))
	rest := mlx.Full(mlx.Float(math.Inf(1)), mlx.Float32, pyFloorDiv(dims-rotatedDims, 2))
	freqs := mlx.Concatenate([]*mlx.Array{rotated, rest}, 0)
	if err := mlx.Eval(freqs); err != nil {
		return nil, fmt.Errorf("ProportionalRoPE: %w", err)
	}
	s.Keep(freqs)
	return &ProportionalRoPE{freqsRope{dims: dims, traditional: traditional, freqs: freqs, preScale: 1.0}}, nil
}

// pyFloorDiv is Python's a // b for ints (rounds toward minus infinity).
func pyFloorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Forward is ProportionalRoPE.__call__ with an int offset.
func (r *ProportionalRoPE) Forward(x *mlx.Array, offset int) *mlx.Array {
	return r.forward(x, offset, nil)
}

// ForwardArray is ProportionalRoPE.__call__ with an array offset.
func (r *ProportionalRoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	if offset == nil {
		return mlx.Errorf("fast.rope", "nil offset array")
	}
	return r.forward(x, 0, offset)
}

// ---- DynamicNTKScalingRoPE ----

// DynamicNTKScalingRoPE is rope_utils.DynamicNTKScalingRoPE (moved there
// from internlm2.py in 0.32, and reworked): the base grows with the sequence
// length once it passes max_position_embeddings.
type DynamicNTKScalingRoPE struct {
	Dims                  int
	MaxPositionEmbeddings int
	Traditional           bool
	Base                  float64
	Factor                float64
}

// NewDynamicNTKScalingRoPE is DynamicNTKScalingRoPE(dims,
// max_position_embeddings, traditional, base, factor).
func NewDynamicNTKScalingRoPE(dims, maxPositionEmbeddings int, traditional bool, base, factor float64) *DynamicNTKScalingRoPE {
	return &DynamicNTKScalingRoPE{Dims: dims, MaxPositionEmbeddings: maxPositionEmbeddings, Traditional: traditional, Base: base, Factor: factor}
}

// base is the base __call__ computes for L positions after offset, in
// Python floats: base * ((factor * seq_len / max_pos) - (factor - 1)) **
// (dims / (dims - 2)), seq_len = max(L + offset, max_pos).
func (r *DynamicNTKScalingRoPE) base(l, offset int) (float64, error) {
	if r.MaxPositionEmbeddings <= 0 {
		return 0, fmt.Errorf("DynamicNTKScalingRoPE: max_position_embeddings is %d", r.MaxPositionEmbeddings)
	}
	if r.Dims == 2 {
		return 0, fmt.Errorf("DynamicNTKScalingRoPE: dims 2 divides by zero")
	}
	seqLen := max(l+offset, r.MaxPositionEmbeddings)
	return r.Base * math.Pow((r.Factor*float64(seqLen)/float64(r.MaxPositionEmbeddings))-(r.Factor-1), float64(r.Dims)/float64(r.Dims-2)), nil
}

// Forward is DynamicNTKScalingRoPE.__call__(x, offset).
func (r *DynamicNTKScalingRoPE) Forward(x *mlx.Array, offset int) *mlx.Array {
	if err := x.Err(); err != nil {
		return mlx.Errorf("fast.rope", "%v", err)
	}
	if x.Ndim() < 2 {
		return mlx.Errorf("fast.rope", "DynamicNTKScalingRoPE: x has %d dims", x.Ndim())
	}
	b, err := r.base(x.Dim(-2), offset)
	if err != nil {
		return mlx.Errorf("fast.rope", "%v", err)
	}
	return mlx.Rope(x, mlx.RopeOpts{Dims: r.Dims, Traditional: r.Traditional, Base: float32(b), Scale: 1.0}, offset)
}

// ForwardArray is DynamicNTKScalingRoPE.__call__ with an array offset.
// Python's arithmetic then runs on arrays: seq_len = max(L + offset, max_pos)
// is the array when L + offset >= max_pos (Python's max keeps the first of
// equals) and the base is computed in float32 array ops, converted to a
// Python float for mx.fast.rope. Only a one-element offset survives that
// conversion; a per-batch offset makes Python raise, and the port too.
func (r *DynamicNTKScalingRoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	if offset == nil {
		return mlx.Errorf("fast.rope", "nil offset array")
	}
	if err := x.Err(); err != nil {
		return mlx.Errorf("fast.rope", "%v", err)
	}
	if offset.Size() != 1 {
		return mlx.Errorf("fast.rope", "DynamicNTKScalingRoPE: only length-1 offset arrays can be converted to a Python scalar base (got %v)", offset.Shape())
	}
	if r.MaxPositionEmbeddings <= 0 || r.Dims == 2 || x.Ndim() < 2 {
		return mlx.Errorf("fast.rope", "DynamicNTKScalingRoPE: max_position_embeddings %d, dims %d, x %v", r.MaxPositionEmbeddings, r.Dims, x.Shape())
	}
	s := mlx.NewScope()
	defer s.Close()
	seq := mlx.Add(mlx.Int(x.Dim(-2)), offset)
	v, err := seq.Item()
	if err != nil {
		return mlx.Errorf("fast.rope", "%v", err)
	}
	var b float64
	if int(v) >= r.MaxPositionEmbeddings {
		ba := mlx.Multiply(mlx.Float(r.Base), mlx.Power(
			mlx.Subtract(mlx.Divide(mlx.Multiply(mlx.Float(r.Factor), seq), mlx.Int(r.MaxPositionEmbeddings)), mlx.Float(r.Factor-1)),
			mlx.Float(float64(r.Dims)/float64(r.Dims-2))))
		if b, err = ba.Item(); err != nil {
			return mlx.Errorf("fast.rope", "%v", err)
		}
	} else if b, err = r.base(x.Dim(-2), 0); err != nil { // seq_len is max_pos: Python floats
		return mlx.Errorf("fast.rope", "%v", err)
	}
	out := mlx.RopeArrayOffset(x, mlx.RopeOpts{Dims: r.Dims, Traditional: r.Traditional, Base: float32(b), Scale: 1.0}, offset)
	s.Keep(out)
	return out
}

// ---- apply_yarn_mscale ----

// ApplyYarnMscale is rope_utils.apply_yarn_mscale(scale, scaling_config)
// (new in 0.32): the attention scale times mscale_all_dim's yarn factor
// squared, the half of the yarn correction initialize_rope does not put on
// the rope. scalingConfig nil (or empty) is None.
func ApplyYarnMscale(scale float64, scalingConfig map[string]any) (float64, error) {
	if len(scalingConfig) == 0 {
		return scale, nil
	}
	ropeType, err := ropeTypeOf(scalingConfig)
	if err != nil {
		return 0, fmt.Errorf("apply_yarn_mscale: %w", err)
	}
	mscaleAllDim, err := numOr(scalingConfig, "mscale_all_dim", 0)
	if err != nil {
		return 0, fmt.Errorf("apply_yarn_mscale: %w", err)
	}
	factor, err := numOr(scalingConfig, "factor", 1)
	if err != nil {
		return 0, fmt.Errorf("apply_yarn_mscale: %w", err)
	}
	if ropeType == "default" || mscaleAllDim == 0 || factor <= 1 {
		return scale, nil
	}
	s := 0.1*mscaleAllDim*math.Log(factor) + 1.0
	return scale * s * s, nil
}

// ropeTypeOf is scaling_config.get("type") or scaling_config.get("rope_type",
// "default").
func ropeTypeOf(scalingConfig map[string]any) (string, error) {
	if t, ok := scalingConfig["type"]; ok && truthy(t) {
		s, ok := t.(string)
		if !ok {
			return "", fmt.Errorf("rope_scaling type %v is not a string", t)
		}
		return s, nil
	}
	if t, ok := scalingConfig["rope_type"]; ok {
		s, ok := t.(string)
		if !ok {
			return "", fmt.Errorf("rope_scaling rope_type %v is not a string", t)
		}
		return s, nil
	}
	return "default", nil
}

// ---- initialize_rope ----

// InitializeRope is rope_utils.initialize_rope. scalingConfig is the
// config's rope_scaling (nil for None) as decoded from JSON: numbers may be
// float64 or int, lists []any or []float64. maxPositionEmbeddings 0 stands
// for None (only the variants that use it care).
func InitializeRope(dims int, base float64, traditional bool, scalingConfig map[string]any, maxPositionEmbeddings int) (Layer, error) {
	ropeType := "default"
	if scalingConfig != nil {
		t, err := ropeTypeOf(scalingConfig)
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		ropeType = t
	}
	switch ropeType {
	case "default", "linear":
		scale := 1.0
		if ropeType == "linear" {
			f, err := need(scalingConfig, "factor")
			if err != nil {
				return nil, fmt.Errorf("initialize_rope: %w", err)
			}
			scale = 1 / f
		}
		return NewRoPE(dims, traditional, base, scale), nil
	case "dynamic":
		f, err := need(scalingConfig, "factor")
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		return NewDynamicNTKScalingRoPE(dims, maxPositionEmbeddings, traditional, base, f), nil
	case "llama3":
		return NewLlama3RoPE(dims, maxPositionEmbeddings, traditional, base, scalingConfig)
	case "yarn", "deepseek_yarn", "telechat3-yarn":
		f, err := need(scalingConfig, "factor")
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		o := DefaultYarnOpts()
		o.MaxPositionEmbeddings = maxPositionEmbeddings
		o.Traditional = traditional
		o.ScalingFactor = f
		o.Base = base
		for key, dst := range map[string]*float64{
			"original_max_position_embeddings": &o.OriginalMaxPositionEmbeddings,
			"beta_fast":                        &o.BetaFast,
			"beta_slow":                        &o.BetaSlow,
			"mscale":                           &o.Mscale,
			"mscale_all_dim":                   &o.MscaleAllDim,
		} {
			if _, ok := scalingConfig[key]; ok {
				v, err := need(scalingConfig, key)
				if err != nil {
					return nil, fmt.Errorf("initialize_rope: %w", err)
				}
				*dst = v
			}
		}
		return NewYarnRoPE(dims, o)
	case "longrope":
		omp, err := need(scalingConfig, "original_max_position_embeddings")
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		sf, err := floats(scalingConfig, "short_factor")
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		lf, err := floats(scalingConfig, "long_factor")
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		if maxPositionEmbeddings == 0 {
			// Python would fail dividing None by an int.
			return nil, fmt.Errorf("initialize_rope: longrope needs max_position_embeddings")
		}
		return NewSuScaledRoPE(dims, SuScaledOpts{Base: base, MaxPositionEmbeddings: maxPositionEmbeddings,
			OriginalMaxPositionEmbeddings: int(omp), ShortFactor: sf, LongFactor: lf})
	case "proportional":
		prf, err := numOr(scalingConfig, "partial_rotary_factor", 1.0)
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		f, err := numOr(scalingConfig, "factor", 1.0)
		if err != nil {
			return nil, fmt.Errorf("initialize_rope: %w", err)
		}
		// int(dims * partial_rotary_factor): a float product, truncated.
		return NewProportionalRoPE(dims, int(float64(dims)*prf), traditional, base, f)
	case "mrope":
		sec, ok := scalingConfig["mrope_section"]
		n := 0
		if ok {
			l, isList := sec.([]any)
			switch {
			case isList:
				n = len(l)
			default:
				if li, isInts := sec.([]int); isInts {
					n = len(li)
				} else {
					return nil, fmt.Errorf("initialize_rope: mrope_section %v is not a list", sec)
				}
			}
		}
		if n != 3 {
			return nil, fmt.Errorf("initialize_rope: MRoPE currently only supports 3 sections, got %d", n)
		}
		// As upstream: a plain RoPE; the sections are the model's business.
		return NewRoPE(dims, traditional, base, 1.0), nil
	}
	return nil, fmt.Errorf("initialize_rope: unsupported RoPE type %s", ropeType)
}

// truthy is Python's bool(v) for the JSON values a config holds.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case float64:
		return x != 0
	case int:
		return x != 0
	}
	return true
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// need is Python's scaling_config[key] for a number (a KeyError there).
func need(m map[string]any, key string) (float64, error) {
	v, ok := m[key]
	if !ok {
		return 0, fmt.Errorf("rope_scaling has no %q", key)
	}
	f, ok := num(v)
	if !ok {
		return 0, fmt.Errorf("rope_scaling %q is %T, not a number", key, v)
	}
	return f, nil
}

// numOr is scaling_config.get(key, def) for a number.
func numOr(m map[string]any, key string, def float64) (float64, error) {
	if _, ok := m[key]; !ok {
		return def, nil
	}
	return need(m, key)
}

// floats reads a number or a list of numbers (Union[List[float], float]).
func floats(m map[string]any, key string) ([]float64, error) {
	v, ok := m[key]
	if !ok {
		return nil, fmt.Errorf("rope_scaling has no %q", key)
	}
	if f, ok := num(v); ok {
		return []float64{f}, nil
	}
	switch l := v.(type) {
	case []float64:
		return l, nil
	case []any:
		out := make([]float64, len(l))
		for i, e := range l {
			f, ok := num(e)
			if !ok {
				return nil, fmt.Errorf("rope_scaling %q[%d] is %T, not a number", key, i, e)
			}
			out[i] = f
		}
		return out, nil
	}
	return nil, fmt.Errorf("rope_scaling %q is %T, not a number or list", key, v)
}
