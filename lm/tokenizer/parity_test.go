package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The parity tests compare this package with the Python `tokenizers` package
// on a deterministic corpus. testdata/reference.py produces all expectations at
// test time from the project venv; nothing expected is hard-coded here.

type familyRef struct {
	RandomIDs     [][]int  `json:"random_ids"`
	RandomDecoded []string `json:"random_decoded"`
	VocabSize     int      `json:"vocab_size"`
	BOS           *int     `json:"bos"`
	EOS           *int     `json:"eos"`
	IDSample      []int    `json:"id_sample"`
	TokenSample   []string `json:"token_sample"`

	WithSpecial    [][]int  `json:"with_special"`
	WithoutSpecial [][]int  `json:"without_special"`
	Decoded        []string `json:"decoded"`
	DecodedSkip    []string `json:"decoded_skip"`
}

type reference struct {
	Version  string               `json:"tokenizers_version"`
	Corpus   []string             `json:"corpus"`
	Families map[string]familyRef `json:"families"`
	dir      string
}

// realFamilies are committed under testdata/<name>/; the others are variants
// reference.py derives from them and writes next to reference.json.
var realFamilies = []string{"llama3", "qwen3", "llama2", "gemma3", "gpt4"}

var (
	refOnce sync.Once
	refData *reference
	refErr  error
	refDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if refDir != "" {
		os.RemoveAll(refDir)
	}
	os.Exit(code)
}

