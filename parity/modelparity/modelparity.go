// Package modelparity is the parity test of generated architectures: mlx-lm
// builds tiny random-weight models from the configs in parity/configs, and
// the generated Go package must load the same checkpoint and reproduce the
// full-sequence logits (max |Δ| ≤ 1e-4 in float32) and 16 greedy tokens
// through the KV cache, plain and 4-bit quantized.
package modelparity

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Tolerance is the bar on full-sequence logits (float32).
const Tolerance = 1e-4

// Run runs the parity cases of one architecture (the package of the
// generated model must be imported by the caller so that it is registered).
func Run(t *testing.T, modelType string) {
	t.Helper()
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	configs := filepath.Join(root, "parity", "configs", modelType+".json")
	if _, err := os.Stat(configs); err != nil {
		t.Fatalf("no parity configs for %s: %v", modelType, err)
	}
	out := t.TempDir()
	pyref.Run(t, filepath.Join(root, "parity", "py", "model_reference.py"), modelType, configs, out)
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, e.Name())
		}
	}
	sort.Strings(cases)
	if len(cases) == 0 {
		t.Fatal("the reference script produced no cases")
	}
	for _, c := range cases {
		t.Run(c, func(t *testing.T) { runCase(t, filepath.Join(out, c)) })
	}
}

func runCase(t *testing.T, dir string) {
	scope := mlx.NewScope()
	defer scope.Close()
	model, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := mlx.LoadSafetensors(filepath.Join(dir, "reference.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := ref.Arrays["tokens"]
	logits, err := model.Forward(tokens, nil)
	if err != nil {
		t.Fatalf("forward: %v", err)
	}
	d, err := maxAbsDiff(logits.Astype(mlx.Float32), ref.Arrays["logits"])
	if err != nil {
		t.Fatalf("logits: %v", err)
	}
	if d > Tolerance {
		t.Errorf("full-sequence logits differ from mlx-lm: max |Δ| = %.3g > %.0e", d, Tolerance)
	}
	got, stepLogits, err := Greedy(model, tokens, ref.Arrays["greedy"].Dim(1))
	if err != nil {
		t.Fatalf("greedy: %v", err)
	}
	ds, err := maxAbsDiff(stepLogits, ref.Arrays["greedy_logits"])
	if err != nil {
		t.Fatalf("greedy step logits: %v", err)
	}
	if ds > Tolerance {
		t.Errorf("logits of the cached decode steps differ from mlx-lm: max |Δ| = %.3g > %.0e", ds, Tolerance)
	}
	want, err := mlx.ToSlice[int32](ref.Arrays["greedy"])
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("greedy tokens through the cache differ:\n  go     %v\n  mlx-lm %v", got, want)
	}
	t.Logf("logits max |Δ| = %.3g; cached-step logits max |Δ| = %.3g; %d greedy tokens identical", d, ds, len(want))
	if bits, _ := strconv.Atoi(ref.Metadata["kv_bits"]); bits > 0 {
		// generate --kv-bits: the same decoding through QuantizedKVCaches.
		qgot, qsteps, err := GreedyQuantizedKV(model, tokens, len(want), 32, bits)
		if err != nil {
			t.Fatalf("greedy with %d-bit KV cache: %v", bits, err)
		}
		dq, err := maxAbsDiff(qsteps, ref.Arrays["greedy_qkv_logits"])
		if err != nil {
			t.Fatal(err)
		}
		qwant, _ := mlx.ToSlice[int32](ref.Arrays["greedy_qkv"])
		if dq > Tolerance || fmt.Sprint(qgot) != fmt.Sprint(qwant) {
			t.Errorf("%d-bit KV cache decoding differs from mlx-lm: step logits max |Δ| = %.3g; go %v, mlx-lm %v", bits, dq, qgot, qwant)
		}
		t.Logf("%d-bit KV cache: step logits max |Δ| = %.3g; greedy tokens identical", bits, dq)
	}
}

// Load builds the registered model of a checkpoint directory: config.json,
// quantization of every layer the checkpoint stores quantized (mlx-lm's
// rule: a layer is quantized when "<path>.scales" is in the weights),
// Sanitize, and a strict update.
func Load(dir string) (arch.Model, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	var config map[string]any
	if err := json.Unmarshal(b, &config); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	mt, _ := config["model_type"].(string)
	a, err := arch.Lookup(mt)
	if err != nil {
		return nil, err
	}
	model, err := a.New(config)
	if err != nil {
		return nil, err
	}
	st, err := mlx.LoadSafetensors(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		return nil, err
	}
	weights, err := model.Sanitize(st.Arrays)
	if err != nil {
		return nil, err
	}
	if q, ok := config["quantization"].(map[string]any); ok {
		gs, _ := q["group_size"].(float64)
		bits, _ := q["bits"].(float64)
		err := nn.Quantize(model.Module(), func(path string, _ any) *nn.QuantParams {
			if _, ok := weights[path+".scales"]; !ok {
				return nil
			}
			return &nn.QuantParams{GroupSize: int(gs), Bits: int(bits), Mode: "affine"}
		})
		if err != nil {
			return nil, err
		}
	}
	if err := nn.Update(model.Module(), weights); err != nil {
		return nil, err
	}
	return model, nil
}

// Greedy decodes n tokens by argmax through the model's caches; it returns
// the tokens and the last-position logits of every step, [n, vocab].
func Greedy(model arch.Model, prompt *mlx.Array, n int) ([]int32, *mlx.Array, error) {
	caches, err := modelCaches(model)
	if err != nil {
		return nil, nil, err
	}
	return greedyWith(model, caches, prompt, n)
}

// GreedyQuantizedKV is Greedy with every KVCache turned into a
// QuantizedKVCache first (mlx-lm's kv_bits with quantized_kv_start 0).
func GreedyQuantizedKV(model arch.Model, prompt *mlx.Array, n, groupSize, bits int) ([]int32, *mlx.Array, error) {
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
	return greedyWith(model, caches, prompt, n)
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

func maxAbsDiff(a, b *mlx.Array) (float64, error) {
	if fmt.Sprint(a.Shape()) != fmt.Sprint(b.Shape()) {
		return 0, fmt.Errorf("shape %v, mlx-lm %v", a.Shape(), b.Shape())
	}
	d := mlx.Max(mlx.Abs(mlx.Subtract(a, b)), false)
	v, err := d.Item()
	if err != nil {
		return 0, err
	}
	if math.IsNaN(v) {
		return math.Inf(1), nil
	}
	return v, nil
}
