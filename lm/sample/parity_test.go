package sample

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type samplerCase struct {
	Name            string  `json:"name"`
	Temp            float64 `json:"temp"`
	TopP            float64 `json:"top_p"`
	MinP            float64 `json:"min_p"`
	MinTokensToKeep int     `json:"min_tokens_to_keep"`
	TopK            int     `json:"top_k"`
	Seed            uint64  `json:"seed"`
}

var samplerCases = []samplerCase{
	{Name: "greedy", Temp: 0, TopP: 1, MinTokensToKeep: 1, Seed: 1},
	{Name: "temp", Temp: 0.8, TopP: 1, MinTokensToKeep: 1, Seed: 3},
	{Name: "temp_hot", Temp: 2.5, TopP: 0, MinTokensToKeep: 1, Seed: 4},
	{Name: "top_p", Temp: 0.7, TopP: 0.9, MinTokensToKeep: 1, Seed: 5},
	{Name: "min_p", Temp: 1.0, TopP: 1, MinP: 0.05, MinTokensToKeep: 3, Seed: 6},
	{Name: "top_k", Temp: 1.3, TopP: 1, TopK: 20, MinTokensToKeep: 1, Seed: 7},
	{Name: "all", Temp: 0.9, TopP: 0.95, MinP: 0.02, MinTokensToKeep: 2, TopK: 50, Seed: 8},
}

// TestParity compares every filter alone, make_sampler configurations (each
// drawn 8 times after mx.random.seed) and the logits processors with
// mlx_lm.sample_utils on the same inputs, in float32 and bfloat16.
func TestParity(t *testing.T) {
	tol := 0.0 // the same libmlx on the CPU: bit-exact (Python's mx.compile included)
	if mlx.OnGPU() {
		tol = 1e-6
	}
	cfg, err := json.Marshal(samplerCases)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pyref.Run(t, filepath.Join("testdata", "sample_reference.py"), dir, string(cfg))
	ref := paritytest.Load(t, filepath.Join(dir, "sample.safetensors"))
	get := func(name string) *mlx.Array {
		a, ok := ref.Arrays[name]
		if !ok {
			t.Fatalf("reference has no %s", name)
		}
		return a
	}
	checkClose := func(name string, got *mlx.Array) {
		t.Helper()
		defer got.Free()
		want := get(name)
		if got.Dtype() != want.Dtype() {
			t.Errorf("%s: dtype %v, Python %v", name, got.Dtype(), want.Dtype())
		}
		d, err := paritytest.MaxAbsDiff(got, want)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if d > tol {
			t.Errorf("%s: max |Δ| = %g > %g", name, d, tol)
		}
		t.Logf("%s: max |Δ| = %g", name, d)
	}
	tokens := get("tokens")
	compared := 0
	_ = tol
	for _, dt := range []string{"f32", "bf16"} {
		lp := get(dt + "/logprobs")
		checkClose(dt+"/top_p_0.9", ApplyTopP(lp, 0.9))
		checkClose(dt+"/top_p_0.3", ApplyTopP(lp, 0.3))
		checkClose(dt+"/min_p_0.1_1", ApplyMinP(lp, 0.1, 1))
		checkClose(dt+"/min_p_0.5_5", ApplyMinP(lp, 0.5, 5))
		checkClose(dt+"/top_k_1", ApplyTopK(lp, 1))
		checkClose(dt+"/top_k_40", ApplyTopK(lp, 40))
		compared += 6
		for _, c := range samplerCases {
			s, err := MakeSampler(Options{Temp: c.Temp, TopP: c.TopP, MinP: c.MinP, MinTokensToKeep: c.MinTokensToKeep, TopK: c.TopK})
			if err != nil {
				t.Fatal(err)
			}
			if err := mlx.Seed(c.Seed); err != nil {
				t.Fatal(err)
			}
			var draws []*mlx.Array
			for range 8 {
				draws = append(draws, s(lp))
			}
			got := mlx.Stack(draws, 0)
			name := dt + "/sampler/" + c.Name
			g, w := paritytest.Ints(t, got), paritytest.Ints(t, get(name))
			if !slices.Equal(g, w) {
				t.Errorf("%s: tokens %v, Python %v", name, g, w)
			} else {
				t.Logf("%s: %v", name, g)
			}
			got.Free()
			for _, d := range draws {
				d.Free()
			}
			compared++
		}
		logits := get(dt + "/logits")
		procs := map[string]func() ([]LogitsProcessor, error){
			"bias": func() ([]LogitsProcessor, error) {
				return MakeLogitsProcessors(map[int]float64{3: 5.0, 7: -2.5, 300: 1.25}, 0, 0)
			},
			"rep":         func() ([]LogitsProcessor, error) { return MakeLogitsProcessors(nil, 1.3, 4) },
			"rep_default": func() ([]LogitsProcessor, error) { return MakeLogitsProcessors(nil, 0.7, 0) },
			"both":        func() ([]LogitsProcessor, error) { return MakeLogitsProcessors(map[int]float64{9: 2.0}, 1.5, 6) },
			"presence": func() ([]LogitsProcessor, error) {
				return MakeLogitsProcessorsOpts(ProcessorOptions{PresencePenalty: 0.75})
			},
			"frequency": func() ([]LogitsProcessor, error) {
				return MakeLogitsProcessorsOpts(ProcessorOptions{FrequencyPenalty: 0.6, FrequencyContextSize: 10})
			},
			"all_four": func() ([]LogitsProcessor, error) {
				return MakeLogitsProcessorsOpts(ProcessorOptions{LogitBias: map[int]float64{3: 1.0, 5: -0.5}, RepetitionPenalty: 1.2,
					RepetitionContextSize: 7, PresencePenalty: 0.3, PresenceContextSize: 5, FrequencyPenalty: 0.4})
			},
		}
		for name, mk := range procs {
			ps, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			x := logits.Index(mlx.Ellipsis)
			for _, p := range ps {
				y := p(tokens, x)
				x.Free()
				x = y
			}
			checkClose(dt+"/proc/"+name, x)
			compared++
		}
	}
	if compared != 2*(6+len(samplerCases)+7) {
		t.Fatalf("compared %d cases", compared)
	}
}

func TestValidation(t *testing.T) {
	for _, o := range []Options{{Temp: -1}, {Temp: 1, MinP: 1.5}, {Temp: 1, TopK: -2}} {
		if _, err := MakeSampler(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	lp := mlx.Zeros(mlx.Float32, 1, 10)
	defer lp.Free()
	for _, k := range []int{10, 11} {
		if err := ApplyTopK(lp, k).Err(); err == nil {
			t.Errorf("top_k %d of 10: no error", k)
		}
	}
	if _, err := MakeRepetitionPenalty(-1, 20); err == nil {
		t.Error("negative penalty: no error")
	}
}
