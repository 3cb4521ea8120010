package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// piece is one split of the input on its way to the model. first records
// whether the split starts at offset 0 of the original input, which Metaspace's
// prepend_scheme "first" depends on.
type piece struct {
	text  string
	first bool
}

type preTokenizer interface {
	preTokenize(ps []piece) []piece
}

type seqPreTokenizer []preTokenizer

func (s seqPreTokenizer) preTokenize(ps []piece) []piece {
	for _, p := range s {
		ps = p.preTokenize(ps)
	}
	return ps
}

type splitBehavior int

const (
	behRemoved splitBehavior = iota
	behIsolated
	behMergedWithPrevious
	behMergedWithNext
	behContiguous
)

func parseBehavior(file, key, s string) (splitBehavior, error) {
	switch s {
	case "Removed":
		return behRemoved, nil
	case "Isolated":
		return behIsolated, nil
	case "MergedWithPrevious":
		return behMergedWithPrevious, nil
	case "MergedWithNext":
		return behMergedWithNext, nil
	case "Contiguous":
		return behContiguous, nil
	}
	return 0, &configError{file: file, key: key, msg: fmt.Sprintf("%q is not a supported split behavior", s)}
}

type seg struct {
	start, end int
	match      bool
}

// segmentsFromMatches turns match offsets into segments covering all of s,
// flagging which are matches (HF's Pattern::find_matches).
func segmentsFromMatches(s string, ms [][2]int) []seg {
	if s == "" {
		return []seg{{0, 0, false}}
	}
	out := make([]seg, 0, 2*len(ms)+1)
	prev := 0
	for _, m := range ms {
		if prev != m[0] {
			out = append(out, seg{prev, m[0], false})
		}
		out = append(out, seg{m[0], m[1], true})
		prev = m[1]
	}
	if prev != len(s) {
		out = append(out, seg{prev, len(s), false})
	}
	return out
}

// charSegments is find_matches for a char predicate: every matching char is
// its own match; runs of non-matching chars are coalesced.
func charSegments(s string, pred func(rune) bool) []seg {
	if s == "" {
		return []seg{{0, 0, false}}
	}
	var out []seg
	last := 0
	for i, r := range s {
		if pred(r) {
			if last < i {
				out = append(out, seg{last, i, false})
			}
			e := i + utf8.RuneLen(r)
			out = append(out, seg{i, e, true})
			last = e
		}
	}
	if last < len(s) {
		out = append(out, seg{last, len(s), false})
	}
	return out
}

// applySplit mirrors NormalizedString::split: the behavior decides how matches
// attach to their neighbours; empty results are dropped, as
// PreTokenizedString::split does.
func applySplit(p piece, segs []seg, beh splitBehavior, invert bool, out []piece) []piece {
	if invert {
		for i := range segs {
			segs[i].match = !segs[i].match
		}
	}
	type keep struct {
		start, end int
		remove     bool
	}
	var ks []keep
	switch beh {
	case behIsolated:
		for _, s := range segs {
			ks = append(ks, keep{s.start, s.end, false})
		}
	case behRemoved:
		for _, s := range segs {
			ks = append(ks, keep{s.start, s.end, s.match})
		}
	case behContiguous:
		prevMatch := false
		for i, s := range segs {
			if i > 0 && s.match == prevMatch {
				ks[len(ks)-1].end = s.end
			} else {
				ks = append(ks, keep{s.start, s.end, false})
			}
			prevMatch = s.match
		}
	case behMergedWithPrevious:
		prevMatch := false
		for _, s := range segs {
			if s.match && !prevMatch && len(ks) > 0 {
				ks[len(ks)-1].end = s.end
			} else {
				ks = append(ks, keep{s.start, s.end, false})
			}
			prevMatch = s.match
		}
	case behMergedWithNext:
		prevMatch := false
		for i := len(segs) - 1; i >= 0; i-- {
			s := segs[i]
			if s.match && !prevMatch && len(ks) > 0 {
				ks[len(ks)-1].start = s.start
			} else {
				ks = append(ks, keep{s.start, s.end, false})
			}
			prevMatch = s.match
		}
		for i, j := 0, len(ks)-1; i < j; i, j = i+1, j-1 {
			ks[i], ks[j] = ks[j], ks[i]
		}
	}
	for _, k := range ks {
		if k.remove || k.end <= k.start {
			continue
		}
		out = append(out, piece{text: p.text[k.start:k.end], first: p.first && k.start == 0})
	}
	return out
}

