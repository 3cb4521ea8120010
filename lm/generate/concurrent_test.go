package generate_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// TestConcurrentGeneration runs eight generations of one model at once, each
// in its own goroutine (as the server does), with different prompts and
// samplers, and checks that each produces exactly the tokens and
// log-probabilities the same generation produces alone: concurrent requests
// neither serialise on a process-wide scope stack nor see each other's
// arrays (a scope of one would free the other's). Run under -race by make
// test, it also checks the binding's lock-free paths for data races.
func TestConcurrentGeneration(t *testing.T) {
	m := randomToy(t)
	var ws []*mlx.Array
	for _, p := range nn.Parameters(m.Module()) {
		ws = append(ws, p)
	}
	if err := mlx.Eval(ws...); err != nil { // as a loader leaves them
		t.Fatal(err)
	}
	const n = 8
	type run struct {
		tokens []int
		lp     [][]float32
	}
	penalty, err := sample.MakeRepetitionPenalty(1.3, 8)
	if err != nil {
		t.Fatal(err)
	}
	gen := func(i int) (run, error) {
		prompt := []int{1 + i, 2, 3 + 2*i, 5, 8, 13 % (i + 2)}
		o := generate.Options{MaxTokens: 12}
		if i%2 == 1 {
			// a processor that keeps the tokens it sees, and a scope of its own
			o.LogitsProcessors = []sample.LogitsProcessor{penalty}
		}
		var r run
		for st, err := range generate.GenerateStep(context.Background(), m, prompt, o) {
			if err != nil {
				return r, err
			}
			lp, err := mlx.ToSlice[float32](st.Logprobs)
			if err != nil {
				return r, err
			}
			r.tokens = append(r.tokens, st.Token)
			r.lp = append(r.lp, lp)
		}
		return r, nil
	}
	want := make([]run, n)
	for i := range n {
		r, err := gen(i)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = r
	}
	for round := range 2 {
		got := make([]run, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = gen(i)
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, generation %d: %v", round, i, errs[i])
			}
			if !slices.Equal(got[i].tokens, want[i].tokens) {
				t.Fatalf("round %d, generation %d: tokens %v concurrently, %v alone", round, i, got[i].tokens, want[i].tokens)
			}
			for s := range got[i].lp {
				if !slices.Equal(got[i].lp[s], want[i].lp[s]) {
					t.Fatalf("round %d, generation %d, step %d: log-probabilities differ from the run alone", round, i, s)
				}
			}
		}
	}
	t.Logf("%d concurrent generations x 2 rounds: tokens and log-probabilities identical to sequential runs (%s)", n, fmt.Sprint(want[0].tokens))
}
