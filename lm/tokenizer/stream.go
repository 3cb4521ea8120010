// StreamDecoder's rule for byte-fallback runs (emit them as soon as they
// form complete characters) is SPMStreamingDetokenizer's; the rest of the
// decoding follows the tokenizers library's decode, not mlx_lm's
// detokenizers (see PORTING_DECISIONS.md, "Moving to mlx-lm 0.32.2").
//
// Ported from mlx_lm/tokenizer_utils.py
// Upstream: mlx-lm 0.32.2
// Blob: 0819f7551faefe2b0ee7d260f7ad9e5f41c24c67

package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// StreamDecoder turns ids into text one at a time, for printing generated
// tokens as they arrive. Every piece it returns is valid UTF-8: bytes of an
// incomplete character are held back until the character is complete.
//
// For the decoders real models use (ByteLevel; SentencePiece-style
// Replace/Metaspace + ByteFallback + Fuse + Strip) the work per token is
// constant, and the concatenation of everything returned by Add and Flush
// equals Decode of all ids. One deliberate difference: a run of byte-fallback
// tokens is emitted as soon as it forms complete characters (as mlx_lm's
// SPMStreamingDetokenizer does), whereas Decode turns a whole run into U+FFFDs
// if it ends in an invalid byte. Only invalid byte sequences are affected.
// Other decoders fall back to re-decoding all ids on each Add.
type StreamDecoder struct {
	t           *Tokenizer
	skipSpecial bool
	mode        streamMode
	n           int // tokens handed to the decoder so far
	err         error

	// byte-level and SentencePiece modes
	pending   []byte
	pre, post []tokenStep // SentencePiece: per-token steps before/after ByteFallback
	fallback  bool
	strip     rune
	stripLeft int

	// naive mode
	ids     []int
	emitted string
}

type streamMode int

const (
	streamNaive streamMode = iota
	streamByteLevel
	streamSPM
)

// tokenStep is a per-token decoder step; i is the token's index.
type tokenStep func(s string, i int) string

// StreamOption configures NewStreamDecoder.
type StreamOption func(*StreamDecoder)

// SkipSpecialTokens drops special tokens, like Decode(ids, true).
func SkipSpecialTokens() StreamOption { return func(s *StreamDecoder) { s.skipSpecial = true } }

// NewStreamDecoder starts a new stream. By default special tokens are kept,
// like Decode(ids, false).
func (t *Tokenizer) NewStreamDecoder(opts ...StreamOption) *StreamDecoder {
	s := &StreamDecoder{t: t}
	for _, o := range opts {
		o(s)
	}
	s.mode = streamNaive
	var steps []decoder
	switch d := t.decoder.(type) {
	case seqDecoder:
		steps = d
	case nil:
	default:
		steps = []decoder{d}
	}
	if len(steps) == 1 {
		if _, ok := steps[0].(byteLevelDecoder); ok {
			s.mode = streamByteLevel
			return s
		}
	}
	if s.planSPM(steps) {
		s.mode = streamSPM
	}
	return s
}

// planSPM accepts chains of per-token Replace/Metaspace steps, at most one
// ByteFallback, an optional Fuse, then Strip steps that only trim the start.
func (s *StreamDecoder) planSPM(steps []decoder) bool {
	if len(steps) == 0 {
		return false
	}
	fused := false
	for _, st := range steps {
		switch d := st.(type) {
		case replaceDecoder:
			if fused {
				return false
			}
			lp, ok := d.pat.(literalPattern)
			if !ok || lp == "" {
				return false
			}
			step := func(x string, _ int) string { return strings.ReplaceAll(x, string(lp), d.content) }
			if s.fallback {
				s.post = append(s.post, step)
			} else {
				s.pre = append(s.pre, step)
			}
		case metaspaceDecoder:
			if fused {
				return false
			}
			step := func(x string, i int) string { return d.decodeChainAt(x, i) }
			if s.fallback {
				s.post = append(s.post, step)
			} else {
				s.pre = append(s.pre, step)
			}
		case byteFallbackDecoder:
			if fused || s.fallback {
				return false
			}
			s.fallback = true
		case fuseDecoder:
			fused = true
		case stripDecoder:
			if !fused || d.stop != 0 || (s.stripLeft > 0 && d.content != s.strip) {
				return false
			}
			s.strip, s.stripLeft = d.content, s.stripLeft+d.start
		default:
			return false
		}
	}
	return true
}

func (m metaspaceDecoder) decodeChainAt(tok string, i int) string {
	if i == 0 {
		return m.decodeChain([]string{tok})[0]
	}
	return m.decodeChain([]string{"", tok})[1]
}

