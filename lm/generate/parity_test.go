package generate_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/lm/toy"
	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type genCase struct {
	Name                  string             `json:"name"`
	Model                 string             `json:"model"`
	Prompt                []int              `json:"prompt"`
	MaxTokens             int                `json:"max_tokens"`
	Temp                  float64            `json:"temp,omitempty"`
	TopP                  float64            `json:"top_p,omitempty"`
	MinP                  float64            `json:"min_p,omitempty"`
	TopK                  int                `json:"top_k,omitempty"`
	Seed                  uint64             `json:"seed"`
	RepetitionPenalty     float64            `json:"repetition_penalty,omitempty"`
	RepetitionContextSize int                `json:"repetition_context_size,omitempty"`
	LogitBias             map[string]float64 `json:"logit_bias,omitempty"`
	MaxKVSize             int                `json:"max_kv_size,omitempty"`
	PrefillStepSize       int                `json:"prefill_step_size,omitempty"`
	KVBits                int                `json:"kv_bits,omitempty"`
	KVGroupSize           int                `json:"kv_group_size,omitempty"`
	QuantizedKVStart      *int               `json:"quantized_kv_start,omitempty"`
}

var (
	prompt7  = []int{3, 14, 15, 92, 65, 35, 89}
	prompt20 = []int{5, 8, 13, 21, 34, 55, 89, 44, 33, 77, 10, 11, 12, 60, 61, 62, 63, 0, 96, 50}
	zero     = 0
	five     = 5
)

var models = map[string]map[string]any{
	"f32":       {},
	"q4":        {"quantize": 4, "skip": []string{"model.layers.1.self_attn.v_proj", "lm_head"}},
	"tied_bf16": {"tie": true, "dtype": "bfloat16", "seed": 1},
}

var cases = []genCase{
	{Name: "greedy", Model: "f32", Prompt: prompt7, MaxTokens: 16},
	{Name: "greedy_one_token_prompt", Model: "f32", Prompt: []int{42}, MaxTokens: 8},
	{Name: "prefill_chunks", Model: "f32", Prompt: prompt20, MaxTokens: 12, PrefillStepSize: 3},
	{Name: "temp_top_p", Model: "f32", Prompt: prompt7, MaxTokens: 16, Temp: 0.8, TopP: 0.9, Seed: 3},
	{Name: "all_filters_processors", Model: "f32", Prompt: prompt20, MaxTokens: 16, Temp: 1.1, TopK: 10, MinP: 0.05, Seed: 11,
		RepetitionPenalty: 1.3, RepetitionContextSize: 5, LogitBias: map[string]float64{"7": 3.5, "40": -2}, PrefillStepSize: 8},
	{Name: "rotating", Model: "f32", Prompt: prompt7, MaxTokens: 24, MaxKVSize: 10},
	{Name: "rotating_long_prompt", Model: "f32", Prompt: prompt20, MaxTokens: 10, MaxKVSize: 8, PrefillStepSize: 4},
	{Name: "kv_bits", Model: "f32", Prompt: prompt20, MaxTokens: 12, KVBits: 4, KVGroupSize: 32, QuantizedKVStart: &five, PrefillStepSize: 4},
	{Name: "kv_bits8_from_start", Model: "f32", Prompt: prompt7, MaxTokens: 12, KVBits: 8, KVGroupSize: 32, QuantizedKVStart: &zero},
	{Name: "q4_greedy", Model: "q4", Prompt: prompt7, MaxTokens: 16},
	{Name: "q4_sampled", Model: "q4", Prompt: prompt20, MaxTokens: 16, Temp: 0.7, Seed: 5},
	{Name: "tied_bf16_greedy", Model: "tied_bf16", Prompt: prompt7, MaxTokens: 16},
}

var logitsTokens = []int{1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9}

