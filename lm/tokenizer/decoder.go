package tokenizer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decoder mirrors HF's Decoder::decode_chain: tokens in, strings out; the
// final text is the concatenation of the output.
type decoder interface {
	decodeChain(tokens []string) []string
}

type seqDecoder []decoder

func (s seqDecoder) decodeChain(t []string) []string {
	for _, d := range s {
		t = d.decodeChain(t)
	}
	return t
}

type byteLevelDecoder struct{}

// byteLevelTokenBytes maps a token back to raw bytes; a token with a char
// outside the byte alphabet (an added token such as "<|eot_id|>") is kept
// verbatim, as HF does.
func byteLevelTokenBytes(t string, out []byte) []byte {
	start := len(out)
	for _, r := range t {
		b, ok := runeToByte[r]
		if !ok {
			return append(out[:start], t...)
		}
		out = append(out, b)
	}
	return out
}

func (byteLevelDecoder) decodeChain(t []string) []string {
	var buf []byte
	for _, s := range t {
		buf = byteLevelTokenBytes(s, buf)
	}
	return []string{lossyUTF8(buf)}
}

type replaceDecoder struct {
	pat     pattern
	content string
}

func (r replaceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, s := range t {
		out[i] = replaceAll(r.pat, s, r.content)
	}
	return out
}

// parseByteToken recognises SentencePiece byte-fallback tokens "<0xNN>".
func parseByteToken(t string) (byte, bool) {
	if len(t) != 6 || !strings.HasPrefix(t, "<0x") || t[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(t[3:5], 16, 8)
	if err != nil {
		return 0, false
	}
	return byte(v), true
}

type byteFallbackDecoder struct{}

// decodeChain groups consecutive byte tokens; a group that is not valid UTF-8
// becomes one U+FFFD per byte (HF's rule, unlike from_utf8_lossy).
func (byteFallbackDecoder) decodeChain(t []string) []string {
	out := make([]string, 0, len(t))
	var pending []byte
	flush := func() {
		if len(pending) == 0 {
			return
		}
		out = append(out, byteGroupString(pending))
		pending = pending[:0]
	}
	for _, s := range t {
		if b, ok := parseByteToken(s); ok {
			pending = append(pending, b)
			continue
		}
		flush()
		out = append(out, s)
	}
	flush()
	return out
}

func byteGroupString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.Repeat("\uFFFD", len(b))
}

type fuseDecoder struct{}

func (fuseDecoder) decodeChain(t []string) []string { return []string{strings.Join(t, "")} }

type stripDecoder struct {
	content     rune
	start, stop int
}

func (s stripDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		rs := []rune(tok)
		a := 0
		for a < len(rs) && a < s.start && rs[a] == s.content {
			a++
		}
		b := 0
		for b < len(rs)-a && b < s.stop && rs[len(rs)-1-b] == s.content {
			b++
		}
		out[i] = string(rs[a : len(rs)-b])
	}
	return out
}

type metaspaceDecoder struct {
	repl   rune
	scheme prependScheme
}

// decodeChain: every replacement char becomes a space, except that in the
// first token they are dropped (unless prepend_scheme is "never").
func (m metaspaceDecoder) decodeChain(t []string) []string {
	out := make([]string, len(t))
	for i, tok := range t {
		drop := i == 0 && m.scheme != prependNever
		out[i] = strings.Map(func(r rune) rune {
			if r == m.repl {
				if drop {
					return -1
				}
				return ' '
			}
			return r
		}, tok)
	}
	return out
}

func buildDecoder(file, key string, raw json.RawMessage) (decoder, error) {
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
			Decoders []json.RawMessage `json:"decoders"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		var seq seqDecoder
		for i, r := range v.Decoders {
			d, err := buildDecoder(file, fmt.Sprintf("%s.decoders[%d]", key, i), r)
			if err != nil {
				return nil, err
			}
			if d != nil {
				seq = append(seq, d)
			}
		}
		return seq, nil
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "Replace":
		var v struct {
			Pattern json.RawMessage `json:"pattern"`
			Content string          `json:"content"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		p, err := buildPattern(file, key+".pattern", v.Pattern)
		if err != nil {
			return nil, err
		}
		return replaceDecoder{p, v.Content}, nil
	case "ByteFallback":
		return byteFallbackDecoder{}, nil
	case "Fuse":
		return fuseDecoder{}, nil
	case "Strip":
		var v struct {
			Content string `json:"content"`
			Start   int    `json:"start"`
			Stop    int    `json:"stop"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		r, n := utf8.DecodeRuneInString(v.Content)
		if n == 0 || n != len(v.Content) {
			return nil, &configError{file: file, key: key + ".content", msg: "must be a single character"}
		}
		return stripDecoder{r, v.Start, v.Stop}, nil
	case "Metaspace":
		m, err := buildMetaspace(file, key, raw)
		if err != nil {
			return nil, err
		}
		return metaspaceDecoder{m.repl, m.scheme}, nil
	}
	return nil, unsupported(file, key, typ)
}
