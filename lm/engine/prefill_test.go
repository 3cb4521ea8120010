package engine_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/generate"
)

// TestBatchedPrefillCheckpoints: prompts prefilled together, each with a
// checkpoint (server.py's cache at the end of a chat's user message) inside
// its prompt, all submitted at once: on the toy's KVCaches (padded chunks of
// different lengths) and on qwen3_next (ArraysCache + KVCache: chunks of
// equal length share a pass). Each request gets the tokens of lm/generate
// alone; forward passes prefilled several prompts; and afterwards the
// checkpoints' prompt-cache entries serve later requests (cached_tokens,
// tokens equal from scratch) — the entries must outlive the prefill pass
// that made them. (On the toy the entries of the finished requests, being
// trimmable, replace the checkpoints; qwen3_next's cannot be trimmed, so
// there the checkpoint entries themselves are what is reused.)
func TestBatchedPrefillCheckpoints(t *testing.T) {
	t.Run("toy", func(t *testing.T) { batchedPrefillCheckpoints(t, randomToy(t, 97), 97) })
	t.Run("qwen3_next", func(t *testing.T) {
		batchedPrefillCheckpoints(t, hybridModel(t, "qwen3_next", "moe-interval4-partial-rope"), 256)
	})
}

func batchedPrefillCheckpoints(t *testing.T, m arch.Model, vocab int) {
	e := newEngine(t, m, engine.Options{PrefillStepSize: 4, PromptCacheSize: 32})
	var reqs []engine.Request
	for i := range 6 {
		var p []int
		for j := range 9 + 3*i {
			p = append(p, (i*13+j*7+1)%(vocab-2))
		}
		reqs = append(reqs, engine.Request{Prompt: p, MaxTokens: 6, Checkpoints: []engine.Checkpoint{{At: 8, Type: "user"}}})
	}
	got := make([]result, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = run(context.Background(), e, r)
		}()
	}
	wg.Wait()
	for i, r := range reqs {
		if got[i].err != nil {
			t.Fatalf("request %d: %v", i, got[i].err)
		}
		if want := alone(t, m, r.Prompt, r.MaxTokens, generate.Options{PrefillStepSize: 4}); !slices.Equal(got[i].tokens, want) {
			t.Errorf("request %d: engine %v, alone %v", i, got[i].tokens, want)
		}
	}
	st := e.Stats()
	if st.PrefillBatches == 0 || st.PrefillBatchMax < 2 {
		t.Errorf("no forward pass prefilled several prompts: %+v", st)
	}
	t.Logf("%d prefill passes of several prompts, the largest of %d", st.PrefillBatches, st.PrefillBatchMax)
	for i, r := range reqs {
		at := r.Checkpoints[0].At
		p := slices.Concat(r.Prompt[:at], []int{vocab - 1, vocab - 2})
		b := run(context.Background(), e, engine.Request{Prompt: p, MaxTokens: 4})
		if b.err != nil {
			t.Fatalf("after checkpoint %d: %v", i, b.err)
		}
		if b.cached != at {
			t.Errorf("after checkpoint %d: cached_tokens %d, want %d", i, b.cached, at)
		}
		if want := alone(t, m, p, 4, generate.Options{}); !slices.Equal(b.tokens, want) {
			t.Errorf("after checkpoint %d: engine %v, alone %v", i, b.tokens, want)
		}
	}
}

// TestBatchedPrefillFromCache: prompts that start from prompt-cache
// entries (caches of different offsets, merged into one prefill batch with
// left padding, and right padding on top for the toy's KVCaches) are
// prefilled together and still give the tokens of lm/generate alone.
func TestBatchedPrefillFromCache(t *testing.T) {
	t.Run("toy", func(t *testing.T) { batchedPrefillFromCache(t, randomToy(t, 97), 97, false) })
	t.Run("qwen3_next", func(t *testing.T) {
		batchedPrefillFromCache(t, hybridModel(t, "qwen3_next", "moe-interval4-partial-rope"), 256, true)
	})
}

func batchedPrefillFromCache(t *testing.T, m arch.Model, vocab int, equal bool) {
	e := newEngine(t, m, engine.Options{PrefillStepSize: 4, PromptCacheSize: 32})
	// Two finished requests of different lengths seed the prompt cache.
	bases := [][]int{{5, 6, 7, 8, 9}, {11, 12, 13, 14, 15, 16, 17, 18, 19}}
	var seeded [][]int
	for _, b := range bases {
		r := run(context.Background(), e, engine.Request{Prompt: b, MaxTokens: 3})
		if r.err != nil {
			t.Fatal(r.err)
		}
		seeded = append(seeded, slices.Concat(b, r.tokens))
	}
	var reqs []engine.Request
	var wantCached []int
	for i := range 6 {
		base := seeded[i%2]
		n := 9 // equal suffixes: recurrent caches share a pass only then
		if !equal {
			n = 3 + 2*i
		}
		var suffix []int
		for j := range n {
			suffix = append(suffix, (i*17+j*5+3)%(vocab-1))
		}
		reqs = append(reqs, engine.Request{Prompt: slices.Concat(base, suffix), MaxTokens: 5})
		wantCached = append(wantCached, len(base))
	}
	before := e.Stats().PrefillBatches
	got := make([]result, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = run(context.Background(), e, r)
		}()
	}
	wg.Wait()
	for i, r := range reqs {
		if got[i].err != nil {
			t.Fatalf("request %d: %v", i, got[i].err)
		}
		if got[i].cached != wantCached[i] {
			t.Errorf("request %d: cached_tokens %d, want %d", i, got[i].cached, wantCached[i])
		}
		if want := alone(t, m, r.Prompt, r.MaxTokens, generate.Options{PrefillStepSize: 4}); !slices.Equal(got[i].tokens, want) {
			t.Errorf("request %d: engine %v, alone %v", i, got[i].tokens, want)
		}
	}
	if st := e.Stats(); st.PrefillBatches == before {
		t.Errorf("no forward pass prefilled several prompts: %+v", st)
	}
}
