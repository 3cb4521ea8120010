// Package pyrepr is CPython's repr of the two scalar types whose text is not
// obvious: str (quote choice, escapes, str.isprintable) and float (shortest
// round-tripping digits in Python's layout). It is the one implementation
// behind the generated-code runtime (runtime/py), the chat-template engine
// (lm/jinja) and the tool-call parsers (lm/toolcall), which each walk their
// own value model (Go values, Jinja values, parsed JSON) and call here for the
// leaves. A leaf package: no cgo, no MLX. Its output is compared with the
// pinned CPython by runtime/py/python_test.go, lm/jinja/conformance_test.go
// and lm/toolcall/parity_test.go.
package pyrepr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Str is repr(s) for a str: single quotes unless s holds a single quote and
// no double quote; the quote, backslash, \t \n \r and every character Python
// does not print (str.isprintable) escaped as \xhh, \uhhhh or \Uhhhhhhhh.
// With ascii set (ascii()) every non-ASCII character is escaped.
func Str(s string, ascii bool) string {
	var b strings.Builder
	WriteStr(&b, s, ascii)
	return b.String()
}

// WriteStr writes Str(s, ascii) to b.
//
// A byte that is not UTF-8 cannot be in a Python str; Go strings can hold
// one, and it is shown as the lone surrogate Python's surrogateescape
// decoding would have made of it (\udcXX), so the text says what was there.
func WriteStr(b *strings.Builder, s string, ascii bool) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(b, `\udc%02x`, s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && r >= 0x20 && r != 0x7f:
			b.WriteRune(r)
		case (ascii || !Printable(r)) && r < 0x100:
			fmt.Fprintf(b, `\x%02x`, r)
		case (ascii || !Printable(r)) && r < 0x10000:
			fmt.Fprintf(b, `\u%04x`, r)
		case ascii || !Printable(r):
			fmt.Fprintf(b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
}

// Printable is str.isprintable for one character: not in the categories
// Cc, Cf, Cs, Co, Cn, Zl, Zp or Zs, the ASCII space excepted. Go's
// unicode.IsPrint is that set (L, M, N, P, S and U+0020); the two can differ
// only where Go's Unicode tables are newer than the interpreter's.
func Printable(r rune) bool { return unicode.IsPrint(r) }

// Float is repr(f) for a float: the shortest digits that read back as f, in
// fixed notation when the decimal exponent is in [-4, 16) (with ".0" when
// integral), else scientific with a sign and at least two exponent digits;
// inf, -inf and nan as Python spells them.
func Float(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	// 'e' with precision -1 gives the shortest round-tripping digits,
	// d.ddddde±XX, as Python's float_repr_style "short" does.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, exps, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1 // the value is 0.digits × 10^decpt
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			return sign + "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			return sign + digits[:decpt] + "." + digits[decpt:]
		}
	}
	out := digits[:1]
	if len(digits) > 1 {
		out += "." + digits[1:]
	}
	esign := "+"
	if exp < 0 {
		esign, exp = "-", -exp
	}
	return fmt.Sprintf("%s%se%s%02d", sign, out, esign, exp)
}
