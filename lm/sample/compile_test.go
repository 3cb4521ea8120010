package sample

import (
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestSamplersReplayTheirTrace checks that the samplers run compiled, as
// mlx-lm's do: the first draw traces each compiled function it uses once
// (top-p, min-p, top-k, the categorical draw), later draws of the same shape
// replay the traces. (That the compiled results equal mlx-lm's is
// TestParity.)
func TestSamplersReplayTheirTrace(t *testing.T) {
	s, err := MakeSampler(Options{Temp: 0.9, TopP: 0.95, MinP: 0.02, MinTokensToKeep: 2, TopK: 50})
	if err != nil {
		t.Fatal(err)
	}
	if err := mlx.Seed(11); err != nil {
		t.Fatal(err)
	}
	// a shape no other test uses, so that the first draw must trace
	lp := mlx.Normal([]int{3, 517}, mlx.Float32, 0, 1, nil)
	defer lp.Free()
	draw := func() {
		t.Helper()
		tok := s(lp)
		defer tok.Free()
		if err := mlx.Eval(tok); err != nil {
			t.Fatal(err)
		}
		if got := tok.Shape(); len(got) != 1 || got[0] != 3 {
			t.Fatalf("sampled shape %v, want [3]", got)
		}
	}
	before := traces.Load()
	draw()
	first := traces.Load() - before
	if first != 4 {
		t.Errorf("the first draw traced %d compiled functions, want 4 (top-p, min-p, top-k, categorical)", first)
	}
	for range 5 {
		draw()
	}
	if again := traces.Load() - before - first; again != 0 {
		t.Errorf("5 more draws of the same shape traced %d times, want 0 (replayed)", again)
	}
	// another temperature is another constant of the categorical trace (as in Python)
	hot, err := MakeSampler(Options{Temp: 1.7})
	if err != nil {
		t.Fatal(err)
	}
	before = traces.Load()
	tok := hot(lp)
	defer tok.Free()
	if err := mlx.Eval(tok); err != nil {
		t.Fatal(err)
	}
	if n := traces.Load() - before; n != 1 {
		t.Errorf("a new temperature traced %d times, want 1", n)
	}
}
