package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// minimalModel is a valid three-token BPE model that the error cases below
// combine with one broken component each.
const minimalModel = `"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}`

func writeTokenizer(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"invalid json", `{"model": `, `tokenizer.json: invalid JSON`},
		{"no model", `{}`, `tokenizer.json: model is missing`},
		{"model type", `{"model": {"type": "Unigram", "vocab": []}}`, `tokenizer.json: model.type "Unigram" is not supported`},
		{"pre_tokenizer type", `{"pre_tokenizer": {"type": "Foo"}, ` + minimalModel + `}`,
			`tokenizer.json: pre_tokenizer.type "Foo" is not supported`},
		{"nested pre_tokenizer", `{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "Foo"}]}, ` + minimalModel + `}`,
			`tokenizer.json: pre_tokenizer.pretokenizers[1].type "Foo" is not supported`},
		{"normalizer type", `{"normalizer": {"type": "Precompiled"}, ` + minimalModel + `}`,
			`tokenizer.json: normalizer.type "Precompiled" is not supported`},
		{"decoder type", `{"decoder": {"type": "Sequence", "decoders": [{"type": "CTC"}]}, ` + minimalModel + `}`,
			`tokenizer.json: decoder.decoders[0].type "CTC" is not supported`},
		{"post_processor type", `{"post_processor": {"type": "Foo"}, ` + minimalModel + `}`,
			`tokenizer.json: post_processor.type "Foo" is not supported`},
		{"component without type", `{"decoder": {}, ` + minimalModel + `}`, `tokenizer.json: decoder has no "type"`},
		{"bad regex", `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(("}, "behavior": "Isolated"}, ` + minimalModel + `}`,
			`tokenizer.json: pre_tokenizer.pattern.Regex "((" does not compile`},
		{"bad behavior", `{"pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}, ` + minimalModel + `}`,
			`tokenizer.json: pre_tokenizer.behavior "Sideways" is not a supported split behavior`},
		{"merge not in vocab", `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}}`,
			`tokenizer.json: model.merges[0] uses a token not in model.vocab`},
		{"bad merge string", `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["ab"]}}`,
			`tokenizer.json: model.merges[0] "ab" is not two space-separated tokens`},
		{"unk not in vocab", `{"model": {"type": "BPE", "unk_token": "<unk>", "vocab": {"a": 0}, "merges": []}}`,
			`tokenizer.json: model.unk_token "<unk>" is not in model.vocab`},
		{"template names unknown token", `{"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}], "special_tokens": {}}, ` + minimalModel + `}`,
			`tokenizer.json: post_processor.single[0] names special token "<s>" missing from special_tokens`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeTokenizer(t, c.body))
			if err == nil {
				t.Fatalf("Load succeeded, want error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("Load(missing path) error = %v, want one naming the path", err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "no tokenizer.json") {
		t.Fatalf("Load(empty dir) error = %v, want one saying tokenizer.json is missing", err)
	}
	bad := writeTokenizer(t, `{`+minimalModel+`}`)
	if err := os.WriteFile(filepath.Join(bad, "tokenizer_config.json"), []byte(`{"bos_token": "<zz>"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), `tokenizer_config.json: bos_token "<zz>" is not in the vocabulary`) {
		t.Fatalf("Load(bad config) error = %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tok, err := Load(writeTokenizer(t, `{`+minimalModel+`}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, ids := range [][]int{{3}, {0, -1}, {1 << 40}} {
		if _, err := tok.Decode(ids, false); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("Decode(%v) error = %v, want out of range", ids, err)
		}
		sd := tok.NewStreamDecoder()
		for _, id := range ids {
			sd.Add(id)
		}
		sd.Flush()
		if sd.Err() == nil {
			t.Errorf("StreamDecoder.Add(%v): Err() = nil, want out of range", ids)
		}
	}
	if _, err := tok.Encode("a\xffb", false); err == nil {
		t.Error("Encode(invalid UTF-8) succeeded, want error")
	}
	// The minimal model has no decoder: HF joins tokens with spaces.
	if got, err := tok.Decode([]int{2, 0}, false); err != nil || got != "ab a" {
		t.Errorf("Decode([2 0]) = %q, %v", got, err)
	}
}