// Add consumes one id and returns the text that became final, possibly "".
// An id outside the vocabulary is skipped and recorded in Err.
func (s *StreamDecoder) Add(id int) (text string) {
	if _, stuck := s.err.(*RegexLimitError); stuck {
		return "" // a decoder regex already ran out of time: do not retry per token
	}
	defer s.catch(&text)
	tok, ok := s.t.idToken(id)
	if !ok {
		if s.err == nil {
			s.err = fmt.Errorf("tokenizer: StreamDecoder: id %d is out of range (vocabulary size %d)", id, s.t.VocabSize())
		}
		return ""
	}
	if s.skipSpecial && s.t.added.isSpecial(id) {
		return ""
	}
	i := s.n
	s.n++
	switch s.mode {
	case streamByteLevel:
		s.pending = byteLevelTokenBytes(tok, s.pending)
		out, rest := lossyPrefix(s.pending, false)
		s.pending = append(s.pending[:0], rest...)
		return out
	case streamSPM:
		return s.addSPM(tok, i)
	}
	s.ids = append(s.ids, id)
	decoded, err := s.naiveDecode()
	if err != nil || !strings.HasPrefix(decoded, s.emitted) || strings.HasSuffix(decoded, "\uFFFD") {
		return ""
	}
	out := decoded[len(s.emitted):]
	s.emitted = decoded
	return out
}

// naiveDecode re-decodes every id so far; a regex that ran out of time is
// kept in Err so that later calls stop at once.
func (s *StreamDecoder) naiveDecode() (string, error) {
	decoded, err := s.t.Decode(s.ids, false)
	if rl, ok := err.(*RegexLimitError); ok && s.err == nil {
		s.err = rl
	}
	return decoded, err
}

func (s *StreamDecoder) addSPM(tok string, i int) string {
	for _, st := range s.pre {
		tok = st(tok, i)
	}
	var sb strings.Builder
	if s.fallback {
		if b, ok := parseByteToken(tok); ok {
			s.pending = append(s.pending, b)
			if utf8.Valid(s.pending) {
				sb.WriteString(s.postSteps(string(s.pending), i))
				s.pending = s.pending[:0]
			} else if _, rest := lossyPrefix(s.pending, false); len(rest) != len(s.pending) {
				// No longer the start of a character: the group is invalid.
				sb.WriteString(s.postSteps(strings.Repeat("\uFFFD", len(s.pending)), i))
				s.pending = s.pending[:0]
			}
			return s.trim(sb.String())
		}
		if len(s.pending) > 0 {
			sb.WriteString(s.postSteps(strings.Repeat("\uFFFD", len(s.pending)), i))
			s.pending = s.pending[:0]
		}
	}
	sb.WriteString(s.postSteps(tok, i))
	return s.trim(sb.String())
}

func (s *StreamDecoder) postSteps(x string, i int) string {
	for _, st := range s.post {
		x = st(x, i)
	}
	return x
}

// trim applies a Strip decoder's start count to the beginning of the output.
func (s *StreamDecoder) trim(x string) string {
	for s.stripLeft > 0 && x != "" {
		r, n := utf8.DecodeRuneInString(x)
		if r != s.strip {
			s.stripLeft = 0
			break
		}
		x = x[n:]
		s.stripLeft--
	}
	return x
}

// Flush returns whatever is still held back (an incomplete character becomes
// U+FFFD, as in Decode) and ends the stream.
func (s *StreamDecoder) Flush() (text string) {
	if _, stuck := s.err.(*RegexLimitError); stuck {
		return ""
	}
	defer s.catch(&text)
	switch s.mode {
	case streamByteLevel:
		out := lossyUTF8(s.pending)
		s.pending = nil
		return out
	case streamSPM:
		if len(s.pending) == 0 {
			return ""
		}
		out := s.trim(s.postSteps(strings.Repeat("\uFFFD", len(s.pending)), s.n))
		s.pending = nil
		return out
	}
	decoded, err := s.naiveDecode()
	if err != nil || !strings.HasPrefix(decoded, s.emitted) {
		return ""
	}
	out := decoded[len(s.emitted):]
	s.emitted = decoded
	return out
}

// catch records a decoder regex that ran out of time in Err (the text of
// that call is dropped).
func (s *StreamDecoder) catch(text *string) {
	r := recover() // must be called by the deferred function itself
	if r == nil {
		return
	}
	a, ok := r.(regexAbort)
	if !ok {
		panic(r)
	}
	*text = ""
	if s.err == nil {
		s.err = a.err
	}
}

// Err reports the first out-of-range id passed to Add, or a decoder regex
// that ran past RegexMatchLimit, if any.
func (s *StreamDecoder) Err() error { return s.err }
