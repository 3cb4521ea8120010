// Package modelparity is the parity test of generated architectures.
//
// mlx-lm, at the pinned version, builds tiny seeded random-weight models from
// the cases in parity/configs/<model_type>.json (parity/py/model_reference.py)
// and saves, for each case, one checkpoint per variant: float32, bfloat16,
// 4-bit through mlx-lm's own quantize_model and the model's quant_predicate,
// and every Hugging Face checkpoint layout the file declares (per-expert
// tensors, fused projections, rotary buffers, fp8 blocks, ...), with the
// outputs of the model that mlx-lm's own load_model builds from it. For each
// checkpoint the generated Go package must
//
//   - turn the checkpoint's weights into the same dict as Python's
//     Model.sanitize: the same keys, shapes, dtypes and values, bit for bit;
//   - load it (lm/loader, the product's loader) and reproduce the
//     full-sequence logits, in the same dtype, and the prefill followed by
//     16 greedy decode steps through its caches (each step's logits and
//     every token), and with kv_bits the same through quantized KV caches.
//
// The bar on the CPU is max |Δ| = 0 for every variant: Go runs the same ops
// on the same libmlx, so any difference is a bug. A looser tolerance exists
// only on the GPU (GPUTolerance), where Python fuses what mx.compile wraps
// into kernels the Go binding runs op by op.
package modelparity

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Steps is the number of greedy decode steps through the cache after the
// prefill (the reference script's STEPS).
const Steps = 16

// GPUTolerance is the bar on logits on the GPU, by the dtype of the logits:
// on any GPU, Metal exactly as CUDA (mlx.OnGPU() covers both). On the CPU
// the bar is 0 (see Tolerance). float32: the H100 run of
// docs/bench/gpu-h100-mlx-cuda.md measured at most 2.1e-5 (gemma2,
// gemma3_text and phi, whose nn.gelu_approx Python compiles into one kernel).
// bfloat16: not measured on a GPU yet (this bar was written on a CPU-only
// machine); a bfloat16 ulp is 2^-8 relative, so one fused rounding step
// that differs can move a logit of magnitude ~8 by 2^-5.
var GPUTolerance = map[mlx.Dtype]float64{
	mlx.Float32:  1e-4,
	mlx.Bfloat16: 0.125,
	mlx.Float16:  0.03,
}

// Tolerance is the largest max |Δ| accepted for logits of dtype d: 0 on the
// CPU, GPUTolerance on the GPU.
func Tolerance(d mlx.Dtype) float64 {
	if !mlx.OnGPU() {
		return 0
	}
	if tol, ok := GPUTolerance[d]; ok {
		return tol
	}
	return 0
}

// Meta is a checkpoint's meta.json (written by the reference script).
type Meta struct {
	Variant     string `json:"variant"`
	LogitsDtype string `json:"logits_dtype"`
	Steps       int    `json:"steps"`
	PromptLen   int    `json:"prompt_len"`
	KVBits      int    `json:"kv_bits"`
	// PrefillStep: the reference also prefilled in chunks of at most this
	// many tokens, as generate_step's prefill_step_size (0: not).
	PrefillStep int `json:"prefill_step"`
	// KeptFloat32 are parameter prefixes the bf16 variant leaves in float32
	// on the CPU (MLX's CPU GatherMM supports only float32).
	KeptFloat32 []string `json:"kept_float32"`
}

// Summary is the reference run's summary.json.
type Summary struct {
	MLXLM    string   `json:"mlx_lm"`
	MLX      string   `json:"mlx"`
	Cases    []string `json:"cases"`
	Coverage struct {
		HasSanitize bool   `json:"has_sanitize"`
		Lines       int    `json:"lines"`
		LinesRun    int    `json:"lines_run"`
		Error       string `json:"error"`
		Missing     []struct {
			File string `json:"file"`
			Line int    `json:"line"`
			Text string `json:"text"`
		} `json:"missing"`
	} `json:"coverage"`
	Reach []struct {
		Case string  `json:"case"`
		Call string  `json:"call"`
		Arg  any     `json:"arg"`
		Min  float64 `json:"min"`
		Max  float64 `json:"max"`
	} `json:"reach"`
}

// References returns the directory of modelType's reference checkpoints,
// from the cache (parity/pyref.Cached) or from a fresh run of the script.
func References(t testing.TB, modelType string) string {
	t.Helper()
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	configs := filepath.Join(root, "parity", "configs", modelType+".json")
	if _, err := os.Stat(configs); err != nil {
		t.Fatalf("no parity configs for %s: %v", modelType, err)
	}
	return pyref.Cached(t, pyref.Job{
		Name:   "models/" + modelType,
		Script: filepath.Join(root, "parity", "py", "model_reference.py"),
		Inputs: []string{configs},
		Args:   []string{modelType, configs},
	})
}

