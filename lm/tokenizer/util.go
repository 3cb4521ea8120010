package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// configError names the file and the JSON key so a user can find the offending
// part of a multi-megabyte tokenizer.json without a debugger.
type configError struct {
	file string
	key  string
	msg  string
}

func (e *configError) Error() string {
	if e.key == "" {
		return e.file + ": " + e.msg
	}
	return e.file + ": " + e.key + " " + e.msg
}

// unsupported builds the canonical `key.type "X" is not supported` error.
func unsupported(file, key, typ string) error {
	return &configError{file: file, key: key + ".type", msg: fmt.Sprintf("%q is not supported", typ)}
}

// typeOf extracts the "type" discriminator of a polymorphic component.
func typeOf(file, key string, raw json.RawMessage) (string, error) {
	var t struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", &configError{file: file, key: key, msg: "is not a JSON object: " + err.Error()}
	}
	if t.Type == "" {
		return "", &configError{file: file, key: key, msg: "has no \"type\""}
	}
	return t.Type, nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// rawPattern is the HF `{"String": "..."}` / `{"Regex": "..."}` union.
type rawPattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// pattern finds non-overlapping matches, reported as byte offsets.
type pattern interface {
	findAll(s string) [][2]int
}

type literalPattern string

func (p literalPattern) findAll(s string) [][2]int {
	if p == "" {
		return nil
	}
	var out [][2]int
	off := 0
	for {
		i := strings.Index(s[off:], string(p))
		if i < 0 {
			return out
		}
		out = append(out, [2]int{off + i, off + i + len(p)})
		off += i + len(p)
	}
}

// regexPattern wraps regexp2 because HF pre-tokenizer regexes (Oniguruma
// syntax) rely on lookahead such as `\s+(?!\S)`, which Go's regexp lacks.
// regexp2 backtracks, so a pattern such as `(a+)+$` takes time exponential in
// the input; every search is therefore bounded by RegexMatchLimit, as HF
// tokenizers bounds it by Oniguruma's retry limit (which, for `(a+)+$`, stops
// after ~0.4 s on the 2-core machine the limit was chosen on).
type regexPattern struct {
	re        *regexp2.Regexp
	file, key string // where the pattern came from, for the error
}

// RegexMatchLimit is the longest one regex search (finding the next match)
// may take. Real tokenizer patterns find a match in microseconds; regexp2 is
// about 10x slower than Oniguruma, so this is roughly Oniguruma's default
// retry limit (10 million retries) in regexp2's time.
const RegexMatchLimit = time.Second

// RegexLimitError is returned by Encode, Decode and the stream decoder when a
// tokenizer regex ran past RegexMatchLimit (catastrophic backtracking).
type RegexLimitError struct {
	File, Key string // tokenizer file and JSON key of the pattern ("" for a built-in one)
	Pattern   string
	InputLen  int // characters of the text being searched
}

func (e *RegexLimitError) Error() string {
	where := "built-in regex"
	if e.File != "" {
		where = e.File + ": " + e.Key
	}
	p := e.Pattern
	if len(p) > 200 {
		p = p[:200] + "…"
	}
	return fmt.Sprintf("%s %q found no match decision within %v on a %d-character text: the pattern backtracks catastrophically (HF tokenizers stops it at Oniguruma's retry limit too)",
		where, p, RegexMatchLimit, e.InputLen)
}

// regexAbort carries a RegexLimitError from deep inside a normalize /
// pre-tokenize / decode chain up to the exported method, which turns it back
// into an error (see catchRegexLimit). It never leaves the package: the
// pattern interface is used in per-character loops by many implementations,
// and a bounded search that gave up has to abandon the whole call anyway.
type regexAbort struct{ err *RegexLimitError }

// catchRegexLimit is deferred by every exported entry point that can run a
// regex; any other panic is re-raised.
func catchRegexLimit(err *error) {
	if r := recover(); r != nil {
		a, ok := r.(regexAbort)
		if !ok {
			panic(r)
		}
		*err = a.err
	}
}

var (
	regexCacheMu sync.Mutex
	regexCache   = map[string]*regexp2.Regexp{}
)