// repoRoot walks up from the test's working directory to the go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test directory")
		}
		dir = parent
	}
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	refOnce.Do(func() {
		root, err := repoRoot()
		if err != nil {
			refErr = err
			return
		}
		py := filepath.Join(root, ".venv", "bin", "python")
		if _, err := os.Stat(py); err != nil {
			refErr = fmt.Errorf("the project venv python %s is missing: run `make setup` first (%v)", py, err)
			return
		}
		refDir, err = os.MkdirTemp("", "tokenizer-ref-")
		if err != nil {
			refErr = err
			return
		}
		cmd := exec.Command(py, filepath.Join("testdata", "reference.py"), "testdata", refDir)
		if out, err := cmd.CombinedOutput(); err != nil {
			refErr = fmt.Errorf("reference.py failed: %v\n%s", err, out)
			return
		}
		data, err := os.ReadFile(filepath.Join(refDir, "reference.json"))
		if err != nil {
			refErr = err
			return
		}
		var r reference
		if err := json.Unmarshal(data, &r); err != nil {
			refErr = err
			return
		}
		r.dir = refDir
		refData = &r
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	return refData
}

var (
	loadedMu sync.Mutex
	loaded   = map[string]*Tokenizer{}
)

// loadShared loads each tokenizer once per test binary: loading the large
// vocabularies is a good part of the package's test time under -race.
// Tokenizer is safe for concurrent use, so tests may share one.
func loadShared(t *testing.T, path string) *Tokenizer {
	t.Helper()
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if tok, ok := loaded[path]; ok {
		return tok
	}
	tok, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded[path] = tok
	return tok
}

func familyPath(r *reference, fam string) string {
	if slices.Contains(realFamilies, fam) {
		return filepath.Join("testdata", fam)
	}
	return filepath.Join(r.dir, fam, "tokenizer.json")
}

func TestParityWithPythonTokenizers(t *testing.T) {
	r := loadReference(t)
	if len(r.Corpus) < 2000 {
		t.Fatalf("corpus has %d strings, want >= 2000", len(r.Corpus))
	}
	for _, fam := range realFamilies {
		if _, ok := r.Families[fam]; !ok {
			t.Fatalf("reference.json lacks family %s", fam)
		}
	}
	fams := make([]string, 0, len(r.Families))
	for f := range r.Families {
		fams = append(fams, f)
	}
	slices.Sort(fams)
	for _, fam := range fams {
		t.Run(fam, func(t *testing.T) {
			t.Parallel()
			ref := r.Families[fam]
			tok := loadShared(t, familyPath(r, fam))
			checkVocab(t, tok, ref)
			checkRandomDecode(t, tok, ref)
			checkFamily(t, tok, r.Corpus, ref)
		})
	}
}

// checkVocab compares the vocabulary accessors and the BOS/EOS ids that
// tokenizer_config.json names (resolved by Python's token_to_id).
func checkVocab(t *testing.T, tok *Tokenizer, ref familyRef) {
	if got := tok.VocabSize(); got != ref.VocabSize {
		t.Errorf("VocabSize() = %d, want %d", got, ref.VocabSize)
	}
	for k, id := range ref.IDSample {
		got, ok := tok.IDToToken(id)
		if !ok || got != ref.TokenSample[k] {
			t.Errorf("IDToToken(%d) = %q, %v; want %q", id, got, ok, ref.TokenSample[k])
			continue
		}
		if back, ok := tok.TokenToID(got); !ok || back != id {
			// Duplicated strings (an added token equal to a vocab entry) map
			// to one id; Python agrees on which.
			t.Errorf("TokenToID(%q) = %d, %v; want %d", got, back, ok, id)
		}
	}
	for _, c := range []struct {
		name string
		want *int
		get  func() (int, bool)
	}{{"BOS", ref.BOS, tok.BOS}, {"EOS", ref.EOS, tok.EOS}} {
		got, ok := c.get()
		switch {
		case c.want == nil && ok:
			t.Errorf("%s() = %d, want none", c.name, got)
		case c.want != nil && (!ok || got != *c.want):
			t.Errorf("%s() = %d, %v; want %d", c.name, got, ok, *c.want)
		}
	}
}

// checkRandomDecode decodes random id sequences, which exercise invalid UTF-8
// handling. The stream must match Decode except where byte-fallback runs are
// invalid: there StreamDecoder knowingly emits complete characters early (see
// its doc), so only UTF-8 validity of its pieces is required.
func checkRandomDecode(t *testing.T, tok *Tokenizer, ref familyRef) {
	dec := &mismatches{t: t, kind: "Decode(random ids)"}
	stream := &mismatches{t: t, kind: "StreamDecoder(random ids)"}
	for i, ids := range ref.RandomIDs {
		got, err := tok.Decode(ids, false)
		if err != nil {
			t.Fatalf("Decode(%v): %v", ids, err)
		}
		want := ref.RandomDecoded[i]
		if got != want {
			dec.add(i, fmt.Sprint(ids), fmt.Sprintf("%q", got), fmt.Sprintf("%q", want))
		}
		s, ok := streamAll(tok, ids)
		exact := tok.NewStreamDecoder().mode != streamSPM || !strings.Contains(want, "\uFFFD")
		if !ok || (exact && s != want) {
			stream.add(i, fmt.Sprint(ids), fmt.Sprintf("%q (all pieces valid UTF-8: %v)", s, ok), fmt.Sprintf("%q", want))
		}
	}
	dec.report(len(ref.RandomIDs))
	stream.report(len(ref.RandomIDs))
}

// mismatches caps failure output: one broken rule can fail thousands of strings.
type mismatches struct {
	t     *testing.T
	kind  string
	count int
}

func (m *mismatches) add(i int, text string, got, want any) {
	m.count++
	if m.count <= 4 {
		m.t.Errorf("%s mismatch on corpus[%d] %q:\n got  %v\n want %v", m.kind, i, truncate(text), got, want)
	}
}

// addIDs reports where two id sequences first differ, with a little context,
// instead of dumping thousands of ids.
func (m *mismatches) addIDs(i int, text string, got, want []int) {
	k := 0
	for k < len(got) && k < len(want) && got[k] == want[k] {
		k++
	}
	lo := max(0, k-3)
	window := func(x []int) []int { return x[min(lo, len(x)):min(k+6, len(x))] }
	m.add(i, text, fmt.Sprintf("len %d, from index %d: %v", len(got), lo, window(got)),
		fmt.Sprintf("len %d, from index %d: %v", len(want), lo, window(want)))
}

func (m *mismatches) report(total int) {
	if m.count > 0 {
		m.t.Errorf("%s: %d of %d strings differ", m.kind, m.count, total)
	}
}

func truncate(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}

func checkFamily(t *testing.T, tok *Tokenizer, corpus []string, ref familyRef) {
	encW := &mismatches{t: t, kind: "Encode(add_special=true)"}
	encWO := &mismatches{t: t, kind: "Encode(add_special=false)"}
	dec := &mismatches{t: t, kind: "Decode(skip_special=false)"}
	decSkip := &mismatches{t: t, kind: "Decode(skip_special=true)"}
	stream := &mismatches{t: t, kind: "StreamDecoder"}
	streamSkip := &mismatches{t: t, kind: "StreamDecoder(SkipSpecialTokens)"}
	for i, text := range corpus {
		got, err := tok.Encode(text, true)
		if err != nil {
			t.Fatalf("Encode(corpus[%d]): %v", i, err)
		}
		if !slices.Equal(got, ref.WithSpecial[i]) {
			encW.addIDs(i, text, got, ref.WithSpecial[i])
		}
		got, err = tok.Encode(text, false)
		if err != nil {
			t.Fatalf("Encode(corpus[%d]): %v", i, err)
		}
		if !slices.Equal(got, ref.WithoutSpecial[i]) {
			encWO.addIDs(i, text, got, ref.WithoutSpecial[i])
		}
		// Decode the reference ids, so a decode check does not depend on encode.
		ids := ref.WithSpecial[i]
		s, err := tok.Decode(ids, false)
		if err != nil {
			t.Fatalf("Decode(corpus[%d]): %v", i, err)
		}
		if s != ref.Decoded[i] {
			dec.add(i, text, s, ref.Decoded[i])
		}
		s, err = tok.Decode(ids, true)
		if err != nil {
			t.Fatalf("Decode(corpus[%d]): %v", i, err)
		}
		if s != ref.DecodedSkip[i] {
			decSkip.add(i, text, s, ref.DecodedSkip[i])
		}
		if got, ok := streamAll(tok, ids); !ok || got != ref.Decoded[i] {
			stream.add(i, text, fmt.Sprintf("%q (all pieces valid UTF-8: %v)", got, ok), fmt.Sprintf("%q", ref.Decoded[i]))
		}
		if got, ok := streamAll(tok, ids, SkipSpecialTokens()); !ok || got != ref.DecodedSkip[i] {
			streamSkip.add(i, text, fmt.Sprintf("%q (all pieces valid UTF-8: %v)", got, ok), fmt.Sprintf("%q", ref.DecodedSkip[i]))
		}
	}
	for _, m := range []*mismatches{encW, encWO, dec, decSkip, stream, streamSkip} {
		m.report(len(corpus))
	}
}

// streamAll feeds ids one by one and reports the concatenated output and
// whether every emitted piece was valid UTF-8.
func streamAll(tok *Tokenizer, ids []int, opts ...StreamOption) (string, bool) {
	sd := tok.NewStreamDecoder(opts...)
	var sb strings.Builder
	valid := true
	for _, id := range ids {
		p := sd.Add(id)
		valid = valid && utf8.ValidString(p)
		sb.WriteString(p)
	}
	p := sd.Flush()
	valid = valid && utf8.ValidString(p) && sd.Err() == nil
	sb.WriteString(p)
	return sb.String(), valid
}
