package convert

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "github.com/hf2go/hf2go/generated/models/deepseek_v3"
	_ "github.com/hf2go/hf2go/generated/models/llama"
	_ "github.com/hf2go/hf2go/generated/models/qwen3_moe"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/parity/pyref"
)

// The cases of testdata/convert_ref.py: the same options on both sides.
var parityCases = map[string]Options{
	"llama-f32-bf16":    {Dtype: "bfloat16"},
	"llama-f32-q4":      {Quantize: true, Bits: 4, GroupSize: 64},
	"qwen3moe-bf16-f32": {Dtype: "float32"},
	"qwen3moe-bf16-q4":  {Quantize: true, Bits: 4, GroupSize: 64},
	// cast_predicate: e_score_correction_bias keeps float32.
	"deepseekv3-f32-bf16-q4": {Quantize: true, Dtype: "bfloat16"},
	// No torch_dtype: text_config's dtype (mlx-lm 0.32).
	"llama-f32-textcfg": {},
}

type parityResult struct {
	MaxAbsDiff              float64        `json:"max_abs_diff"`
	KeysEqual               bool           `json:"keys_equal"`
	FileKeysEqual           bool           `json:"file_keys_equal"`
	FileArraysEqual         bool           `json:"file_arrays_equal"`
	QuantizationEqual       bool           `json:"quantization_equal"`
	QuantizationConfigEqual bool           `json:"quantization_config_equal"`
	ConfigEqual             bool           `json:"config_equal"`
	Quantization            map[string]any `json:"quantization"`
	PyFiles                 []string       `json:"py_files"`
	GoFiles                 []string       `json:"go_files"`
	PyIndexMetadata         map[string]int `json:"py_index_metadata"`
	GoIndexMetadata         map[string]int `json:"go_index_metadata"`
	GoIndexSorted           bool           `json:"go_index_sorted"`
	GoFloat32Keys           []string       `json:"go_float32_keys"`
	Metadata                map[string]map[string]string
}

// TestConvertParity converts tiny random-weight Hugging Face checkpoints
// (llama float32, qwen3_moe bfloat16 with per-expert weights) with
// mlx_lm.convert and with Convert, plain and 4-bit, then loads both outputs
// in mlx-lm: logits, weights, configs and index metadata must be identical.
func TestConvertParity(t *testing.T) {
	root := t.TempDir()
	script := filepath.Join(paritytest.RepoRoot(t), "lm", "convert", "testdata", "convert_ref.py")
	pyref.Run(t, script, "make", root)
	pyref.Run(t, script, "convert", root)
	for name, o := range parityCases {
		o.HFPath = filepath.Join(root, name, "hf")
		o.MLXPath = filepath.Join(root, name, "go")
		if _, err := Convert(context.Background(), o); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	out := string(pyref.Run(t, script, "compare", root))
	i := strings.LastIndex(out, "RESULT ")
	if i < 0 {
		t.Fatalf("no RESULT line in:\n%s", out)
	}
	var results map[string]parityResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(out[i+len("RESULT "):])), &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(parityCases) {
		t.Fatalf("compared %d cases, want %d", len(results), len(parityCases))
	}
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		r := results[name]
		t.Logf("%s: logits max |Δ| = %g; quantization %v", name, r.MaxAbsDiff, r.Quantization)
		if r.MaxAbsDiff != 0 {
			t.Errorf("%s: logits differ: max |Δ| = %g", name, r.MaxAbsDiff)
		}
		for what, ok := range map[string]bool{
			"model parameter names and dtypes": r.KeysEqual, "saved tensor names": r.FileKeysEqual,
			"saved tensors": r.FileArraysEqual, "config quantization": r.QuantizationEqual,
			"config quantization_config": r.QuantizationConfigEqual, "config (as loaded)": r.ConfigEqual,
			"weight_map sorted": r.GoIndexSorted,
		} {
			if !ok {
				t.Errorf("%s: %s differ", name, what)
			}
		}
		if r.PyIndexMetadata["total_size"] != r.GoIndexMetadata["total_size"] ||
			r.PyIndexMetadata["total_parameters"] != r.GoIndexMetadata["total_parameters"] {
			t.Errorf("%s: index metadata: mlx_lm %v, ours %v", name, r.PyIndexMetadata, r.GoIndexMetadata)
		}
		if r.Metadata["go"]["format"] != "mlx" {
			t.Errorf("%s: safetensors metadata %v", name, r.Metadata["go"])
		}
		// mlx_lm also writes a model card (README.md); we do not.
		var py []string
		for _, f := range r.PyFiles {
			if f != "README.md" {
				py = append(py, f)
			}
		}
		if strings.Join(py, ",") != strings.Join(r.GoFiles, ",") {
			t.Errorf("%s: files: mlx_lm %v, ours %v", name, r.PyFiles, r.GoFiles)
		}
		if strings.HasSuffix(name, "q4") && r.Quantization == nil {
			t.Errorf("%s: not quantized", name)
		}
	}
	if q := results["qwen3moe-bf16-q4"].Quantization; q["model.layers.0.mlp.gate"] == nil {
		t.Errorf("qwen3_moe's quant_predicate (8-bit router) not applied: %v", q)
	}

	if k := results["deepseekv3-f32-bf16-q4"].GoFloat32Keys; len(k) == 0 || !strings.Contains(strings.Join(k, ","), "e_score_correction_bias") {
		t.Errorf("deepseek_v3's cast_predicate: float32 tensors %v, want the e_score_correction_bias ones", k)
	} else {
		t.Logf("deepseek_v3: kept float32 under --dtype bfloat16: %v", k)
	}

	// Sharding: a small limit gives model-0000i-of-0000n files whose index
	// covers every tensor, and the result loads.
	o := parityCases["llama-f32-bf16"]
	o.HFPath = filepath.Join(root, "llama-f32-bf16", "hf")
	o.MLXPath = filepath.Join(root, "sharded")
	o.MaxFileSize = 200_000
	res, err := Convert(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Shards) < 2 || res.Shards[0] != "model-00001-of-0000"+string(rune('0'+len(res.Shards)))+".safetensors" {
		t.Fatalf("shards %v", res.Shards)
	}
	m, err := loader.Load(context.Background(), o.MLXPath, loader.Options{NoProgress: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Free()
}

func TestConvertRefusesExistingPath(t *testing.T) {
	dir := t.TempDir()
	_, err := Convert(context.Background(), Options{HFPath: dir, MLXPath: dir})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want 'already exists'", err)
	}
	out := filepath.Join(dir, "out")
	_, err = Convert(context.Background(), Options{HFPath: filepath.Join(dir, "missing"), MLXPath: out})
	if err == nil {
		t.Fatal("converting a missing directory succeeded")
	}
	if _, serr := os.Stat(out); serr == nil {
		t.Fatal("a failed conversion left its output behind")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".out.tmp-*"))
	if len(left) > 0 {
		t.Fatalf("temporary directories left: %v", left)
	}
}

func TestMakeShards(t *testing.T) {
	if got := makeShards(nil, nil, 10); len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("no weights: %v", got)
	}
}
