package nn_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// The Python reference (testdata/nn_reference.py) runs once per test binary,
// into refDir (made and removed by TestMain); both parity tests read its file.
var (
	refDir  string
	refOnce sync.Once
	refData *mlx.Tensors
	refErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nn-parity-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	refDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func reference(t *testing.T) *mlx.Tensors {
	t.Helper()
	refOnce.Do(func() {
		pyref.Run(t, "testdata/nn_reference.py", refDir)
		refData, refErr = mlx.LoadSafetensors(filepath.Join(refDir, "nn.safetensors"))
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	if refData == nil {
		t.Fatal("the Python reference did not run (see the first test's failure)")
	}
	return refData
}

// nnCase computes with the Go nn package what the Python case of the same
// name computes, from the same inputs.
type nnCase func(in []*mlx.Array) []*mlx.Array

func outs(a ...*mlx.Array) []*mlx.Array { return a }

func fail(err error) []*mlx.Array { return outs(mlx.Errorf("test", "%v", err)) }

func nnCases() map[string]nnCase {
	c := map[string]nnCase{}
	for _, dt := range []string{"f32", "bf16"} {
		c["linear_bias_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			return outs((&nn.Linear{Weight: in[0], Bias: in[1]}).Forward(in[2]))
		}
		c["linear_nobias_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			return outs((&nn.Linear{Weight: in[0]}).Forward(in[1]))
		}
		c["rmsnorm_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			return outs((&nn.RMSNorm{Weight: in[0], Eps: 1e-5}).Forward(in[1]))
		}
		c["rmsnorm_eps6_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			return outs((&nn.RMSNorm{Weight: in[0], Eps: 1e-6}).Forward(in[1]))
		}
		c["layernorm_affine_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			n := nn.NewLayerNorm(in[2].Dim(-1), 1e-5, true, true)
			n.Weight, n.Bias = in[0], in[1]
			return outs(n.Forward(in[2]))
		}
		c["layernorm_nobias_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			n := nn.NewLayerNorm(in[1].Dim(-1), 1e-5, true, false)
			if n.Bias != nil {
				return fail(fmt.Errorf("NewLayerNorm(affine, no bias) has a bias"))
			}
			n.Weight = in[0]
			return outs(n.Forward(in[1]))
		}
		c["layernorm_noaffine_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			n := nn.NewLayerNorm(in[0].Dim(-1), 1e-5, false, false)
			if n.Weight != nil || n.Bias != nil {
				return fail(fmt.Errorf("NewLayerNorm(not affine) has parameters"))
			}
			return outs(n.Forward(in[0]))
		}
		acts := map[string]func(*mlx.Array) *mlx.Array{
			"silu": nn.Silu, "gelu": nn.Gelu, "gelu_approx": nn.GeluApprox, "gelu_fast_approx": nn.GeluFastApprox,
			"relu": nn.Relu, "relu2": nn.Relu2, "softplus": nn.Softplus, "sigmoid": nn.Sigmoid,
		}
		for name, f := range acts {
			// out0: Python's mx.compile'd function, out1: the same uncompiled.
			c["act_"+name+"_"+dt] = func(in []*mlx.Array) []*mlx.Array {
				y := f(in[0])
				return outs(y, y)
			}
		}
		c["act_swiglu_"+dt] = func(in []*mlx.Array) []*mlx.Array {
			y := nn.Swiglu(in[0], in[1])
			return outs(y, y)
		}
	}
	for _, bits := range []int{4, 8} {
		for _, gs := range []int{32, 64} {
			q := nn.QuantParams{GroupSize: gs, Bits: bits}
			c[fmt.Sprintf("qlinear_b%d_g%d", bits, gs)] = func(in []*mlx.Array) []*mlx.Array {
				ql, err := (&nn.Linear{Weight: in[0], Bias: in[1]}).ToQuantized(q)
				if err != nil {
					return fail(err)
				}
				l, ok := ql.(*nn.QuantizedLinear)
				if !ok {
					return fail(fmt.Errorf("Linear.ToQuantized gave %T", ql))
				}
				return outs(l.Weight, l.Scales, l.Biases, l.Bias, l.Forward(in[2]))
			}
			c[fmt.Sprintf("qembedding_b%d_g%d", bits, gs)] = func(in []*mlx.Array) []*mlx.Array {
				qe, err := (&nn.Embedding{Weight: in[0]}).ToQuantized(q)
				if err != nil {
					return fail(err)
				}
				e, ok := qe.(*nn.QuantizedEmbedding)
				if !ok {
					return fail(fmt.Errorf("Embedding.ToQuantized gave %T", qe))
				}
				return outs(e.Weight, e.Scales, e.Biases, e.Forward(in[1]), e.AsLinear(in[2]))
			}
		}
	}
	c["embedding"] = func(in []*mlx.Array) []*mlx.Array {
		e := &nn.Embedding{Weight: in[0]}
		return outs(e.Forward(in[1]), e.AsLinear(in[2]))
	}
	for _, trad := range []bool{false, true} {
		for _, r := range []struct {
			dims        int
			base, scale float32
			offset      int
		}{{32, 10000, 1, 0}, {32, 10000, 1, 17}, {16, 500000, 0.25, 5}} {
			name := fmt.Sprintf("rope_t%d_d%d_o%d", map[bool]int{false: 0, true: 1}[trad], r.dims, r.offset)
			c[name] = func(in []*mlx.Array) []*mlx.Array {
				return outs(nn.NewRoPE(r.dims, trad, r.base, r.scale).Forward(in[0], r.offset))
			}
		}
	}
	c["rope_bf16"] = func(in []*mlx.Array) []*mlx.Array {
		return outs(nn.NewRoPE(32, false, 10000, 1).Forward(in[0], 3))
	}
	c["rope_array_offset"] = func(in []*mlx.Array) []*mlx.Array {
		return outs(nn.NewRoPE(32, false, 10000, 1).ForwardArray(in[0], in[1]))
	}
	return c
}

// TestLayersMatchPython runs every case of testdata/nn_reference.py with
// mlx.nn in Python and with this package on the same inputs, and compares
// shape, dtype and values: integer outputs (packed quantized weights)
// exactly, floating ones to 1e-6 relative (|Δ|/max(1,|want|)) in float32 and
// to 0 in bfloat16 — Go issues the same ops on the same libmlx, so there is
// no rounding that could legitimately differ. Activations are compared both
// with Python's mx.compile'd function (what models call) and with the same
// function uncompiled.
func TestLayersMatchPython(t *testing.T) {
	ref := reference(t)
	var manifest map[string]struct{ Inputs, Outputs int }
	if err := json.Unmarshal([]byte(ref.Metadata["manifest"]), &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	cases := nnCases()
	var names []string
	for n := range manifest {
		names = append(names, n)
		if _, ok := cases[n]; !ok {
			t.Errorf("Python case %q has no Go counterpart", n)
		}
	}
	for n := range cases {
		if _, ok := manifest[n]; !ok {
			t.Errorf("Go case %q has no Python counterpart", n)
		}
	}
	sort.Strings(names)
	exact, total := 0, 0
	worst := map[string]float64{} // by dtype
	for _, name := range names {
		m := manifest[name]
		f, ok := cases[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			s := mlx.NewScope()
			defer s.Close()
			in := make([]*mlx.Array, m.Inputs)
			for i := range in {
				in[i] = ref.Arrays[fmt.Sprintf("%s.in%d", name, i)]
			}
			got := f(in)
			if len(got) != m.Outputs {
				t.Fatalf("Go gives %d outputs, Python %d", len(got), m.Outputs)
			}
			for j, g := range got {
				want := ref.Arrays[fmt.Sprintf("%s.out%d", name, j)]
				tol := 1e-6
				if want.Dtype() == mlx.Bfloat16 {
					tol = 0
				}
				d, err := compare(g, want, tol)
				if err != nil {
					t.Errorf("output %d: %v", j, err)
					continue
				}
				total++
				if d == 0 {
					exact++
				}
				k := want.Dtype().String()
				worst[k] = math.Max(worst[k], d)
			}
		})
	}
	t.Logf("%d cases, %d outputs; %d bit-identical to Python; max relative difference by dtype: %v",
		len(names), total, exact, worst)
}

// compare checks shape, dtype and values and returns the largest relative
// difference |got-want|/max(1,|want|), or an error when that exceeds tol
// (integer and boolean outputs must be equal).
func compare(got, want *mlx.Array, tol float64) (float64, error) {
	if err := got.Err(); err != nil {
		return 0, err
	}
	if want == nil {
		return 0, fmt.Errorf("Python output missing")
	}
	if gs, ws := got.Shape(), want.Shape(); fmt.Sprint(gs) != fmt.Sprint(ws) {
		return 0, fmt.Errorf("shape %v, Python %v", gs, ws)
	}
	if gd, wd := got.Dtype(), want.Dtype(); gd != wd {
		return 0, fmt.Errorf("dtype %s, Python %s", gd, wd)
	}
	gb, err := got.Bytes()
	if err != nil {
		return 0, err
	}
	wb, err := want.Bytes()
	if err != nil {
		return 0, err
	}
	if string(gb) == string(wb) {
		return 0, nil
	}
	if !want.Dtype().IsFloating() {
		return 0, fmt.Errorf("%s values differ", want.Dtype())
	}
	g, err := asFloat64s(got)
	if err != nil {
		return 0, err
	}
	w, err := asFloat64s(want)
	if err != nil {
		return 0, err
	}
	worst := 0.0
	for i := range g {
		if math.IsNaN(g[i]) && math.IsNaN(w[i]) {
			continue
		}
		if g[i] == w[i] { // also equal infinities
			continue
		}
		worst = math.Max(worst, math.Abs(g[i]-w[i])/math.Max(1, math.Abs(w[i])))
	}
	if worst > tol || math.IsNaN(worst) {
		return worst, fmt.Errorf("max relative difference %.3g > %.3g", worst, tol)
	}
	return worst, nil
}

// ---- the small nested model of nn_reference.py ----

type mlp struct {
	GateProj nn.LinearLayer
	UpProj   nn.LinearLayer
	DownProj nn.LinearLayer
}

func (m *mlp) forward(x *mlx.Array) *mlx.Array {
	return m.DownProj.Forward(nn.Swiglu(m.GateProj.Forward(x), m.UpProj.Forward(x)))
}

type block struct {
	InputLayernorm *nn.RMSNorm
	OProj          nn.LinearLayer
	PostNorm       *nn.LayerNorm
	MLP            *mlp `mlx:"mlp"`
}

func (b *block) forward(x *mlx.Array) *mlx.Array {
	x = mlx.Add(x, b.OProj.Forward(b.InputLayernorm.Forward(x)))
	return mlx.Add(x, b.MLP.forward(b.PostNorm.Forward(x)))
}

type model struct {
	EmbedTokens nn.EmbeddingLayer
	Layers      []*block
	Norm        *nn.RMSNorm
	LmHead      nn.LinearLayer
	Vocab       int `mlx:"-"`
}

func newModel(vocab, d, h, n int) *model {
	m := &model{EmbedTokens: nn.NewEmbedding(vocab, d), Norm: nn.NewRMSNorm(d, 1e-5),
		LmHead: nn.NewLinear(d, vocab, false), Vocab: vocab}
	for range n {
		m.Layers = append(m.Layers, &block{
			InputLayernorm: nn.NewRMSNorm(d, 1e-5),
			OProj:          nn.NewLinear(d, d, true),
			PostNorm:       nn.NewLayerNorm(d, 1e-5, true, true),
			MLP: &mlp{GateProj: nn.NewLinear(d, h, false), UpProj: nn.NewLinear(d, h, false),
				DownProj: nn.NewLinear(h, d, false)},
		})
	}
	return m
}

func (m *model) forward(ids *mlx.Array) (logits, tied *mlx.Array) {
	h := m.EmbedTokens.Forward(ids)
	for _, l := range m.Layers {
		h = l.forward(h)
	}
	h = m.Norm.Forward(h)
	return m.LmHead.Forward(h), m.EmbedTokens.AsLinear(h)
}

// modelPredicate is nn_reference.py's class_predicate in Go.
func modelPredicate(path string, layer any) *nn.QuantParams {
	switch {
	case path == "embed_tokens":
		return &nn.QuantParams{GroupSize: 32, Bits: 4}
	case path == "lm_head":
		return &nn.QuantParams{GroupSize: 64, Bits: 4}
	case strings.HasPrefix(path, "layers.1.") || !strings.HasSuffix(path, "_proj") || strings.Contains(path, "o_proj"):
		return nil
	case strings.HasSuffix(path, "down_proj"):
		return &nn.QuantParams{GroupSize: 32, Bits: 8}
	}
	return &nn.QuantParams{GroupSize: 64, Bits: 4}
}

func metaJSON(t *testing.T, ref *mlx.Tensors, key string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(ref.Metadata[key]), v); err != nil {
		t.Fatalf("metadata %s: %v", key, err)
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// TestModelTreeAndQuantizeMatchPython builds the Go twin of nn_reference.py's
// Model (an embedding, a slice of blocks each with a nested MLP, norms and
// linears) and checks against Python: the parameter names equal
// tree_flatten(model.parameters())'s; Update with Python's weights gives the
// same logits; nn.Quantize with the same predicate replaces exactly the
// layers Python's nn.quantize(class_predicate=...) replaced, with the same
// group size and bits, the same parameter names and packed weights, and the
// same logits.
func TestModelTreeAndQuantizeMatchPython(t *testing.T) {
	ref := reference(t)
	s := mlx.NewScope()
	defer s.Close()
	const vocab, d, h, n = 96, 64, 128, 3
	m := newModel(vocab, d, h, n)

	var pyNames, pyQNames []string
	metaJSON(t, ref, "model.names", &pyNames)
	metaJSON(t, ref, "model.qnames", &pyQNames)
	if got, want := nn.ParameterNames(m), sorted(pyNames); !reflect.DeepEqual(got, want) {
		t.Fatalf("parameter names\n Go:     %v\n Python: %v", got, want)
	}

	weights := map[string]*mlx.Array{}
	for _, name := range pyNames {
		weights[name] = ref.Arrays["model.weight."+name]
	}
	if err := nn.Update(m, weights); err != nil {
		t.Fatal(err)
	}
	ids := ref.Arrays["model.ids"]
	logits, tied := m.forward(ids)
	for name, got := range map[string]*mlx.Array{"logits": logits, "tied": tied} {
		d, err := compare(got, ref.Arrays["model."+name], 1e-6)
		if err != nil {
			t.Errorf("float model %s: %v", name, err)
		}
		t.Logf("float model %s: max relative difference %.3g", name, d)
	}

	if err := nn.Quantize(m, modelPredicate); err != nil {
		t.Fatal(err)
	}
	var pyTypes map[string]string
	var pyParams map[string]struct {
		GroupSize int `json:"group_size"`
		Bits      int `json:"bits"`
	}
	metaJSON(t, ref, "model.qtypes", &pyTypes)
	metaJSON(t, ref, "model.qparams", &pyParams)
	goLayers := map[string]any{"embed_tokens": m.EmbedTokens, "lm_head": m.LmHead}
	for i, l := range m.Layers {
		p := fmt.Sprintf("layers.%d.", i)
		goLayers[p+"o_proj"] = l.OProj
		goLayers[p+"mlp.gate_proj"] = l.MLP.GateProj
		goLayers[p+"mlp.up_proj"] = l.MLP.UpProj
		goLayers[p+"mlp.down_proj"] = l.MLP.DownProj
	}
	if len(goLayers) != len(pyTypes) {
		t.Errorf("Python reports %d quantizable layers, the Go model has %d", len(pyTypes), len(goLayers))
	}
	quantized := 0
	for path, layer := range goLayers {
		var typ string
		var gs, bits int
		switch l := layer.(type) {
		case *nn.Linear:
			typ = "Linear"
		case *nn.Embedding:
			typ = "Embedding"
		case *nn.QuantizedLinear:
			typ, gs, bits = "QuantizedLinear", l.GroupSize, l.Bits
		case *nn.QuantizedEmbedding:
			typ, gs, bits = "QuantizedEmbedding", l.GroupSize, l.Bits
		default:
			typ = fmt.Sprintf("%T", layer)
		}
		if pyTypes[path] != typ {
			t.Errorf("%s: Go has %s, Python %s", path, typ, pyTypes[path])
		}
		if strings.HasPrefix(typ, "Quantized") {
			quantized++
		}
		if p, ok := pyParams[path]; ok && (p.GroupSize != gs || p.Bits != bits) {
			t.Errorf("%s: Go quantized with group %d bits %d, Python group %d bits %d", path, gs, bits, p.GroupSize, p.Bits)
		}
	}
	if quantized != len(pyParams) {
		t.Errorf("Go quantized %d layers, Python %d", quantized, len(pyParams))
	}
	if got, want := nn.ParameterNames(m), sorted(pyQNames); !reflect.DeepEqual(got, want) {
		t.Fatalf("quantized parameter names\n Go:     %v\n Python: %v", got, want)
	}
	params := nn.Parameters(m)
	for _, name := range pyQNames {
		if _, err := compare(params[name], ref.Arrays["model.quantized."+name], 0); err != nil {
			t.Errorf("quantized parameter %s: %v", name, err)
		}
	}
	qlogits, qtied := m.forward(ids)
	for name, got := range map[string]*mlx.Array{"qlogits": qlogits, "qtied": qtied} {
		d, err := compare(got, ref.Arrays["model."+name], 1e-6)
		if err != nil {
			t.Errorf("quantized model %s: %v", name, err)
		}
		t.Logf("quantized model %s: max relative difference %.3g", name, d)
	}
}
