package tokenizer

import (
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzTokenizerJSON: any tokenizer.json builds a tokenizer or fails with an
// error; a built one encodes and decodes ordinary text without a panic or a
// hang, and decodes every id it produced.
func FuzzTokenizerJSON(f *testing.F) {
	vocab := `"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "<s>": 3, "▁": 4, "<0x41>": 5, "Ġ": 6}, "merges": ["a b"], "byte_fallback": true}`
	for _, seed := range []string{
		`{` + vocab + `}`,
		`{"added_tokens": [{"id": 3, "content": "<s>", "special": true, "normalized": false}], ` +
			`"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}, ` +
			`"decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}, ` +
			`"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [3], "tokens": ["<s>"]}}}, ` + vocab + `}`,
		`{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\s+(?!\\S)|\\p{L}+"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]}, "decoder": {"type": "ByteLevel"}, ` + vocab + `}`,
		`{"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}, "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"}, ` + vocab + `}`,
		`{"pre_tokenizer": {"type": "Digits", "individual_digits": true}, "normalizer": {"type": "NFKC"}, ` + vocab + `}`,
		`{"pre_tokenizer": {"type": "BertPreTokenizer"}, "normalizer": {"type": "Lowercase"}, ` + vocab + `}`,
		`{"model": {"type": "Unigram", "vocab": []}}`, `{`, `null`,
	} {
		f.Add([]byte(seed), "ab a b <s> Hello wörld 123 A")
	}
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		if !utf8.ValidString(text) {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			tok, err := FromJSON("tokenizer.json", data)
			if err != nil {
				return
			}
			ids, err := tok.Encode(text, true)
			if err != nil {
				return
			}
			if _, err := tok.Decode(ids, false); err != nil {
				if _, ok := err.(*RegexLimitError); !ok {
					t.Errorf("decoding ids %v that Encode produced: %v", ids, err)
				}
			}
			sd := tok.NewStreamDecoder()
			for _, id := range ids {
				sd.Add(id)
			}
			sd.Flush()
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("tokenizer %q on %q still running after 30s", data, text)
		}
	})
}