// variantOrder puts the base variants first, then the layouts by name.
func variantOrder(v string) (int, string) {
	switch v {
	case "f32":
		return 0, v
	case "bf16":
		return 1, v
	case "f16":
		return 2, v
	case "q4":
		return 3, v
	}
	return 4, v
}

// Run runs the parity cases of one architecture (the caller imports the
// generated package, which registers it).
func Run(t *testing.T, modelType string) {
	t.Helper()
	out := References(t, modelType)
	var sum Summary
	if err := readJSON(filepath.Join(out, "summary.json"), &sum); err != nil {
		t.Fatal(err)
	}
	logCoverage(t, modelType, &sum)
	for _, r := range sum.Reach {
		t.Logf("case %s reaches %s: argument %v spans [%.4g, %.4g]", r.Case, r.Call, r.Arg, r.Min, r.Max)
	}
	if len(sum.Cases) == 0 {
		t.Fatal("the reference script produced no cases")
	}
	for _, c := range sum.Cases {
		entries, err := os.ReadDir(filepath.Join(out, c))
		if err != nil {
			t.Fatal(err)
		}
		var variants []string
		for _, e := range entries {
			if e.IsDir() {
				variants = append(variants, e.Name())
			}
		}
		slices.SortFunc(variants, func(a, b string) int {
			ia, na := variantOrder(a)
			ib, nb := variantOrder(b)
			if ia != ib {
				return ia - ib
			}
			return strings.Compare(na, nb)
		})
		if len(variants) == 0 {
			t.Errorf("case %s: no checkpoints", c)
		}
		for _, v := range variants {
			dir := filepath.Join(out, c, v)
			t.Run(c+"/"+v, func(t *testing.T) { runCheckpoint(t, dir) })
		}
	}
}

func logCoverage(t *testing.T, modelType string, sum *Summary) {
	t.Helper()
	cov := &sum.Coverage
	if cov.Error != "" {
		t.Error(cov.Error)
	}
	if !cov.HasSanitize {
		t.Logf("%s has no sanitize (mlx-lm %s)", modelType, sum.MLXLM)
		return
	}
	if len(cov.Missing) == 0 {
		t.Logf("sanitize coverage: all %d lines ran", cov.Lines)
		return
	}
	var b strings.Builder
	for _, m := range cov.Missing {
		fmt.Fprintf(&b, "\n    %s:%d  %s", m.File, m.Line, m.Text)
	}
	t.Logf("sanitize coverage: %d of %d lines ran; not run:%s", cov.LinesRun, cov.Lines, b.String())
}

func runCheckpoint(t *testing.T, dir string) {
	scope := mlx.NewScope()
	defer scope.Close()
	var meta Meta
	if err := readJSON(filepath.Join(dir, "meta.json"), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Steps != Steps {
		t.Fatalf("the reference decoded %d steps after the prefill, this test expects %d", meta.Steps, Steps)
	}
	nSanitized := checkSanitize(t, dir)

	m, err := loader.Load(context.Background(), dir, loader.Options{NoProgress: true})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	defer m.Free()
	ref := paritytest.Load(t, filepath.Join(dir, "reference.safetensors"))
	tokens := paritytest.Get(t, ref, "tokens")

	logits, err := m.Forward(tokens, nil)
	if err != nil {
		t.Fatalf("forward: %v", err)
	}
	var report []string
	if got := logits.Dtype().String(); got != meta.LogitsDtype {
		t.Errorf("logits dtype %s, mlx-lm %s", got, meta.LogitsDtype)
	}
	tol := Tolerance(logits.Dtype())
	report = append(report, compareLogits(t, "full-sequence logits (no cache)", logits.Astype(mlx.Float32),
		paritytest.Get(t, ref, "logits"), tol))

	toks, steps, err := Decode(m.Model, tokens, Steps)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	report = append(report, compareLogits(t, fmt.Sprintf("prefill + %d cached decode steps, logits", Steps), steps,
		paritytest.Get(t, ref, "decode_logits"), tol))
	report = append(report, compareTokens(t, fmt.Sprintf("prefill + %d cached decode steps, greedy tokens", Steps), toks,
		paritytest.Ints(t, paritytest.Get(t, ref, "decode_tokens"))))

	if meta.PrefillStep > 0 {
		ct, cs, err := DecodeChunked(m.Model, tokens, Steps, meta.PrefillStep)
		if err != nil {
			t.Fatalf("decode with a chunked prefill: %v", err)
		}
		what := fmt.Sprintf("prefill in chunks of %d + %d decode steps", meta.PrefillStep, Steps)
		report = append(report, compareLogits(t, what+", logits", cs, paritytest.Get(t, ref, "decode_chunked_logits"), tol))
		report = append(report, compareTokens(t, what+", greedy tokens", ct,
			paritytest.Ints(t, paritytest.Get(t, ref, "decode_chunked_tokens"))))
	}
	if meta.KVBits > 0 {
		qt, qs, err := DecodeQuantizedKV(m.Model, tokens, Steps, 32, meta.KVBits)
		if err != nil {
			t.Fatalf("decode with a %d-bit KV cache: %v", meta.KVBits, err)
		}
		what := fmt.Sprintf("%d-bit KV cache: prefill + %d decode steps", meta.KVBits, Steps)
		report = append(report, compareLogits(t, what+", logits", qs, paritytest.Get(t, ref, "decode_qkv_logits"), tol))
		report = append(report, compareTokens(t, what+", greedy tokens", qt,
			paritytest.Ints(t, paritytest.Get(t, ref, "decode_qkv_tokens"))))
	}
	head := fmt.Sprintf("%s, logits %s", meta.Variant, meta.LogitsDtype)
	if len(meta.KeptFloat32) > 0 {
		head += fmt.Sprintf(" (experts %s kept float32: the CPU's GatherMM has no bfloat16)", strings.Join(meta.KeptFloat32, ", "))
	}
	t.Logf("%s; sanitize: %d weights identical to mlx-lm's\n  %s", head, nSanitized, strings.Join(report, "\n  "))
}

// compareLogits fails the test when got and want differ by more than tol and
// returns the line the log reports: "bit-identical" only when they are.
func compareLogits(t *testing.T, what string, got, want *mlx.Array, tol float64) string {
	t.Helper()
	d, err := paritytest.MaxAbsDiff(got, want)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return what + ": " + err.Error()
	}
	switch {
	case d > tol:
		t.Errorf("%s differ from mlx-lm: max |Δ| = %.3g > %.3g (%s)", what, d, tol, backend())
		return fmt.Sprintf("%s: DIFFER, max |Δ| = %.3g", what, d)
	case d == 0:
		return what + ": bit-identical"
	default:
		return fmt.Sprintf("%s: max |Δ| = %.3g, within the GPU tolerance %.3g", what, d, tol)
	}
}

