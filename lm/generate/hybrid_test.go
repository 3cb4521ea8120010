package generate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	_ "github.com/hf2go/hf2go/generated/models/nemotron_h"
	_ "github.com/hf2go/hf2go/generated/models/qwen3_next"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// The hybrid models of these tests: generated packages (translated from
// mlx-lm's qwen3_next.py and nemotron_h.py) whose make_cache mixes
// ArraysCache (linear-attention / Mamba layers) and KVCache (attention
// layers), with the random weights of lm/server/testdata/make_model.py on a
// parity config (every layer kind present).
type hybridCase struct {
	Name   string `json:"name"`
	Config string `json:"config"`
	Vocab  int    `json:"vocab"`
	Seed   int    `json:"seed"`
}

type hybridSpec struct {
	Tokenizer string       `json:"tokenizer"`
	Prompt    []int        `json:"prompt"`
	More      []int        `json:"more"`
	MaxTokens int          `json:"max_tokens"`
	MaxKV     int          `json:"max_kv"`
	Cases     []hybridCase `json:"cases"`
}

func newHybridSpec(t *testing.T) (hybridSpec, string) {
	root := paritytest.RepoRoot(t)
	cfg := func(arch, c string) string { return filepath.Join(root, "parity", "configs", arch+".json") + ":" + c }
	spec := hybridSpec{
		Tokenizer: filepath.Join(root, "lm", "tokenizer", "testdata", "qwen3"),
		// Longer than the conv kernels (4) and than MaxKV; prefilled in one
		// chunk and a 1-token tail.
		Prompt:    []int{3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43},
		More:      []int{101, 7, 200, 9, 9},
		MaxTokens: 10,
		MaxKV:     4,
		Cases: []hybridCase{
			{Name: "qwen3_next", Config: cfg("qwen3_next", "moe-interval4-partial-rope"), Vocab: 256, Seed: 3},
			{Name: "nemotron_h", Config: cfg("nemotron_h", "pattern-str-M-star-dash"), Vocab: 256, Seed: 4},
		},
	}
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "spec.json")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return spec, f
}

// genRun is generate_step's tokens and stacked float32 log-probabilities.
func genRun(t *testing.T, m *loader.Model, prompt []int, o generate.Options) ([]int, *mlx.Array) {
	t.Helper()
	var toks []int
	var lps []*mlx.Array
	for st, err := range generate.GenerateStep(context.Background(), m, prompt, o) {
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, st.Token)
		lps = append(lps, mlx.Astype(st.Logprobs, mlx.Float32))
	}
	if len(lps) == 0 {
		return toks, nil
	}
	s := mlx.Stack(lps, 0)
	for _, a := range lps {
		a.Free()
	}
	t.Cleanup(s.Free)
	return toks, s
}

// sameRun fails unless tokens are equal and the log-probabilities are
// bit-equal (max |Δ| = 0).
func sameRun(t *testing.T, what string, toks []int, lps *mlx.Array, ref *mlx.Tensors, prefix string) {
	t.Helper()
	want := paritytest.Ints(t, paritytest.Get(t, ref, prefix+"tokens"))
	if !slices.Equal(toks, want) {
		t.Errorf("%s: tokens %v, mlx-lm %v", what, toks, want)
	}
	d, err := paritytest.Compare(lps, paritytest.Get(t, ref, prefix+"logprobs"))
	if err != nil || d.MaxAbs != 0 {
		t.Errorf("%s: log-probabilities max |Δ| %g (%v), want bit-equal", what, d.MaxAbs, err)
	}
	t.Logf("%s: tokens %v equal: %v; log-probabilities max |Δ| %g", what, toks, slices.Equal(toks, want), d.MaxAbs)
}

func classNames(cs []cache.Cache) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ClassName()
	}
	return out
}

