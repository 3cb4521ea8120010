package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestLlamaMatchesMLXLM: mlx-lm builds a tiny random llama (f32, and 4-bit
// quantized by mlx_lm.utils.quantize_model) and records its full-sequence
// logits and 16 greedy tokens of generate_step; `mlxlm logits` must agree
// to 1e-4 and `mlxlm generate --temp 0 --json` must give the same tokens.
func TestLlamaMatchesMLXLM(t *testing.T) {
	for _, name := range []string{"tiny-llama", "tiny-llama-q4"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(fixture, name)
			ref := paritytest.Load(t, filepath.Join(dir, "reference.safetensors"))

			out := filepath.Join(t.TempDir(), "logits.safetensors")
			r := mlxlm(t, "logits", "--model", dir, "--tokens", refTokens, "--out", out)
			if r.code != 0 {
				t.Fatalf("mlxlm logits: exit %d: %s", r.code, r.stderr)
			}
			got := paritytest.Load(t, out)
			if names := got.Names(); !slices.Equal(names, []string{"logits"}) {
				t.Fatalf("tensors %v, want [logits]", names)
			}
			l := got.Arrays["logits"]
			if l.Dtype() != mlx.Float32 {
				t.Errorf("dtype %v, want float32", l.Dtype())
			}
			d, err := paritytest.MaxAbsDiff(l, ref.Arrays["logits"])
			if err != nil || d > 1e-4 {
				t.Errorf("logits: max |Δ| %g vs mlx-lm (%v)", d, err)
			}
			t.Logf("logits %v: max |Δ| vs mlx-lm %g", l.Shape(), d)

			r = mlxlm(t, "generate", "--model", dir, "--prompt-tokens", refTokens, "--max-tokens", "16", "--temp", "0", "--json")
			if r.code != 0 {
				t.Fatalf("mlxlm generate: exit %d: %s", r.code, r.stderr)
			}
			var res struct {
				Tokens        []int    `json:"tokens"`
				PromptTPS     *float64 `json:"prompt_tps"`
				GenerationTPS *float64 `json:"generation_tps"`
				PeakMemoryGB  *float64 `json:"peak_memory_gb"`
			}
			if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &res); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
			}
			if res.PromptTPS == nil || res.GenerationTPS == nil || res.PeakMemoryGB == nil || *res.GenerationTPS <= 0 {
				t.Errorf("missing timing fields: %s", r.stdout)
			}
			want := paritytest.Ints(t, ref.Arrays["greedy"])
			if !slices.Equal(res.Tokens, want) {
				t.Errorf("tokens %v\nmlx-lm %v", res.Tokens, want)
			}
			t.Logf("16 greedy tokens equal mlx-lm's: %v", res.Tokens)
		})
	}
}
