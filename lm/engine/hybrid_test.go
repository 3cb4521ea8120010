package engine_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
)

// hybridModel makes (with mlx-lm, lm/server/testdata/make_model.py) and
// loads a random-weight hybrid model of a parity config: its make_cache
// mixes ArraysCache (recurrent layers) and KVCache (attention layers).
func hybridModel(t *testing.T, arch, config string) *loader.Model {
	t.Helper()
	dir := filepath.Join(t.TempDir(), arch)
	python(t, "../server/testdata/make_model.py", dir, "--tokenizer", "../tokenizer/testdata/qwen3", "--vocab", "256",
		"--seed", "5", "--config", filepath.Join("..", "..", "parity", "configs", arch+".json")+":"+config)
	m, err := loader.Load(context.Background(), dir, loader.Options{NoProgress: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Free)
	return m
}

// TestHybridPromptCacheReuse: the server's prompt-cache reuse on hybrid
// models (qwen3_next, nemotron_h), whose ArraysCache cannot be trimmed
// (LRUPromptCache.fetch_nearest_cache then uses only a cached prefix of
// the prompt, never a longer entry cut back). Each request's greedy tokens
// equal a from-scratch lm/generate run of its prompt; cached_tokens is
// what fetch_nearest_cache gives:
//   - a follow-up turn (prompt + output + more) reuses the finished
//     request's cache, extracted from the running batch (ArraysCache.extract);
//   - a prompt sharing only part of a cached entry reuses nothing (the
//     entry would have to be trimmed);
//   - a prompt equal to a cached entry: the cache cannot give back its
//     last token, so the prompt is computed afresh;
//   - a checkpoint (server.py's cache at the end of a chat's user message)
//     is reused by a prompt that extends it.
func TestHybridPromptCacheReuse(t *testing.T) {
	for _, c := range []struct{ arch, config string }{
		{"qwen3_next", "moe-interval4-partial-rope"},
		{"nemotron_h", "pattern-str-M-star-dash"},
	} {
		t.Run(c.arch, func(t *testing.T) {
			m := hybridModel(t, c.arch, c.config)
			e := newEngine(t, m, engine.Options{})
			check := func(name string, r engine.Request, wantCached int) result {
				t.Helper()
				got := run(context.Background(), e, r)
				if got.err != nil {
					t.Fatalf("%s: %v", name, got.err)
				}
				if got.cached != wantCached {
					t.Errorf("%s: cached_tokens %d, want %d", name, got.cached, wantCached)
				}
				if want := alone(t, m, r.Prompt, r.MaxTokens, generate.Options{}); !slices.Equal(got.tokens, want) {
					t.Errorf("%s: engine %v, from scratch %v", name, got.tokens, want)
				}
				return got
			}
			first := []int{3, 1, 4, 1, 5, 9, 2, 6, 53, 58, 97}
			a := check("first", engine.Request{Prompt: first, MaxTokens: 5}, 0)
			turn := slices.Concat(first, a.tokens, []int{7, 7, 8})
			check("follow-up turn", engine.Request{Prompt: turn, MaxTokens: 6}, len(first)+len(a.tokens))
			check("shorter shared prefix", engine.Request{Prompt: []int{3, 1, 4, 1, 5, 100, 101}, MaxTokens: 4}, 0)
			check("prompt equal to a cached entry", engine.Request{Prompt: slices.Concat(first, a.tokens), MaxTokens: 4}, 0)

			user := []int{20, 21, 22, 23, 24, 25, 26, 27}
			check("with a checkpoint", engine.Request{Prompt: slices.Concat(user, []int{90, 91}), MaxTokens: 3,
				Checkpoints: []engine.Checkpoint{{At: len(user), Type: "user"}}}, 0)
			check("extending the checkpoint", engine.Request{Prompt: slices.Concat(user, []int{60, 61, 62}), MaxTokens: 3}, len(user))
		})
	}
}