func compareTokens(t *testing.T, what string, got []int32, want []int) string {
	t.Helper()
	g := make([]int, len(got))
	for i, x := range got {
		g[i] = int(x)
	}
	if !slices.Equal(g, want) {
		t.Errorf("%s differ:\n  go     %v\n  mlx-lm %v", what, g, want)
		return what + ": DIFFER"
	}
	return fmt.Sprintf("%s: all %d identical", what, len(want))
}

func backend() string {
	if mlx.OnGPU() {
		return "GPU tolerance"
	}
	return "the CPU bar is bit-exact"
}

// checkSanitize feeds the checkpoint's weights to the generated Sanitize
// (on a model of its own, since sanitize may change the model) and requires
// exactly the dict Python's Model.sanitize made of them. It returns the
// number of weights compared.
func checkSanitize(t *testing.T, dir string) int {
	t.Helper()
	config, err := loader.ReadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := arch.LookupConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	model, err := a.New(config)
	if err != nil {
		t.Fatalf("building the model: %v", err)
	}
	in := paritytest.Load(t, filepath.Join(dir, "model.safetensors"))
	want := paritytest.Load(t, filepath.Join(dir, "sanitized.safetensors"))
	weights := make(map[string]*mlx.Array, len(in.Arrays))
	for k, v := range in.Arrays {
		weights[k] = v
	}
	got, err := model.Sanitize(weights)
	if err != nil {
		t.Fatalf("sanitize: %v", err)
	}
	var extra, missing []string
	for k := range got {
		if _, ok := want.Arrays[k]; !ok {
			extra = append(extra, k)
		}
	}
	for k := range want.Arrays {
		if _, ok := got[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 || len(missing) > 0 {
		t.Errorf("sanitize: keys differ from mlx-lm's Model.sanitize\n  only in Go:     %v\n  only in mlx-lm: %v", extra, missing)
	}
	n := 0
	for _, k := range want.Names() {
		g, ok := got[k]
		if !ok {
			continue
		}
		w := want.Arrays[k]
		if err := g.Err(); err != nil {
			t.Errorf("sanitize: %s: %v", k, err)
			continue
		}
		if g.Dtype() != w.Dtype() || !slices.Equal(g.Shape(), w.Shape()) {
			t.Errorf("sanitize: %s is %s%v, mlx-lm's %s%v", k, g.Dtype(), g.Shape(), w.Dtype(), w.Shape())
			continue
		}
		if d, err := bitDiff(g, w); err != nil {
			t.Errorf("sanitize: %s: %v", k, err)
		} else if d != "" {
			t.Errorf("sanitize: %s differs from mlx-lm's: %s", k, d)
		}
		n++
	}
	return n
}

// bitDiff compares two arrays of one dtype and shape value by value ("" when
// equal); NaNs compare equal to NaNs.
func bitDiff(a, b *mlx.Array) (string, error) {
	x, err := paritytest.AsFloat64s(a)
	if err != nil {
		return "", err
	}
	y, err := paritytest.AsFloat64s(b)
	if err != nil {
		return "", err
	}
	n, worst, at := 0, 0.0, -1
	for i := range x {
		if x[i] == y[i] || (math.IsNaN(x[i]) && math.IsNaN(y[i])) {
			continue
		}
		n++
		if d := math.Abs(x[i] - y[i]); !(d <= worst) {
			worst, at = d, i
		}
	}
	if n == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d of %d values differ, max |Δ| = %.3g (element %d: %v vs %v)", n, len(x), worst, at, x[at], y[at]), nil
}

// Load builds the registered model of a checkpoint directory through the
// product's loader (lm/loader: config.json, Sanitize, quantization of the
// layers the checkpoint quantized, strict update) and returns the
// architecture's model.
func Load(dir string) (arch.Model, error) {
	m, err := loader.Load(context.Background(), dir, loader.Options{NoProgress: true})
	if err != nil {
		return nil, err
	}
	return m.Model, nil
}

// Greedy runs n forward calls by argmax through the model's caches (the
// prompt, then n-1 single tokens); it returns the n tokens and the
// last-position logits of every call, [n, vocab].
func Greedy(model arch.Model, prompt *mlx.Array, n int) ([]int32, *mlx.Array, error) {
	caches, err := modelCaches(model)
	if err != nil {
		return nil, nil, err
	}
	return greedyWith(model, caches, prompt, n)
}

// Decode is the prefill followed by steps greedy decode steps through the
// cache: 1 + steps tokens and the logits of the 1 + steps forward calls.
func Decode(model arch.Model, prompt *mlx.Array, steps int) ([]int32, *mlx.Array, error) {
	return Greedy(model, prompt, steps+1)
}

// DecodeQuantizedKV is Decode with every KVCache turned into a
// QuantizedKVCache first (mlx-lm's kv_bits with quantized_kv_start 0).
func DecodeQuantizedKV(model arch.Model, prompt *mlx.Array, steps, groupSize, bits int) ([]int32, *mlx.Array, error) {
	caches, err := modelCaches(model)
	if err != nil {
		return nil, nil, err
	}
	for i, c := range caches {
		if kv, ok := c.(*cache.KVCache); ok {
			q, err := kv.ToQuantized(groupSize, bits)
			if err != nil {
				return nil, nil, err
			}
			caches[i] = q
		}
	}
	return greedyWith(model, caches, prompt, steps+1)
}

// DecodeChunked is Decode with the prompt prefilled as mlx-lm's
// generate_step does with prefill_step_size = step: forward calls of at most
// step tokens through the caches until one token is left, which the first
// sampled call takes (a recurrent block's state crosses the chunks).
func DecodeChunked(model arch.Model, prompt *mlx.Array, steps, step int) ([]int32, *mlx.Array, error) {
	caches, err := modelCaches(model)
	if err != nil {
		return nil, nil, err
	}
	x := prompt
	for x.Dim(1) > 1 {
		n := min(step, x.Dim(1)-1)
		if _, err := model.Forward(x.Index(mlx.Colon, mlx.Slice(0, n, 1)), caches); err != nil {
			return nil, nil, err
		}
		x = x.Index(mlx.Colon, mlx.Slice(n, mlx.None, 1))
	}
	return greedyWith(model, caches, x, steps+1)
}

func modelCaches(model arch.Model) ([]cache.Cache, error) {
	caches, err := model.MakeCache()
	if err != nil {
		return nil, err
	}
	if caches == nil {
		return cache.MakePromptCache(layerCounter{model}, 0)
	}
	return caches, nil
}

func greedyWith(model arch.Model, caches []cache.Cache, prompt *mlx.Array, n int) ([]int32, *mlx.Array, error) {
	var out []int32
	var steps []*mlx.Array
	x := prompt
	for range n {
		logits, err := model.Forward(x, caches)
		if err != nil {
			return nil, nil, err
		}
		last := logits.Index(mlx.Colon, -1, mlx.Colon)
		steps = append(steps, last.Astype(mlx.Float32))
		y := mlx.Argmax(last, -1, false)
		v, err := mlx.ToSlice[uint32](y)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, int32(v[0]))
		x = y.Reshape(1, 1)
	}
	return out, mlx.Concatenate(steps, 0), nil
}

type layerCounter struct{ m arch.Model }

func (l layerCounter) NumLayers() int { return l.m.NumLayers() }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
