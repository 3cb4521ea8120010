package mlx_test

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// opCase computes, with the Go binding, what the Python case of the same name
// in testdata/ops_reference.py computes.
type opCase func(in []*mlx.Array) []*mlx.Array

func one(f func(in []*mlx.Array) *mlx.Array) opCase {
	return func(in []*mlx.Array) []*mlx.Array { return []*mlx.Array{f(in)} }
}

func un(f func(*mlx.Array) *mlx.Array) opCase {
	return one(func(in []*mlx.Array) *mlx.Array { return f(in[0]) })
}

func bin(f func(a, b *mlx.Array) *mlx.Array) opCase {
	return one(func(in []*mlx.Array) *mlx.Array { return f(in[0], in[1]) })
}

func must(arrs []*mlx.Array, err error) []*mlx.Array {
	if err != nil {
		return []*mlx.Array{mlx.Errorf("test", "%v", err)}
	}
	return arrs
}

func opCases() map[string]opCase {
	F, I := mlx.Float, mlx.Int
	c := map[string]opCase{
		"abs": un(mlx.Abs), "negative": un(mlx.Negative), "exp": un(mlx.Exp), "sigmoid": un(mlx.Sigmoid),
		"tanh": un(mlx.Tanh), "sin": un(mlx.Sin), "cos": un(mlx.Cos), "floor": un(mlx.Floor), "ceil": un(mlx.Ceil),
		"erf": un(mlx.Erf), "expm1": un(mlx.Expm1), "square": un(mlx.Square), "sign": un(mlx.Sign),
		"stop_gradient": un(mlx.StopGradient), "isinf": un(mlx.Isinf), "isnan": un(mlx.Isnan),
		"log": un(mlx.Log), "sqrt": un(mlx.Sqrt), "rsqrt": un(mlx.Rsqrt), "log1p": un(mlx.Log1p),
		"reciprocal": un(mlx.Reciprocal), "erfinv": un(mlx.Erfinv),
		"add": bin(mlx.Add), "subtract": bin(mlx.Subtract), "multiply": bin(mlx.Multiply), "divide": bin(mlx.Divide),
		"maximum": bin(mlx.Maximum), "minimum": bin(mlx.Minimum),
		"power": bin(func(a, b *mlx.Array) *mlx.Array { return mlx.Power(mlx.Abs(a), b) }),
		"equal": bin(mlx.Equal), "not_equal": bin(mlx.NotEqual), "less": bin(mlx.Less), "less_equal": bin(mlx.LessEqual),
		"greater": bin(mlx.Greater), "greater_equal": bin(mlx.GreaterEqual), "logaddexp": bin(mlx.Logaddexp),
		"arctan2": bin(mlx.Arctan2), "floor_divide": bin(mlx.FloorDivide), "remainder": bin(mlx.Remainder),
		"int_floor_divide": bin(mlx.FloorDivide), "int_remainder": bin(mlx.Remainder),
		"logical": bin(func(a, b *mlx.Array) *mlx.Array {
			return mlx.LogicalOr(mlx.LogicalAnd(a, b), mlx.LogicalNot(b))
		}),
		"matmul":                bin(mlx.Matmul),
		"conv_general_groups":   bin(func(x, w *mlx.Array) *mlx.Array { return mlx.ConvGeneral(x, w, 1, 0, 1, 1, 6, false) }),
		"conv_general_args":     bin(func(x, w *mlx.Array) *mlx.Array { return mlx.ConvGeneral(x, w, 2, 1, 2, 1, 2, true) }),
		"addmm":                 one(func(in []*mlx.Array) *mlx.Array { return mlx.Addmm(in[0], in[1], in[2], 0.5, 2.0) }),
		"broadcast_add":         bin(mlx.Add),
		"scalar_bf16_mul":       un(func(x *mlx.Array) *mlx.Array { return mlx.Multiply(x, F(2.5)) }),
		"scalar_f16_add":        un(func(x *mlx.Array) *mlx.Array { return mlx.Add(I(1), x) }),
		"scalar_int_plus_float": un(func(x *mlx.Array) *mlx.Array { return mlx.Add(x, F(2.5)) }),
		"scalar_int_times_int":  un(func(x *mlx.Array) *mlx.Array { return mlx.Multiply(x, I(3)) }),
		"scalar_pow_neg_half":   un(func(x *mlx.Array) *mlx.Array { return mlx.Power(x, F(-0.5)) }),
		"scalar_rsub":           un(func(x *mlx.Array) *mlx.Array { return mlx.Subtract(F(1), x) }),
		"where_scalar":          bin(func(c, x *mlx.Array) *mlx.Array { return mlx.Where(c, x, F(0)) }),
		"clip":                  un(func(x *mlx.Array) *mlx.Array { return mlx.Clip(x, F(-0.5), F(0.5)) }),
		"clip_lo":               un(func(x *mlx.Array) *mlx.Array { return mlx.Clip(x, F(-0.5), nil) }),
		"astype_bf16_f32": un(func(x *mlx.Array) *mlx.Array {
			return x.Astype(mlx.Bfloat16).Astype(mlx.Float32)
		}),
		"astype_f16": un(func(x *mlx.Array) *mlx.Array { return x.Astype(mlx.Float16) }),
		"view_u32":   un(func(x *mlx.Array) *mlx.Array { return x.View(mlx.Uint32) }),

		"sum_all":  un(func(x *mlx.Array) *mlx.Array { return mlx.Sum(x, false) }),
		"sum_axis": un(func(x *mlx.Array) *mlx.Array { return mlx.Sum(x, true, -1) }),
		"sum_axes": un(func(x *mlx.Array) *mlx.Array { return mlx.Sum(x, false, 0, 2) }),
		"mean":     un(func(x *mlx.Array) *mlx.Array { return mlx.Mean(x, false, 1) }),
		"max":      un(func(x *mlx.Array) *mlx.Array { return mlx.Max(x, false, -1) }),
		"min":      un(func(x *mlx.Array) *mlx.Array { return x.Min(true, 1, 3) }),
		"prod":     un(func(x *mlx.Array) *mlx.Array { return mlx.Prod(x, false, 2) }),
		"all_any": un(func(x *mlx.Array) *mlx.Array {
			return mlx.LogicalAnd(mlx.All(mlx.Greater(x, I(-3)), false, 1), mlx.Any(mlx.Greater(x, I(2)), false, 1))
		}),
		"argmax":               un(func(x *mlx.Array) *mlx.Array { return mlx.Argmax(x, -1, false) }),
		"argmax_flat":          un(mlx.ArgmaxAll),
		"argmin":               un(func(x *mlx.Array) *mlx.Array { return mlx.Argmin(x, 1, true) }),
		"softmax":              un(func(x *mlx.Array) *mlx.Array { return mlx.Softmax(x, false, -1) }),
		"softmax_precise_bf16": un(func(x *mlx.Array) *mlx.Array { return mlx.Softmax(x, true, -1) }),
		"logsumexp":            un(func(x *mlx.Array) *mlx.Array { return mlx.Logsumexp(x, true, -1) }),
		"var":                  un(func(x *mlx.Array) *mlx.Array { return mlx.Var(x, false, 1, -1) }),
		"std":                  un(func(x *mlx.Array) *mlx.Array { return mlx.Std(x, false, 0, 1, 2) }),
		"norm":                 un(func(x *mlx.Array) *mlx.Array { return mlx.Norm(x, true, -1) }),
		"norm_all":             un(func(x *mlx.Array) *mlx.Array { return mlx.Norm(x, false) }),
		"cumsum":               un(func(x *mlx.Array) *mlx.Array { return mlx.Cumsum(x, 1, false, true) }),
		"cumsum_rev_excl":      un(func(x *mlx.Array) *mlx.Array { return mlx.Cumsum(x, -1, true, false) }),
		"round":                un(func(x *mlx.Array) *mlx.Array { return mlx.Round(x, 1) }),

		"reshape":       un(func(x *mlx.Array) *mlx.Array { return x.Reshape(6, -1) }),
		"transpose":     un(func(x *mlx.Array) *mlx.Array { return x.Transpose(0, 2, 1, 3) }),
		"transpose_rev": un(func(x *mlx.Array) *mlx.Array { return x.T() }),
		"swapaxes":      un(func(x *mlx.Array) *mlx.Array { return x.Swapaxes(1, 2) }),
		"moveaxis":      un(func(x *mlx.Array) *mlx.Array { return mlx.Moveaxis(x, 1, -1) }),
		"expand_squeeze": un(func(x *mlx.Array) *mlx.Array {
			return mlx.Squeeze(mlx.ExpandDims(x, 0, 3), 0)
		}),
		"flatten":      un(func(x *mlx.Array) *mlx.Array { return x.Flatten(1, 2) }),
		"unflatten":    un(func(x *mlx.Array) *mlx.Array { return mlx.Unflatten(x, -1, 1, 5) }),
		"broadcast_to": un(func(x *mlx.Array) *mlx.Array { return mlx.BroadcastTo(x, 2, 3, 4) }),
		"tile":         un(func(x *mlx.Array) *mlx.Array { return mlx.Tile(x, 2, 1) }),
		"repeat":       un(func(x *mlx.Array) *mlx.Array { return mlx.Repeat(x, 3, 1) }),
		"pad": un(func(x *mlx.Array) *mlx.Array {
			return mlx.Pad(x, []mlx.PadWidth{{1, 2}, {0, 3}}, F(-1))
		}),
		"pad_edge":    un(func(x *mlx.Array) *mlx.Array { return mlx.PadEdge(x, []mlx.PadWidth{{2, 0}, {1, 1}}) }),
		"concatenate": bin(func(a, b *mlx.Array) *mlx.Array { return mlx.Concatenate([]*mlx.Array{a, b, a}, 1) }),
		"stack":       bin(func(a, b *mlx.Array) *mlx.Array { return mlx.Stack([]*mlx.Array{a, b}, 1) }),
		"split":       func(in []*mlx.Array) []*mlx.Array { return must(mlx.Split(in[0], 2, 0)) },
		"split_at":    func(in []*mlx.Array) []*mlx.Array { return must(mlx.SplitAt(in[0], []int{1, 3}, -1)) },
		"arange":      one(func([]*mlx.Array) *mlx.Array { return mlx.Arange(2, 17, 3, mlx.Int32) }),
		"arange_float": one(func([]*mlx.Array) *mlx.Array {
			return mlx.Arange(0.5, 3.0, 0.25, mlx.Float32)
		}),
		"zeros_ones_full": one(func([]*mlx.Array) *mlx.Array {
			return mlx.Add(mlx.Add(mlx.Zeros(mlx.Float32, 2, 3), mlx.Multiply(mlx.Ones(mlx.Float32, 2, 3), I(2))),
				mlx.Full(F(0.5), mlx.Float32, 2, 3))
		}),
		"tri":        one(func([]*mlx.Array) *mlx.Array { return mlx.Tri(4, 5, 1, mlx.Float32) }),
		"tril_triu":  un(func(x *mlx.Array) *mlx.Array { return mlx.Add(mlx.Tril(x, -1), mlx.Triu(x, 2)) }),
		"contiguous": un(func(x *mlx.Array) *mlx.Array { return mlx.Contiguous(x.Transpose(3, 1, 0, 2)) }),

		"take":            bin(func(x, i *mlx.Array) *mlx.Array { return mlx.Take(x, i, 1) }),
		"take_along_axis": bin(func(x, i *mlx.Array) *mlx.Array { return mlx.TakeAlongAxis(x, i, -1) }),
		"put_along_axis": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.PutAlongAxis(in[0], in[1], in[2], -1)
		}),
		"sort":    un(func(x *mlx.Array) *mlx.Array { return mlx.Sort(x, -1) }),
		"argsort": un(func(x *mlx.Array) *mlx.Array { return mlx.Argsort(x, 1) }),
		"topk":    un(func(x *mlx.Array) *mlx.Array { return mlx.Sort(mlx.Topk(x, 2, -1), -1) }),
		"argpartition": un(func(x *mlx.Array) *mlx.Array {
			p := mlx.Argpartition(mlx.Negative(x), 1, -1).Index(mlx.Ellipsis, mlx.Slice(mlx.None, 2, 1))
			return mlx.Sort(mlx.TakeAlongAxis(x, p, -1), -1)
		}),

		"index_newaxis": un(func(x *mlx.Array) *mlx.Array { return x.Index(mlx.Ellipsis, mlx.NewAxis) }),
		"index_range":   un(func(x *mlx.Array) *mlx.Array { return x.Index(mlx.Colon, mlx.Slice(1, 3, 1)) }),
		"index_neg":     un(func(x *mlx.Array) *mlx.Array { return x.Index(-1) }),
		"index_step":    un(func(x *mlx.Array) *mlx.Array { return x.Index(mlx.Colon, mlx.Colon, mlx.Slice(mlx.None, mlx.None, 2)) }),
		"index_rev": un(func(x *mlx.Array) *mlx.Array {
			return x.Index(mlx.Slice(mlx.None, mlx.None, -1), mlx.Colon, mlx.Slice(1, mlx.None, -1))
		}),
		"index_mixed": un(func(x *mlx.Array) *mlx.Array {
			return x.Index(1, mlx.NewAxis, mlx.Slice(2, mlx.None, 1), mlx.Ellipsis, -2)
		}),
		"index_neg_slice":  un(func(x *mlx.Array) *mlx.Array { return x.Index(mlx.Ellipsis, mlx.Slice(-3, -1, 1)) }),
		"index_array":      bin(func(x, i *mlx.Array) *mlx.Array { return x.Index(i) }),
		"index_array_last": bin(func(x, i *mlx.Array) *mlx.Array { return x.Index(mlx.Ellipsis, i) }),
		"setitem_slice": un(func(x *mlx.Array) *mlx.Array {
			return x.SetIndex(F(0), mlx.Colon, mlx.Slice(1, 3, 1))
		}),
		"setitem_value": bin(func(x, v *mlx.Array) *mlx.Array { return x.SetIndex(v, mlx.Ellipsis, mlx.Slice(1, 4, 1)) }),
		"setitem_array": one(func(in []*mlx.Array) *mlx.Array { return in[0].SetIndex(in[2], mlx.Colon, in[1]) }),

		"rms_norm":      bin(func(x, w *mlx.Array) *mlx.Array { return mlx.RMSNorm(x, w, 1e-5) }),
		"rms_norm_bf16": bin(func(x, w *mlx.Array) *mlx.Array { return mlx.RMSNorm(x, w, 1e-6) }),
		"layer_norm": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.LayerNorm(in[0], in[1], in[2], 1e-5)
		}),
		"layer_norm_nobias": bin(func(x, w *mlx.Array) *mlx.Array { return mlx.LayerNorm(x, w, nil, 1e-5) }),
		"rope": un(func(x *mlx.Array) *mlx.Array {
			return mlx.Rope(x, mlx.RopeOpts{Dims: 16, Base: 10000, Scale: 1}, 3)
		}),
		"rope_trad_partial": un(func(x *mlx.Array) *mlx.Array {
			return mlx.Rope(x, mlx.RopeOpts{Dims: 8, Traditional: true, Base: 500000, Scale: 0.5}, 0)
		}),
		"rope_array_offset": bin(func(x, o *mlx.Array) *mlx.Array {
			return mlx.RopeArrayOffset(x, mlx.RopeOpts{Dims: 16, Base: 10000, Scale: 1}, o)
		}),
		"rope_freqs": bin(func(x, f *mlx.Array) *mlx.Array {
			return mlx.Rope(x, mlx.RopeOpts{Dims: 16, Scale: 1, Freqs: f}, 11)
		}),
		"sdpa_none": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.ScaledDotProductAttention(in[0], in[1], in[2], float32(math.Pow(8, -0.5)), mlx.NoMask, nil)
		}),
		"sdpa_causal": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.ScaledDotProductAttention(in[0], in[1], in[2], 0.3, mlx.CausalMask, nil)
		}),
		"sdpa_bool": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.ScaledDotProductAttention(in[0], in[1], in[2], 0.3, mlx.MaskArray(in[3]), nil)
		}),
		"sdpa_additive": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.ScaledDotProductAttention(in[0], in[1], in[2], 0.3, mlx.MaskArray(in[3]), nil)
		}),
		"sdpa_sinks": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.ScaledDotProductAttention(in[0], in[1], in[2], 0.3, mlx.CausalMask, in[3])
		}),
		"sdpa_decode": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.ScaledDotProductAttention(in[0], in[1], in[2], 0.35, mlx.NoMask, nil)
		}),
		"gather_mm": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.GatherMM(in[0], in[1].Swapaxes(-1, -2), nil, in[2], false)
		}),
		"gather_mm_sorted": one(func(in []*mlx.Array) *mlx.Array {
			return mlx.GatherMM(in[0], in[1].Swapaxes(-1, -2), nil, in[2], true)
		}),
		"gather_qmm": one(func(in []*mlx.Array) *mlx.Array {
			q, err := mlx.Quantize(in[1], 32, 4, "affine")
			if err != nil {
				return mlx.Errorf("test", "%v", err)
			}
			return mlx.GatherQMM(in[0], q.Weight, q.Scales, q.Biases, nil, in[2], true, 32, 4, "affine", false)
		}),
		"random": func([]*mlx.Array) []*mlx.Array {
			if err := mlx.Seed(7); err != nil {
				return []*mlx.Array{mlx.Errorf("seed", "%v", err)}
			}
			u := mlx.Uniform(F(0), F(1), []int{3, 4}, mlx.Float32, nil)
			n := mlx.Normal([]int{5}, mlx.Float32, 0, 1, nil)
			r := mlx.Randint(I(0), I(10), []int{6}, mlx.Int32, nil)
			logits := mlx.FromSlice([]float32{0.1, 2.0, -1.0, 0.5, 0.1, 2.0, -1.0, 0.5, 0.1, 2.0, -1.0, 0.5}, 3, 4)
			c := mlx.Categorical(logits, -1, nil)
			k := mlx.RandomKey(3)
			g := mlx.Gumbel([]int{4}, mlx.Float32, k)
			b := mlx.Bernoulli(F(0.3), []int{8}, mlx.RandomSplit(k, 2).Index(1))
			return []*mlx.Array{u, n, r, c, g, b}
		},
	}
	for _, bits := range []int{2, 3, 4, 5, 6, 8} {
		for _, gs := range []int{32, 64, 128} {
			c[fmt.Sprintf("quant_b%d_g%d", bits, gs)] = quantCase(gs, bits, "affine")
		}
	}
	c["quant_mxfp4"] = quantCase(32, 4, "mxfp4")
	return c
}