type splitPreTokenizer struct {
	pat    pattern
	beh    splitBehavior
	invert bool
}

func (sp splitPreTokenizer) preTokenize(ps []piece) []piece {
	out := make([]piece, 0, len(ps))
	for _, p := range ps {
		out = applySplit(p, segmentsFromMatches(p.text, sp.pat.findAll(p.text)), sp.beh, sp.invert, out)
	}
	return out
}

type charSplitPreTokenizer struct {
	pred func(rune) bool
	beh  splitBehavior
}

func (cs charSplitPreTokenizer) preTokenize(ps []piece) []piece {
	out := make([]piece, 0, len(ps))
	for _, p := range ps {
		out = applySplit(p, charSegments(p.text, cs.pred), cs.beh, false, out)
	}
	return out
}

// gpt2Pattern is the split regex the ByteLevel pre-tokenizer uses when
// use_regex is true (GPT-2, RoBERTa, ...).
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// byteToRune / runeToByte are GPT-2's bytes_to_unicode table: printable bytes
// map to themselves, the rest to U+0100 onwards, so every byte is a visible
// character in the vocabulary.
var byteToRune, runeToByte = func() ([256]rune, map[rune]byte) {
	var b2r [256]rune
	r2b := make(map[rune]byte, 256)
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			b2r[b] = rune(b)
		} else {
			b2r[b] = rune(256 + n)
			n++
		}
		r2b[b2r[b]] = byte(b)
	}
	return b2r, r2b
}()

func byteLevelEncode(s string) string {
	var sb strings.Builder
	sb.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		sb.WriteRune(byteToRune[s[i]])
	}
	return sb.String()
}

type byteLevelPreTokenizer struct {
	addPrefixSpace bool
	re             pattern // nil when use_regex is false
}

func (bl byteLevelPreTokenizer) preTokenize(ps []piece) []piece {
	out := make([]piece, 0, len(ps))
	for _, p := range ps {
		if bl.addPrefixSpace && !strings.HasPrefix(p.text, " ") {
			p.text = " " + p.text
		}
		if bl.re != nil {
			out = applySplit(p, segmentsFromMatches(p.text, bl.re.findAll(p.text)), behIsolated, false, out)
		} else {
			out = append(out, p)
		}
	}
	for i := range out {
		out[i].text = byteLevelEncode(out[i].text)
	}
	return out
}

type prependScheme int

const (
	prependAlways prependScheme = iota
	prependFirst
	prependNever
)

type metaspacePreTokenizer struct {
	repl   rune
	scheme prependScheme
	split  bool
}

func (m metaspacePreTokenizer) preTokenize(ps []piece) []piece {
	rs := string(m.repl)
	out := make([]piece, 0, len(ps))
	for _, p := range ps {
		p.text = strings.ReplaceAll(p.text, " ", rs)
		if !strings.HasPrefix(p.text, rs) &&
			(m.scheme == prependAlways || (m.scheme == prependFirst && p.first)) {
			p.text = rs + p.text
		}
		if m.split {
			out = applySplit(p, segmentsFromMatches(p.text, literalPattern(rs).findAll(p.text)), behMergedWithNext, false, out)
		} else if p.text != "" {
			out = append(out, p)
		}
	}
	return out
}

