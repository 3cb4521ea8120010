package loader_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/hf2go/hf2go/generated/models/llama"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestLoadParity builds tiny llama checkpoints whose quantization
// load_model (mlx-lm 0.32.2) must work out for itself — per-layer group
// size, bits and mode inferred from the saved shapes, a quantization_config
// in text_config, NVIDIA ModelOpt's hf_quant_config.json, fp8 ue8m0 32x32 as
// mxfp8, compressed-tensors formats, a transformers-tagged float — and
// checks that Load gives bit-identical logits, or refuses where Python
// raises.
func TestLoadParity(t *testing.T) {
	dir := paritytest.Generate(t, "loader_ref.py")
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name         string         `json:"name"`
		Error        string         `json:"error"`
		Quantization map[string]any `json:"quantization"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 7 {
		t.Fatalf("%d cases, want 7", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			m, err := loader.Load(context.Background(), filepath.Join(dir, c.Name), loader.Options{NoProgress: true})
			if c.Error != "" {
				if err == nil || !strings.Contains(err.Error(), c.Error) {
					t.Fatalf("Python raised %q; Go: %v", c.Error, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Free()
			ref := paritytest.Load(t, filepath.Join(dir, c.Name, "reference.safetensors"))
			logits, err := m.Forward(paritytest.Get(t, ref, "tokens"), nil)
			if err != nil {
				t.Fatal(err)
			}
			chk := &paritytest.Checker{T: t}
			chk.Close(c.Name+"/logits", mlx.Astype(logits, mlx.Float32), paritytest.Get(t, ref, "logits"))
			chk.Report(1)
			if c.Name == "tagged-float" {
				if v, ok := m.Config["unused_limit"].(float64); !ok || !math.IsInf(v, 1) {
					t.Errorf("unused_limit = %#v, want +Inf", m.Config["unused_limit"])
				}
			}
		})
	}
	refusals(t, dir)
}

// refusals: what load_model 0.32 runs but hf2go cannot (a custom Python
// architecture file, activation-quantized layers) is refused with the
// reason, naming config.json.
func refusals(t *testing.T, dir string) {
	for key, value := range map[string]any{"model_file": "custom.py", "quantize_activations": true} {
		t.Run(key, func(t *testing.T) {
			src := filepath.Join(dir, "inferred")
			dst := t.TempDir()
			for _, f := range []string{"config.json", "model.safetensors"} {
				b, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Fatal(err)
				}
				if f == "config.json" {
					var cfg map[string]any
					if err := json.Unmarshal(b, &cfg); err != nil {
						t.Fatal(err)
					}
					cfg[key] = value
					b, _ = json.Marshal(cfg)
				}
				if err := os.WriteFile(filepath.Join(dst, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := loader.Load(context.Background(), dst, loader.Options{NoProgress: true})
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dst, "config.json")) || !strings.Contains(err.Error(), key) {
				t.Fatalf("%s: err = %v", key, err)
			}
		})
	}
}