// compileRegex caches compiled regexes process-wide: every Llama 3 / Qwen /
// GPT-4 style tokenizer uses the same few patterns, and compiling regexp2
// programs is not free. regexp2.Regexp is safe for concurrent use, and every
// cached one has the same MatchTimeout.
func compileRegex(expr string) (*regexp2.Regexp, error) {
	regexCacheMu.Lock()
	defer regexCacheMu.Unlock()
	if re, ok := regexCache[expr]; ok {
		return re, nil
	}
	re, err := regexp2.Compile(expr, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = RegexMatchLimit
	regexCache[expr] = re
	return re, nil
}

func (p regexPattern) findAll(s string) [][2]int {
	if s == "" {
		return nil
	}
	runes := []rune(s)
	// regexp2 reports rune indices; map them back to byte offsets.
	byteOff := make([]int, len(runes)+1)
	b := 0
	for i, r := range runes {
		byteOff[i] = b
		// Encode rejects invalid UTF-8, so every rune has its encoded width.
		b += utf8.RuneLen(r)
	}
	byteOff[len(runes)] = b
	var out [][2]int
	m, err := boundedSearch(func() (*regexp2.Match, error) { return p.re.FindRunesMatch(runes) })
	for err == nil && m != nil {
		start, end := m.Index, m.Index+m.Length
		if end > start {
			out = append(out, [2]int{byteOff[start], byteOff[end]})
		}
		prev := m
		m, err = boundedSearch(func() (*regexp2.Match, error) { return p.re.FindNextMatch(prev) })
	}
	if err != nil {
		// The only error regexp2 returns while matching is its timeout.
		panic(regexAbort{&RegexLimitError{File: p.file, Key: p.key, Pattern: p.re.String(), InputLen: len(runes)}})
	}
	return out
}

// spuriousTimeoutRetries bounds how often one search is repeated after a
// timeout that fired well before RegexMatchLimit had passed.
const spuriousTimeoutRetries = 3

// boundedSearch runs one regexp2 search and tells its genuine timeouts from
// spurious ones. regexp2 checks MatchTimeout against a coarse clock that a
// background goroutine advances; when that goroutine is starved (a loaded
// machine, the race detector) it moves the clock forward in one jump, and a
// search that has only just started sees its deadline passed (measured here:
// a 1-character text "timing out" under -race at load 17). A search reported
// as timed out after less than half the limit of real time is therefore run
// again (it is deterministic, so its result is the same); one that really ran
// that long is a genuine timeout, and the bound against catastrophic
// backtracking is unchanged.
func boundedSearch(search func() (*regexp2.Match, error)) (*regexp2.Match, error) {
	for try := 0; ; try++ {
		start := time.Now()
		m, err := search()
		if err == nil || try == spuriousTimeoutRetries || time.Since(start) >= RegexMatchLimit/2 {
			return m, err
		}
	}
}

func buildPattern(file, key string, raw json.RawMessage) (pattern, error) {
	var p rawPattern
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, &configError{file: file, key: key, msg: "is not a pattern object: " + err.Error()}
	}
	switch {
	case p.String != nil:
		return literalPattern(*p.String), nil
	case p.Regex != nil:
		re, err := compileRegex(*p.Regex)
		if err != nil {
			return nil, &configError{file: file, key: key + ".Regex", msg: fmt.Sprintf("%q does not compile: %v", *p.Regex, err)}
		}
		return regexPattern{re: re, file: file, key: key + ".Regex"}, nil
	}
	return nil, &configError{file: file, key: key, msg: "needs \"String\" or \"Regex\""}
}

// replaceAll replaces every match of p in s with content.
func replaceAll(p pattern, s, content string) string {
	if lp, ok := p.(literalPattern); ok {
		if lp == "" {
			return s
		}
		return strings.ReplaceAll(s, string(lp), content)
	}
	ms := p.findAll(s)
	if len(ms) == 0 {
		return s
	}
	var sb strings.Builder
	prev := 0
	for _, m := range ms {
		sb.WriteString(s[prev:m[0]])
		sb.WriteString(content)
		prev = m[1]
	}
	sb.WriteString(s[prev:])
	return sb.String()
}

// lossyUTF8 decodes b like Rust's String::from_utf8_lossy: each maximal
// invalid subpart becomes one U+FFFD. Go's own conversions differ (one U+FFFD
// per byte, or one per run), and parity with HF decode needs this exact rule.
func lossyUTF8(b []byte) string {
	s, _ := lossyPrefix(b, true)
	return s
}

// lossyPrefix decodes as much of b as is final. Unless final, a trailing
// sequence that could still become a valid character is returned in rest
// instead of being replaced, so a streaming caller can wait for more bytes and
// still produce exactly what lossyUTF8 would produce for the whole input.
func lossyPrefix(b []byte, final bool) (string, []byte) {
	if utf8.Valid(b) {
		return string(b), nil
	}
	var sb strings.Builder
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			sb.WriteString(string(b[i : i+size]))
			i += size
			continue
		}
		n := validPrefixLen(b[i:])
		if !final && i+n == len(b) && n > 0 {
			return sb.String(), b[i:]
		}
		sb.WriteRune(utf8.RuneError)
		if n == 0 {
			n = 1
		}
		i += n
	}
	return sb.String(), nil
}

// validPrefixLen returns how many bytes at the start of b form a proper prefix
// of some valid UTF-8 sequence (the "maximal subpart" of the Unicode standard).
func validPrefixLen(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 0
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		x := b[n]
		if k == 0 {
			if x < lo || x > hi {
				return n
			}
		} else if x < 0x80 || x > 0xBF {
			return n
		}
		n++
	}
	return n
}

// isWordChar approximates Rust regex's Unicode `\w` (used by HF to decide
// single_word added-token boundaries).
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
		unicode.Is(unicode.Pc, r) || r == 0x200C || r == 0x200D || unicode.Is(unicode.Nl, r)
}