// quantCase mirrors (*quantize(w), dequantize(...), quantized_matmul(x, ...)).
func quantCase(gs, bits int, mode string) opCase {
	return func(in []*mlx.Array) []*mlx.Array {
		q, err := mlx.Quantize(in[0], gs, bits, mode)
		if err != nil {
			return []*mlx.Array{mlx.Errorf("quantize", "%v", err)}
		}
		out := []*mlx.Array{q.Weight, q.Scales}
		if q.Biases != nil {
			out = append(out, q.Biases)
		}
		out = append(out,
			mlx.Dequantize(q.Weight, q.Scales, q.Biases, gs, bits, mode, -1),
			mlx.QuantizedMatmul(in[1], q.Weight, q.Scales, q.Biases, true, gs, bits, mode))
		return out
	}
}

// TestOpsMatchPython runs every case of testdata/ops_reference.py with MLX in
// Python and with the Go binding on the same inputs, and compares: integer
// and boolean results exactly, floating results to 1e-6 relative (they run
// the same libmlx kernels, so most agree bit for bit).
func TestOpsMatchPython(t *testing.T) {
	dir := t.TempDir()
	pyref.Run(t, "testdata/ops_reference.py", dir)
	ref, err := mlx.LoadSafetensors(filepath.Join(dir, "ops.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Free()
	var manifest map[string]struct{ Inputs, Outputs int }
	if err := json.Unmarshal([]byte(ref.Metadata["manifest"]), &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	cases := opCases()
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
	for _, name := range names {
		m := manifest[name]
		f, ok := cases[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
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
				same, err := compare(g, want, 1e-6)
				if err != nil {
					t.Errorf("output %d: %v", j, err)
				}
				total++
				if same {
					exact++
				}
			}
		})
	}
	t.Logf("%d cases, %d outputs; %d bit-identical to Python", len(names), total, exact)
}

// compare checks shape, dtype and values; it reports whether they are
// bit-identical, and an error when they differ beyond rtol.
func compare(got, want *mlx.Array, rtol float64) (bool, error) {
	if err := got.Err(); err != nil {
		return false, err
	}
	if gs, ws := got.Shape(), want.Shape(); fmt.Sprint(gs) != fmt.Sprint(ws) {
		return false, fmt.Errorf("shape %v, Python %v", gs, ws)
	}
	if gd, wd := got.Dtype(), want.Dtype(); gd != wd {
		return false, fmt.Errorf("dtype %s, Python %s", gd, wd)
	}
	gb, err := got.Bytes()
	if err != nil {
		return false, err
	}
	wb, err := want.Bytes()
	if err != nil {
		return false, err
	}
	if string(gb) == string(wb) {
		return true, nil
	}
	if !want.Dtype().IsFloating() {
		return false, fmt.Errorf("%s values differ", want.Dtype())
	}
	g, err := asFloat64s(got)
	if err != nil {
		return false, err
	}
	w, err := asFloat64s(want)
	if err != nil {
		return false, err
	}
	worst := 0.0
	for i := range g {
		if math.IsNaN(g[i]) && math.IsNaN(w[i]) {
			continue
		}
		d := math.Abs(g[i]-w[i]) / math.Max(1, math.Abs(w[i]))
		worst = math.Max(worst, d)
	}
	if worst > rtol {
		return false, fmt.Errorf("max relative difference %.3g > %.3g", worst, rtol)
	}
	return false, nil
}
