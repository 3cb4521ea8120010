package tokenizer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/hf2go/hf2go/parity/pyref"
)

// evilPattern takes time exponential in the length of a run of "a" that does
// not end the text: 2^n paths for n characters.
const evilPattern = `(a+)+$`

// evilTokenizer has a single-character vocabulary and evilPattern in the
// component named by where ("pre_tokenizer", "normalizer" or "decoder").
func evilTokenizer(where string) string {
	vocab := `"model": {"type": "BPE", "vocab": {"a": 0, "!": 1, "b": 2}, "merges": []}`
	pat := `{"Regex": "` + evilPattern + `"}`
	switch where {
	case "pre_tokenizer":
		return `{"pre_tokenizer": {"type": "Split", "pattern": ` + pat + `, "behavior": "Isolated", "invert": false}, ` + vocab + `}`
	case "normalizer":
		return `{"normalizer": {"type": "Replace", "pattern": ` + pat + `, "content": "b"}, ` + vocab + `}`
	case "decoder":
		return `{"decoder": {"type": "Replace", "pattern": ` + pat + `, "content": "b"}, ` + vocab + `}`
	}
	panic(where)
}

// within runs f and fails the test if it takes longer than the regex limit
// plus slack (a hang is what this guards against).
func within(t *testing.T, f func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(RegexMatchLimit + 20*time.Second):
		t.Fatalf("still running after %v: the regex is not bounded", time.Since(start))
	}
	return time.Since(start)
}