func buildMetaspace(file, key string, raw json.RawMessage) (metaspacePreTokenizer, error) {
	var v struct {
		Replacement    string `json:"replacement"`
		PrependScheme  string `json:"prepend_scheme"`
		AddPrefixSpace *bool  `json:"add_prefix_space"`
		Split          *bool  `json:"split"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return metaspacePreTokenizer{}, &configError{file: file, key: key, msg: err.Error()}
	}
	m := metaspacePreTokenizer{repl: '▁', scheme: prependAlways, split: true}
	if v.Replacement != "" {
		r, n := utf8.DecodeRuneInString(v.Replacement)
		if n != len(v.Replacement) {
			return m, &configError{file: file, key: key + ".replacement", msg: "must be a single character"}
		}
		m.repl = r
	}
	switch v.PrependScheme {
	case "", "always":
		// Older files have only add_prefix_space; false meant "never".
		if v.PrependScheme == "" && v.AddPrefixSpace != nil && !*v.AddPrefixSpace {
			m.scheme = prependNever
		}
	case "first":
		m.scheme = prependFirst
	case "never":
		m.scheme = prependNever
	default:
		return m, &configError{file: file, key: key + ".prepend_scheme", msg: fmt.Sprintf("%q is not supported", v.PrependScheme)}
	}
	if v.Split != nil {
		m.split = *v.Split
	}
	return m, nil
}

// isRustPunct is HF's is_punc. HF uses the unicode_categories crate, whose
// tables are older (Unicode 9) than Go's, so punctuation assigned since then
// (e.g. U+061D) is punctuation here but not in HF.
func isRustPunct(r rune) bool {
	return (r < 128 && unicode.IsPunct(r)) || (r < 128 && unicode.IsSymbol(r)) || unicode.IsPunct(r)
}

func buildPreTokenizer(file, key string, raw json.RawMessage) (preTokenizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(file, key, raw)
	if err != nil {
		return nil, err
	}
	bad := func(err error) error { return &configError{file: file, key: key, msg: err.Error()} }
	switch typ {
	case "Sequence":
		var v struct {
			Pre []json.RawMessage `json:"pretokenizers"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		var seq seqPreTokenizer
		for i, r := range v.Pre {
			p, err := buildPreTokenizer(file, fmt.Sprintf("%s.pretokenizers[%d]", key, i), r)
			if err != nil {
				return nil, err
			}
			if p != nil {
				seq = append(seq, p)
			}
		}
		return seq, nil
	case "Split":
		var v struct {
			Pattern  json.RawMessage `json:"pattern"`
			Behavior string          `json:"behavior"`
			Invert   bool            `json:"invert"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		p, err := buildPattern(file, key+".pattern", v.Pattern)
		if err != nil {
			return nil, err
		}
		beh, err := parseBehavior(file, key+".behavior", v.Behavior)
		if err != nil {
			return nil, err
		}
		return splitPreTokenizer{p, beh, v.Invert}, nil
	case "ByteLevel":
		var v struct {
			AddPrefixSpace bool  `json:"add_prefix_space"`
			UseRegex       *bool `json:"use_regex"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		bl := byteLevelPreTokenizer{addPrefixSpace: v.AddPrefixSpace}
		if v.UseRegex == nil || *v.UseRegex {
			re, err := compileRegex(gpt2Pattern)
			if err != nil {
				return nil, bad(err)
			}
			bl.re = regexPattern{re: re}
		}
		return bl, nil
	case "Metaspace":
		return buildMetaspace(file, key, raw)
	case "Digits":
		var v struct {
			Individual bool `json:"individual_digits"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		// Rust's char::is_numeric covers Nd, Nl and No.
		beh := behContiguous
		if v.Individual {
			beh = behIsolated
		}
		return charSplitPreTokenizer{unicode.IsNumber, beh}, nil
	case "Punctuation":
		var v struct {
			Behavior string `json:"behavior"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		beh := behIsolated
		if v.Behavior != "" {
			if beh, err = parseBehavior(file, key+".behavior", v.Behavior); err != nil {
				return nil, err
			}
		}
		return charSplitPreTokenizer{isRustPunct, beh}, nil
	case "WhitespaceSplit":
		return charSplitPreTokenizer{unicode.IsSpace, behRemoved}, nil
	case "Whitespace":
		re, err := compileRegex(`\w+|[^\w\s]+`)
		if err != nil {
			return nil, bad(err)
		}
		return splitPreTokenizer{regexPattern{re: re}, behRemoved, true}, nil
	}
	return nil, unsupported(file, key, typ)
}
