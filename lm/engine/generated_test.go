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
	_ "github.com/hf2go/hf2go/generated/models/qwen3"
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
// qwen3.py and llama.py, the latter also with sliding-window layers) run in
// the engine's batch with BatchKVCache / BatchRotatingKVCache. Eight greedy requests of different prompt lengths,
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
		sliding int // > 0: llama's layer_types alternate sliding_attention (RotatingKVCache) and full_attention
	}{
		{"qwen3", 0},
		{"llama", 0},
		{"llama", 6}, // shorter than most prompts: the window rotates during prefill and decoding
	}
	// One Python process makes the models (mlx-lm's save_model) and runs
	// mlx-lm on them.
	type refCase struct {
		MakeModel []string `json:"make_model"`
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
	var refs []struct{ Alone, Batch [][]int }
	if err := json.Unmarshal(python(t, "testdata/batch_reference.py", specFile), &refs); err != nil {
		t.Fatal(err)
	}
	if len(refs) != len(cases) {
		t.Fatalf("%d references for %d cases", len(refs), len(cases))
	}
	for ci, tc := range cases {
		ref := refs[ci]
		t.Run(fmt.Sprintf("%s/sliding_window=%d", tc.arch, tc.sliding), func(t *testing.T) {
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
				for _, c := range []struct {
					name string
					want []int
				}{{"lm/generate alone", goAlone}, {"mlx-lm generate_step alone", ref.Alone[i]}, {"mlx-lm BatchGenerator", ref.Batch[i]}} {
					if !slices.Equal(got[i].tokens, c.want) {
						t.Errorf("request %d (prompt %v): engine batch %v, %s %v", i, p, got[i].tokens, c.name, c.want)
					}
				}
			}
		})
	}
}