func checkLimitError(t *testing.T, err error, key string) {
	t.Helper()
	var rl *RegexLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("want a *RegexLimitError, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"tokenizer.json", key, evilPattern, "backtracks"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
}

// TestRegexLimit: a backtracking pattern in each component that runs regexes
// ends in a RegexLimitError naming the file, key and pattern, after about
// RegexMatchLimit, not after the ~2^38 steps it would take.
func TestRegexLimit(t *testing.T) {
	evil := strings.Repeat("a", 38) + "!"
	for _, tc := range []struct{ where, key string }{
		{"pre_tokenizer", "pre_tokenizer.pattern.Regex"},
		{"normalizer", "normalizer.pattern.Regex"},
	} {
		t.Run(tc.where, func(t *testing.T) {
			tok, err := Load(writeTokenizer(t, evilTokenizer(tc.where)))
			if err != nil {
				t.Fatal(err)
			}
			if ids, err := tok.Encode("aaaa!", false); err != nil || len(ids) == 0 {
				t.Fatalf("a short input must still work: %v, %v", ids, err)
			}
			var err2 error
			d := within(t, func() { _, err2 = tok.Encode(evil, false) })
			checkLimitError(t, err2, tc.key)
			if d < RegexMatchLimit/2 {
				t.Errorf("gave up after %v, before the limit %v", d, RegexMatchLimit)
			}
		})
	}
	t.Run("decoder", func(t *testing.T) {
		// The Replace decoder works token by token: one token holds the run.
		body := strings.Replace(evilTokenizer("decoder"), `"b": 2}`, `"b": 2, "`+evil+`": 3}`, 1)
		tok, err := Load(writeTokenizer(t, body))
		if err != nil {
			t.Fatal(err)
		}
		if s, err := tok.Decode([]int{0, 0, 1}, false); err != nil || s != "bb!" { // each "a" token matches the pattern alone
			t.Fatalf("a short decode must still work: %q, %v", s, err)
		}
		ids := []int{0, 3, 0}
		var err2 error
		within(t, func() { _, err2 = tok.Decode(ids, false) })
		checkLimitError(t, err2, "decoder.pattern.Regex")
		// The stream decoder records it in Err and then stops trying.
		sd := tok.NewStreamDecoder()
		within(t, func() {
			for _, id := range ids {
				sd.Add(id)
			}
			sd.Flush()
		})
		checkLimitError(t, sd.Err(), "decoder.pattern.Regex")
	})
	t.Run("added token normalized at load", func(t *testing.T) {
		body := strings.Replace(evilTokenizer("normalizer"), `"model"`,
			`"added_tokens": [{"id": 3, "content": "`+evil+`", "normalized": true, "special": false}], "model"`, 1)
		var err error
		within(t, func() { _, err = Load(writeTokenizer(t, body)) })
		checkLimitError(t, err, "normalizer.pattern.Regex")
	})
}

// TestRegexLimitLikeHF: HF tokenizers, on the same tokenizer.json, gives up
// on the same input (Oniguruma's retry limit) and agrees on the ids of inputs
// that are not pathological.
func TestRegexLimitLikeHF(t *testing.T) {
	dir := writeTokenizer(t, evilTokenizer("pre_tokenizer"))
	inputs := []string{"aaaa!", "a!a!", strings.Repeat("a", 12) + "!", strings.Repeat("a", 38) + "!", "!!"}
	in := filepath.Join(dir, "inputs.json")
	b, _ := json.Marshal(inputs)
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	pyref.Run(t, filepath.Join("testdata", "regexlimit_reference.py"), filepath.Join(dir, "tokenizer.json"), in, out)
	var ref []struct {
		IDs   []int  `json:"ids"`
		Error string `json:"error"`
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range inputs {
		var ids []int
		var err error
		within(t, func() { ids, err = tok.Encode(text, false) })
		switch {
		case ref[i].Error != "":
			if !strings.Contains(ref[i].Error, "retry-limit") {
				t.Errorf("%q: HF failed for another reason: %s", text, ref[i].Error)
			}
			var rl *RegexLimitError
			if !errors.As(err, &rl) {
				t.Errorf("%q: HF stops at its retry limit, Go gave %v, %v", text, ids, err)
			}
		case err != nil:
			t.Errorf("%q: HF gives %v, Go fails: %v", text, ref[i].IDs, err)
		case !reflect.DeepEqual(ids, ref[i].IDs):
			t.Errorf("%q: ids %v, HF %v", text, ids, ref[i].IDs)
		}
	}
}

// TestRegexLimitNotHitByLongText: the bound is per search, so long ordinary
// text through a real tokenizer (Llama 3's pattern, with lookahead) is not
// cut short.
func TestRegexLimitNotHitByLongText(t *testing.T) {
	tok, err := Load(filepath.Join("testdata", "llama3"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat(benchText, 4) + strings.Repeat(" ", 30000) + strings.Repeat("x", 30000)
	if _, err := tok.Encode(text, false); err != nil {
		t.Fatal(err)
	}
}

// TestBoundedSearchSpuriousTimeout: a timeout reported after almost no real
// time (regexp2's starved clock jumping forward) is retried and the search's
// result returned; one reported after at least half the limit is genuine and
// returned as is; a search that keeps failing fast stops after the bounded
// retries.
func TestBoundedSearchSpuriousTimeout(t *testing.T) {
	timeout := errors.New("match timeout")
	cases := []struct {
		name      string
		failFirst int           // calls that fail before one succeeds
		delay     time.Duration // real time each failing call takes
		wantErr   bool
		wantCalls int
	}{
		{"spurious once, then found", 1, 0, false, 2},
		{"spurious every time", 100, 0, true, spuriousTimeoutRetries + 1},
		{"genuine", 100, RegexMatchLimit / 2, true, 1},
		{"no timeout", 0, 0, false, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			_, err := boundedSearch(func() (*regexp2.Match, error) {
				calls++
				if calls <= c.failFirst {
					time.Sleep(c.delay)
					return nil, timeout
				}
				return nil, nil
			})
			if (err != nil) != c.wantErr || calls != c.wantCalls {
				t.Errorf("err %v after %d calls; want error %v after %d", err, calls, c.wantErr, c.wantCalls)
			}
		})
	}
}
