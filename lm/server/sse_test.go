package server

import (
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAppendJSONString compares appendJSONString with encoding/json's
// string encoding (HTML escaping on) byte for byte: every single byte,
// every pair of a special byte with a multibyte rune, U+2028/9, invalid
// UTF-8 and random strings.
func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "plain", "a\"b\\c", "<tag> & co", "line\nbreak\r\t", "\u2028\u2029", "é漢字🙂", "\xff\xfe", "a\xc3", "\xe2\x80"}
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "x"+string([]byte{byte(b)})+"é")
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", " ", "\"", "\\", "<", ">", "&", "\n", "\x01", "\x7f", "é", "漢", "🙂", "\u2028", "\xff", "\xc3"}
	for range 2000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json gives %s", s, got, want)
		}
	}
}

// TestContentChunkEqualsMarshal checks that the prerendered per-token chunk
// is byte for byte the SSE line json.Marshal of the full response gives,
// for chat and text completions, with texts that need escaping.
func TestContentChunkEqualsMarshal(t *testing.T) {
	for _, chat := range []bool{true, false} {
		rp := &reply{s: &Server{fp: "fp_x"}, p: &params{model: "default_model", stream: true}, chat: chat,
			id: "chatcmpl-1", object: "chat.completion.chunk", created: 1700000000}
		c, err := newContentChunk(rp.response(sentinel, "", nil, nil, "", nil))
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"Hello", " <b>\"x\"</b>\n", "漢\u2028\xff"} {
			want, err := json.Marshal(rp.response(text, "", nil, nil, "", nil))
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			if err := c.write(rec, rec, text); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.String(); got != "data: "+string(want)+"\n\n" {
				t.Fatalf("chat=%v %q:\n got %s\nwant data: %s", chat, text, got, want)
			}
		}
	}
}
