package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	_ "github.com/hf2go/hf2go/generated/models/llama"
	_ "github.com/hf2go/hf2go/generated/models/nemotron_h"
	_ "github.com/hf2go/hf2go/generated/models/qwen3"
	_ "github.com/hf2go/hf2go/generated/models/qwen3_next"
	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/parity/pyref"
)

// python runs a script of the venv's (mlx-lm 0.32.2) and returns its stdout.
func python(t *testing.T, args ...string) []byte {
	t.Helper()
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out
}

// TestGeneratedBatched: generated architectures (translated from mlx-lm's
// qwen3.py and llama.py, the latter also with sliding-window layers, and
// the hybrids qwen3_next.py and nemotron_h.py, whose linear-attention and
// Mamba layers keep an ArraysCache) run in the engine's batch with
// BatchKVCache / BatchRotatingKVCache / batched ArraysCache. Eight greedy requests of different prompt lengths,
// half of them joining the running batch after the others have produced
// tokens, each get exactly (bit-equal token ids):
//   - what lm/generate.GenerateStep (mlxlm generate's loop) gives alone,
//   - what mlx-lm 0.32.2's generate_step gives alone, and
//   - what mlx-lm 0.32.2's BatchGenerator gives in its batch.
//
// The models are random-weight, float32, made and saved by mlx-lm.
func TestGeneratedBatched(t *testing.T) {
	const n = 12
	groups := [2][][]int{{{1, 2, 3}, {5, 6, 7, 8, 9, 10, 11}, {40}, {9, 9, 8, 200, 3, 17}},
		{{7, 7, 7, 7, 7}, {100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111}, {250, 3}, {12, 0, 12, 0, 12, 0, 12, 0, 12}}}
	cases := []struct {
		arch    string
		sliding int    // > 0: llama's layer_types alternate sliding_attention (RotatingKVCache) and full_attention
		config  string // a parity config case (hybrid models: ArraysCache + KVCache in one batch)
		// ssmLengths: mlx-lm's BatchGenerator right-pads the prompts it
		// prefills together, and nemotron_h.py's Mamba mixer (0.32.2) does
		// not pass cache.lengths to ssm_update, so a padded row's SSM state
		// takes in the padding and its tokens differ from generate_step's.
		// The engine prefills each prompt unpadded: its rows are compared
		// with BatchGenerator where a row was not padded, and all rows with
		// BatchGenerator run with lengths passed on (batch_reference.py).
		ssmLengths bool
	}{
		{"qwen3", 0, "", false},
		{"llama", 0, "", false},
		{"llama", 6, "", false}, // shorter than most prompts: the window rotates during prefill and decoding
		{"qwen3_next", 0, "moe-interval4-partial-rope", false},
		{"nemotron_h", 0, "pattern-str-M-star-dash", true},
	}
	// One Python process makes the models (mlx-lm's save_model) and runs
	// mlx-lm on them.
	type refCase struct {
		MakeModel  []string `json:"make_model"`
		SSMLengths bool     `json:"ssm_lengths"`
	}
	spec := struct {
		Prompts   [2][][]int `json:"prompts"`
		MaxTokens int        `json:"max_tokens"`
		JoinAfter int        `json:"join_after"`
		Cases     []refCase  `json:"cases"`
	}{Prompts: groups, MaxTokens: n, JoinAfter: 3}
	tmp := t.TempDir()
	dirs := make([]string, len(cases))
	for i, tc := range cases {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("%s-%d", tc.arch, i))
		rc := refCase{MakeModel: []string{dirs[i], "--tokenizer", "../tokenizer/testdata/qwen3", "--arch", tc.arch,
			"--vocab", "256", "--hidden", "64", "--layers", "2", "--seed", "7", "--sliding-window", fmt.Sprint(tc.sliding)}}
		rc.SSMLengths = tc.ssmLengths
		if tc.config != "" {
			rc.MakeModel = append(rc.MakeModel, "--config", filepath.Join("..", "..", "parity", "configs", tc.arch+".json")+":"+tc.config)
		}
		spec.Cases = append(spec.Cases, rc)
	}
	sj, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	specFile := filepath.Join(tmp, "spec.json")
	if err := os.WriteFile(specFile, sj, 0o644); err != nil {
		t.Fatal(err)
	}
	var refs []struct {
		Alone, Batch    [][]int
		BatchSSMLengths [][]int `json:"batch_ssm_lengths"`
	}
	if err := json.Unmarshal(python(t, "testdata/batch_reference.py", specFile), &refs); err != nil {
		t.Fatal(err)
	}
	if len(refs) != len(cases) {
		t.Fatalf("%d references for %d cases", len(refs), len(cases))
	}
	for ci, tc := range cases {
		ref := refs[ci]
		t.Run(fmt.Sprintf("%s/sliding_window=%d%s", tc.arch, tc.sliding, tc.config), func(t *testing.T) {
			m, err := loader.Load(context.Background(), dirs[ci], loader.Options{NoProgress: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(m.Free)

			e := newEngine(t, m, engine.Options{PromptCacheSize: -1})
			if !e.Batchable() {
				t.Fatal("the engine's probe finds the generated model not batchable")
			}
			all := slices.Concat(groups[0], groups[1])
			got := make([]result, len(all))
			var wg sync.WaitGroup
			started := make(chan struct{})
			var once sync.Once
			for i, p := range groups[0] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := engine.Request{Prompt: p, MaxTokens: n}
					if i != 0 {
						got[i] = run(context.Background(), e, req)
						return
					}
					// Request 0 lets the second group in once it has 3 tokens.
					for ev, err := range e.Generate(context.Background(), req) {
						if err != nil {
							got[i].err = err
							break
						}
						if ev.Kind == engine.Token {
							got[i].tokens = append(got[i].tokens, ev.ID)
							if len(got[i].tokens) == 3 {
								once.Do(func() { close(started) })
							}
						}
					}
					once.Do(func() { close(started) })
				}()
			}
			<-started
			for j, p := range groups[1] {
				i := len(groups[0]) + j
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = run(context.Background(), e, engine.Request{Prompt: p, MaxTokens: n})
				}()
			}
			wg.Wait()
			if st := e.Stats(); st.BatchSizeMax < 2 {
				t.Errorf("the requests never shared a batch (largest batch %d)", st.BatchSizeMax)
			}
			for i, p := range all {
				if got[i].err != nil {
					t.Fatalf("request %d: %v", i, got[i].err)
				}
				goAlone := alone(t, m, p, n, generate.Options{})
				type want struct {
					name string
					want []int
				}
				wants := []want{{"lm/generate alone", goAlone}, {"mlx-lm generate_step alone", ref.Alone[i]}}
				if !tc.ssmLengths || !padded(groups, i) {
					wants = append(wants, want{"mlx-lm BatchGenerator", ref.Batch[i]})
				} else if !slices.Equal(got[i].tokens, ref.Batch[i]) {
					t.Logf("request %d (prompt %v, right-padded in mlx-lm's prefill batch): mlx-lm BatchGenerator %v (the padding in its SSM state)", i, p, ref.Batch[i])
				}
				if tc.ssmLengths {
					wants = append(wants, want{"mlx-lm BatchGenerator with ssm_update(lengths=cache.lengths)", ref.BatchSSMLengths[i]})
				}
				for _, c := range wants {
					if !slices.Equal(got[i].tokens, c.want) {
						t.Errorf("request %d (prompt %v): engine batch %v, %s %v", i, p, got[i].tokens, c.name, c.want)
					}
				}
			}
		})
	}
}

// padded says whether request i (numbered across the groups) is
// right-padded in BatchGenerator's prefill of its group: every prompt but
// its last token is prefilled, padded to the group's longest.
func padded(groups [2][][]int, i int) bool {
	for _, g := range groups {
		if i >= len(g) {
			i -= len(g)
			continue
		}
		longest := 0
		for _, p := range g {
			longest = max(longest, len(p))
		}
		return len(g[i]) < longest
	}
	return false
}
