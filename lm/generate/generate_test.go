package generate_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/toy"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// randomToy builds the toy model in Go with random weights (no Python).
func randomToy(t *testing.T) *toy.Model {
	t.Helper()
	m, err := toy.New(map[string]any{"vocab_size": 97.0, "hidden_size": 64.0, "num_attention_heads": 2.0, "num_hidden_layers": 2.0})
	if err != nil {
		t.Fatal(err)
	}
	if err := mlx.Seed(1); err != nil {
		t.Fatal(err)
	}
	w := map[string]*mlx.Array{}
	for name, p := range nn.Parameters(m.Module()) {
		w[name] = mlx.Normal(p.Shape(), mlx.Float32, 0, 0.5, nil)
	}
	if err := nn.Update(m.Module(), w); err != nil {
		t.Fatal(err)
	}
	return m.(*toy.Model)
}

func collect(t *testing.T, seq func(func(generate.Step, error) bool)) []int {
	t.Helper()
	var out []int
	for st, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st.Token)
	}
	return out
}

// TestPromptCacheReuse: generating from a prompt in two calls that share a
// prompt cache (the second call given only the new tokens) gives the same
// tokens as one call on the whole sequence — how chat turns reuse the cache.
func TestPromptCacheReuse(t *testing.T) {
	m := randomToy(t)
	ctx := context.Background()
	first := []int{3, 1, 4, 1, 5, 9, 2, 6}
	pc, err := generate.NewPromptCache(m, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer generate.FreeCache(pc)
	a := collect(t, generate.GenerateStep(ctx, m, first, generate.Options{MaxTokens: 5, PromptCache: pc}))
	// As in mlx-lm, the cache now holds first + all of a: the step after the
	// last yielded token was already computed (pipelining) and is discarded.
	second := []int{7, 7, 8}
	b := collect(t, generate.GenerateStep(ctx, m, second, generate.Options{MaxTokens: 6, PromptCache: pc}))

	whole := slices.Concat(first, a, second)
	c := collect(t, generate.GenerateStep(ctx, m, whole, generate.Options{MaxTokens: 6}))
	if !slices.Equal(b, c) {
		t.Fatalf("with a reused cache %v, from scratch %v", b, c)
	}
	t.Logf("turn 2 tokens %v equal a from-scratch run", b)
}

// TestCancel: a cancelled context ends generation with ctx's error.
func TestCancel(t *testing.T) {
	m := randomToy(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var got error
	for _, err := range generate.GenerateStep(ctx, m, []int{1, 2, 3}, generate.Options{MaxTokens: -1}) {
		if err != nil {
			got = err
			break
		}
		if n++; n == 5 {
			cancel()
		}
	}
	if !errors.Is(got, context.Canceled) || n != 5 {
		t.Fatalf("after %d tokens: %v", n, got)
	}
}

// TestMemoryFlat: MLX active memory does not grow over a long generation
// with a rotating cache once the cache is full.
func TestMemoryFlat(t *testing.T) {
	m := randomToy(t)
	var at200, at1000 uint64
	n := 0
	for _, err := range generate.GenerateStep(context.Background(), m, []int{5, 6, 7}, generate.Options{MaxTokens: 1000, MaxKVSize: 64}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		switch n {
		case 200:
			at200 = mlx.MemoryStats().Active
		case 1000:
			at1000 = mlx.MemoryStats().Active
		}
	}
	if n != 1000 {
		t.Fatalf("%d tokens", n)
	}
	if at1000 > at200+at200/20 {
		t.Fatalf("active memory grew from %d to %d bytes between tokens 200 and 1000", at200, at1000)
	}
	t.Logf("active memory at token 200: %d B, at 1000: %d B", at200, at1000)
}

// TestStopAndEOS: Stream stops at an EOS id (without yielding its text) and
// honours MaxTokens with finish reasons as stream_generate gives them.
func TestStopAndEOS(t *testing.T) {
	m := randomToy(t)
	ctx := context.Background()
	ref := collect(t, generate.GenerateStep(ctx, m, []int{9, 8, 7}, generate.Options{MaxTokens: 10}))
	var got []generate.Response
	for r, err := range generate.Stream(ctx, m, []int{9, 8, 7}, generate.StreamOptions{Options: generate.Options{MaxTokens: 10}, EOSTokenIDs: []int{ref[3]}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	// stream_generate yields tokens before the EOS, then a final response
	// carrying the EOS token with finish_reason "stop".
	idx := slices.Index(ref, ref[3])
	if len(got) != idx+1 || got[len(got)-1].FinishReason != "stop" || got[len(got)-1].Token != ref[3] {
		t.Fatalf("responses %+v for reference %v", got, ref)
	}
	got = got[:0]
	for r, err := range generate.Stream(ctx, m, []int{9, 8, 7}, generate.StreamOptions{Options: generate.Options{MaxTokens: 4}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 4 || got[3].FinishReason != "length" || got[3].GenerationTokens != 4 {
		t.Fatalf("max tokens 4: %+v", got)
	}
	// max_tokens=0 raises ValueError in stream_generate since mlx-lm 0.32.
	n := 0
	for _, err := range generate.Stream(ctx, m, []int{9, 8, 7}, generate.StreamOptions{Options: generate.Options{MaxTokens: 0}}) {
		n++
		if err == nil || err.Error() != "generate: Maximum number of tokens must be non-zero (use -1 for no limit)." {
			t.Fatalf("max tokens 0: %v", err)
		}
	}
	if n != 1 {
		t.Fatalf("max tokens 0: %d responses, want the one error", n)
	}
}
