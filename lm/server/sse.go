package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"unicode/utf8"
)

// contentChunk writes a streamed request's per-token chunks, the ones that
// carry only content (no finish reason, tool calls or reasoning): the
// chunk's JSON around the content string is rendered once per request, by
// json.Marshal of the same response with a sentinel text, so each token
// costs one string escape into a reused buffer and one write — and the
// bytes are exactly those json.Marshal of the whole response would give.
type contentChunk struct {
	prefix, suffix []byte
	buf            []byte
}

// sentinel is a text json.Marshal writes verbatim and no response field
// holds: the id, model and fingerprint are server-made or a request's model
// name (a model name that contains it only disables the fast path).
const sentinel = "hf2go\x7fsse\x7fcontent"

func newContentChunk(resp map[string]any) (*contentChunk, error) {
	data, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	mark, _ := json.Marshal(sentinel)
	if bytes.Count(data, mark) != 1 {
		return nil, errors.New("sse: the sentinel is not unique in the chunk")
	}
	i := bytes.Index(data, mark)
	c := &contentChunk{
		prefix: append([]byte("data: "), data[:i]...),
		suffix: append(append([]byte{}, data[i+len(mark):]...), "\n\n"...),
	}
	c.buf = make([]byte, 0, len(c.prefix)+len(c.suffix)+64)
	return c, nil
}

// write sends one chunk with text as its content and flushes it.
func (c *contentChunk) write(w http.ResponseWriter, flusher http.Flusher, text string) error {
	c.buf = append(c.buf[:0], c.prefix...)
	c.buf = appendJSONString(c.buf, text)
	c.buf = append(c.buf, c.suffix...)
	if _, err := w.Write(c.buf); err != nil {
		return err
	}
	if flusher != nil {
		flusher.Flush()
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes a string with its
// default HTML escaping: ", \ and control characters escaped (\n \r \t by
// name, \b \f too as Go >= 1.22 does), <, >, & as \u003c \u003e \u0026,
// U+2028 and U+2029 as \u2028 \u2029, invalid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