// TestGenerateStepParity builds toy models with mlx-lm, loads them with
// mlx_lm.utils.load_model and with loader.Load, and compares full-sequence
// logits and generate_step's tokens and log-probabilities case by case:
// greedy, seeded sampling with every filter and processor, chunked prefill,
// a rotating cache, KV-cache quantization, a 4-bit checkpoint with layers
// left unquantized, and tied bf16 embeddings.
func TestGenerateStepParity(t *testing.T) {
	toy.Register()
	spec, err := json.Marshal(map[string]any{"models": models, "cases": cases, "logits_tokens": logitsTokens})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pyref.Run(t, filepath.Join("testdata", "generate_reference.py"), dir, string(spec))
	ref := paritytest.Load(t, filepath.Join(dir, "ref.safetensors"))

	ctx := context.Background()
	loaded := map[string]*loader.Model{}
	for name := range models {
		m, err := loader.Load(ctx, filepath.Join(dir, name), loader.Options{NoProgress: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer m.Free()
		loaded[name] = m
		tokens := mlx.FromSlice(toInt32(logitsTokens), 1, len(logitsTokens))
		logits, err := m.Forward(tokens, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := mlx.Astype(logits.Index(0), mlx.Float32)
		d, err := paritytest.MaxAbsDiff(got, ref.Arrays[name+"/logits"])
		if err != nil || d != 0 {
			t.Errorf("%s logits: max |Δ| %g (%v), want 0 (bit-exact on the CPU)", name, d, err)
		} else {
			t.Logf("%s logits: max |Δ| %g", name, d)
		}
	}

	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			m := loaded[c.Model]
			o := generate.Options{MaxTokens: c.MaxTokens, MaxKVSize: c.MaxKVSize, PrefillStepSize: c.PrefillStepSize,
				KVBits: c.KVBits, KVGroupSize: c.KVGroupSize}
			if c.QuantizedKVStart != nil {
				o.QuantizedKVStart = *c.QuantizedKVStart
			}
			if c.Temp > 0 {
				s, err := sample.MakeSampler(sample.Options{Temp: c.Temp, TopP: c.TopP, MinP: c.MinP, TopK: c.TopK, MinTokensToKeep: 1})
				if err != nil {
					t.Fatal(err)
				}
				o.Sampler = s
			}
			if c.RepetitionPenalty != 0 || len(c.LogitBias) > 0 {
				bias := map[int]float64{}
				for k, v := range c.LogitBias {
					var id int
					if err := json.Unmarshal([]byte(k), &id); err != nil {
						t.Fatal(err)
					}
					bias[id] = v
				}
				ps, err := sample.MakeLogitsProcessors(bias, c.RepetitionPenalty, c.RepetitionContextSize)
				if err != nil {
					t.Fatal(err)
				}
				o.LogitsProcessors = ps
			}
			// Both decode loops: with caches the generator owns and Overlap on
			// it builds two steps ahead on one thread while another submits
			// (decodeAhead); with the caller's prompt cache it runs Python's
			// order (decode).
			for _, callerCache := range []bool{false, true} {
				o := o
				o.Overlap = generate.OverlapOn
				name := "owned_caches_overlap"
				if callerCache {
					name = "caller_cache"
					pc, err := generate.NewPromptCache(m, c.MaxKVSize)
					if err != nil {
						t.Fatal(err)
					}
					defer generate.FreeCache(pc)
					o.PromptCache = pc
				}
				t.Run(name, func(t *testing.T) {
					if err := mlx.Seed(c.Seed); err != nil {
						t.Fatal(err)
					}
					var toks []int
					var lps []*mlx.Array
					for st, err := range generate.GenerateStep(context.Background(), m, c.Prompt, o) {
						if err != nil {
							t.Fatal(err)
						}
						toks = append(toks, st.Token)
						lps = append(lps, mlx.Astype(st.Logprobs, mlx.Float32))
					}
					want := paritytest.Ints(t, ref.Arrays[c.Name+"/tokens"])
					if !slices.Equal(toks, want) {
						t.Errorf("tokens %v\nPython  %v", toks, want)
					}
					if len(lps) == 0 {
						t.Fatal("no tokens")
					}
					got := mlx.Stack(lps, 0)
					d, err := paritytest.MaxAbsDiff(got, ref.Arrays[c.Name+"/logprobs"])
					if err != nil || d != 0 {
						t.Errorf("logprobs: max |Δ| %g (%v), want 0 (bit-exact on the CPU)", d, err)
					}
					t.Logf("%d tokens equal: %v; logprobs max |Δ| %g", len(toks), slices.Equal(toks, want), d)
					got.Free()
					for _, a := range lps {
						a.Free()
					}
				})
			}
		})
	}
}

func toInt32(v []int) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = int32(x)
	}
	return out
}
