package gguf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/lm/convert"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"

	_ "github.com/hf2go/hf2go/generated/models/llama"
)

// TestSmolLM2MatchesMLXLM runs the real SmolLM2 GGUF in Go and mlx-lm on the
// directory the GGUF converts to (WriteHFDir + lm/convert with --dtype
// float32, what `mlxlm convert --dtype float32` does), and compares, per
// prompt: the chat-templated ids (Go's template and tokenizer from the GGUF
// metadata vs transformers on the converted tokenizer files), the logits of
// the prompt (float32 on the CPU: max |Δ| must be 0), and the greedy tokens
// and their text. Go computes in float32 (--dtype float32), which casts the
// same float16 scales the same way convert does, so nothing may differ.
func TestSmolLM2MatchesMLXLM(t *testing.T) {
	t.Parallel()
	const nTokens = 8
	path := smolLM2(t)
	ctx := context.Background()
	tmp := t.TempDir()
	stage := filepath.Join(tmp, "hf")
	if err := WriteHFDir(ctx, path, stage); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "mlx")
	if _, err := convert.Convert(ctx, convert.Options{HFPath: stage, MLXPath: dir, Dtype: "float32"}); err != nil {
		t.Fatal(err)
	}
	out := paritytest.Generate(t, "model_reference.py", dir, fmt.Sprint(nTokens))
	data, err := os.ReadFile(filepath.Join(out, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref []struct {
		Prompt string `json:"prompt"`
		IDs    []int  `json:"ids"`
		Greedy []int  `json:"greedy"`
		Text   string `json:"text"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	logits := paritytest.Load(t, filepath.Join(out, "logits.safetensors"))

	m, tok, err := Load(ctx, path, loader.Options{Dtype: "float32", NoProgress: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	for i, r := range ref {
		text, err := tok.ApplyChatTemplate([]map[string]any{{"role": "user", "content": r.Prompt}}, tokenizer.ChatOptions{AddGenerationPrompt: true})
		if err != nil {
			t.Fatal(err)
		}
		ids, err := tok.Encode(text, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, r.IDs) {
			t.Fatalf("%q: prompt ids\n got %v\nwant %v", r.Prompt, ids, r.IDs)
		}
		in := make([]int32, len(ids))
		for j, id := range ids {
			in[j] = int32(id)
		}
		s := mlx.NewScope()
		l, err := m.Forward(mlx.FromSlice(in, 1, len(in)), nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := paritytest.MaxAbsDiff(mlx.Astype(l.Index(0), mlx.Float32), paritytest.Get(t, logits, fmt.Sprintf("logits_%d", i)))
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if d != 0 {
			t.Errorf("%q: prompt logits max |Δ| = %g, want 0", r.Prompt, d)
		}
		if i > 0 {
			// Greedy decoding is compared on the first prompt only (the
			// decode loop is slow under the race detector); ids and logits
			// on all.
			t.Logf("%q: ids and logits equal (max |Δ| = %g)", r.Prompt, d)
			continue
		}
		var got []int
		var sb strings.Builder
		o := generate.StreamOptions{Options: generate.Options{MaxTokens: nTokens}, Tokenizer: tok, EOSTokenIDs: m.EOSTokenIDs}
		for resp, err := range generate.Stream(ctx, m, ids, o) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, resp.Token)
			sb.WriteString(resp.Text)
		}
		if !slices.Equal(got, r.Greedy) {
			t.Errorf("%q: greedy tokens\n got %v\nwant %v", r.Prompt, got, r.Greedy)
		}
		// mlx-lm's decode keeps the EOS token's text; the stream stops before it.
		want := strings.TrimSuffix(r.Text, "<|im_end|>")
		if sb.String() != want {
			t.Errorf("%q: text %q, want %q", r.Prompt, sb.String(), want)
		}
		t.Logf("%q -> %q (logits max |Δ| = %g, %d tokens equal)", r.Prompt, sb.String(), d, len(got))
	}
}