// sameFile fails unless two prompt-cache files hold the same tensors (names,
// dtypes, shapes, bytes) and the same metadata.
func sameFile(t *testing.T, goFile, pyFile string) {
	t.Helper()
	g, p := paritytest.Load(t, goFile), paritytest.Load(t, pyFile)
	if !slices.Equal(g.Names(), p.Names()) {
		t.Fatalf("tensors %v, mlx-lm's file %v", g.Names(), p.Names())
	}
	for _, n := range g.Names() {
		a, b := g.Arrays[n], p.Arrays[n]
		ab, err1 := a.Bytes()
		bb, err2 := b.Bytes()
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", n, err1, err2)
		}
		if a.Dtype() != b.Dtype() || !slices.Equal(a.Shape(), b.Shape()) || !bytes.Equal(ab, bb) {
			t.Errorf("tensor %s: %s%v, mlx-lm's %s%v (bytes equal: %v)", n, a.Dtype(), a.Shape(), b.Dtype(), b.Shape(), bytes.Equal(ab, bb))
		}
	}
	if fmt.Sprint(g.Metadata) != fmt.Sprint(p.Metadata) {
		t.Errorf("metadata %v, mlx-lm's %v", g.Metadata, p.Metadata)
	}
}

// TestHybridPromptCache compares, on qwen3_next and nemotron_h (ArraysCache
// + KVCache mixes), against mlx-lm 0.32.2 (bit-equal log-probabilities,
// equal tokens):
//   - generation alone (the baseline);
//   - the prompt cache of a prefilled prompt (generate_step, max_tokens=0,
//     as mlx_lm.cache_prompt makes it) saved by Go: the file equals
//     mlx-lm's save_prompt_cache tensor by tensor and in its metadata, and
//     mlx-lm's load_prompt_cache + generate_step on more tokens continues
//     exactly as Go does from its own cache;
//   - mlx-lm's file loaded by Go (LoadPromptCache) continues as mlx-lm does;
//   - a chat: one prompt cache kept across two turns (mlx_lm.chat);
//   - --max-kv-size: make_prompt_cache ignores it for a model with
//     make_cache (no rotating attention cache), so the tokens are those of
//     an unbounded cache;
//   - trimming: can_trim_prompt_cache is false (an ArraysCache cannot be
//     trimmed), trim_prompt_cache trims nothing.
func TestHybridPromptCache(t *testing.T) {
	spec, specFile := newHybridSpec(t)
	dir := t.TempDir()
	pyref.Run(t, filepath.Join("testdata", "hybrid_reference.py"), "make", specFile, dir)
	models := map[string]*loader.Model{}
	for _, c := range spec.Cases {
		d := filepath.Join(dir, c.Name)
		m, err := loader.Load(context.Background(), d, loader.Options{NoProgress: true})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		t.Cleanup(m.Free)
		models[c.Name] = m

		var info struct {
			Classes      []string `json:"classes"`
			ClassesMaxKV []string `json:"classes_max_kv"`
			CanTrim      bool     `json:"can_trim"`
			Trimmed      int      `json:"trimmed"`
		}
		b, err := os.ReadFile(filepath.Join(d, "info.json"))
		if err == nil {
			err = json.Unmarshal(b, &info)
		}
		if err != nil {
			t.Fatal(err)
		}
		ref := paritytest.Load(t, filepath.Join(d, "ref.safetensors"))
		t.Run(c.Name, func(t *testing.T) {
			toks, lps := genRun(t, m, slices.Concat(spec.Prompt, spec.More), generate.Options{MaxTokens: spec.MaxTokens})
			sameRun(t, "alone", toks, lps, ref, "alone/")

			// Caches and trimming.
			pc, err := generate.NewPromptCache(m, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer generate.FreeCache(pc)
			if got := classNames(pc); !slices.Equal(got, info.Classes) {
				t.Errorf("make_prompt_cache: %v, mlx-lm %v", got, info.Classes)
			}
			if !slices.Contains(info.Classes, "ArraysCache") || !slices.Contains(info.Classes, "KVCache") {
				t.Fatalf("not a hybrid model: caches %v", info.Classes)
			}
			mk, err := generate.NewPromptCache(m, spec.MaxKV)
			if err != nil {
				t.Fatal(err)
			}
			if got := classNames(mk); !slices.Equal(got, info.ClassesMaxKV) {
				t.Errorf("make_prompt_cache(max_kv_size=%d): %v, mlx-lm %v", spec.MaxKV, got, info.ClassesMaxKV)
			}
			generate.FreeCache(mk)
			genRun(t, m, spec.Prompt, generate.Options{MaxTokens: 0, PromptCache: pc})
			if got := cache.CanTrimPromptCache(pc); got != info.CanTrim {
				t.Errorf("can_trim_prompt_cache %v, mlx-lm %v", got, info.CanTrim)
			}

			// Go's file: equal to mlx-lm's; mlx-lm continues from it below.
			goFile := filepath.Join(d, "go_cache.safetensors")
			meta := map[string]string{"model": c.Name, "tokens": fmt.Sprint(len(spec.Prompt))}
			if err := cache.SavePromptCache(goFile, pc, meta); err != nil {
				t.Fatal(err)
			}
			sameFile(t, goFile, filepath.Join(d, "py_cache.safetensors"))
			if got := cache.TrimPromptCache(pc, 2); got != info.Trimmed {
				t.Errorf("trim_prompt_cache(2) = %d, mlx-lm %d", got, info.Trimmed)
			}

			// Go continues from its own cache and from mlx-lm's file.
			toks, lps = genRun(t, m, spec.More, generate.Options{MaxTokens: spec.MaxTokens, PromptCache: pc})
			sameRun(t, "Go cache, resumed in Go", toks, lps, ref, "resumed/")
			py, md, err := cache.LoadPromptCache(filepath.Join(d, "py_cache.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer generate.FreeCache(py)
			if got := classNames(py); !slices.Equal(got, info.Classes) {
				t.Errorf("load_prompt_cache(mlx-lm's file): %v, want %v", got, info.Classes)
			}
			if md["model"] != c.Name {
				t.Errorf("mlx-lm's file metadata %v", md)
			}
			toks, lps = genRun(t, m, spec.More, generate.Options{MaxTokens: spec.MaxTokens, PromptCache: py})
			sameRun(t, "mlx-lm's file, resumed in Go", toks, lps, ref, "resumed/")

			// A chat: one cache across two turns.
			chat, err := generate.NewPromptCache(m, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer generate.FreeCache(chat)
			toks, lps = genRun(t, m, spec.Prompt, generate.Options{MaxTokens: spec.MaxTokens, PromptCache: chat})
			sameRun(t, "chat turn 1", toks, lps, ref, "turn1/")
			toks, lps = genRun(t, m, spec.More, generate.Options{MaxTokens: spec.MaxTokens, PromptCache: chat})
			sameRun(t, "chat turn 2", toks, lps, ref, "turn2/")

			toks, _ = genRun(t, m, slices.Concat(spec.Prompt, spec.More), generate.Options{MaxTokens: spec.MaxTokens, MaxKVSize: spec.MaxKV})
			if want := paritytest.Ints(t, paritytest.Get(t, ref, "maxkv/tokens")); !slices.Equal(toks, want) {
				t.Errorf("max_kv_size=%d: tokens %v, mlx-lm %v", spec.MaxKV, toks, want)
			}
		})
	}

	// mlx-lm loads Go's files and continues: the same tokens and
	// log-probabilities as Go's own continuation (checked above to be
	// mlx-lm's).
	pyref.Run(t, filepath.Join("testdata", "hybrid_reference.py"), "resume", specFile, dir)
	for _, c := range spec.Cases {
		d := filepath.Join(dir, c.Name)
		ref := paritytest.Load(t, filepath.Join(d, "ref.safetensors"))
		got := paritytest.Load(t, filepath.Join(d, "go_resumed.safetensors"))
		toks := paritytest.Ints(t, paritytest.Get(t, got, "tokens"))
		sameRun(t, c.Name+": Go's file, resumed in mlx-lm", toks, paritytest.Get(t, got, "logprobs"), ref, "resumed/")
		var res struct {
			Classes  []string          `json:"classes"`
			Metadata map[string]string `json:"metadata"`
		}
		b, err := os.ReadFile(filepath.Join(d, "go_resumed.json"))
		if err == nil {
			err = json.Unmarshal(b, &res)
		}
		if err != nil {
			t.Fatal(err)
		}
		pc, _ := generate.NewPromptCache(models[c.Name], 0)
		if want := classNames(pc); !slices.Equal(res.Classes, want) {
			t.Errorf("%s: mlx-lm loaded Go's file as %v, want %v", c.Name, res.Classes, want)
		}
		generate.FreeCache(pc)
		if res.Metadata["model"] != c.Name || res.Metadata["tokens"] != fmt.Sprint(len(spec.Prompt)) {
			t.Errorf("%s: mlx-lm read Go's metadata as %v", c.Name, res.Metadata)
		}
	}
}
