package py

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The f-string conversions !r, !s and !a, and the builtins repr(), str()
// and ascii() they call, for the values generated code holds: str, int,
// float, bool, None, lists and dicts of those (config values decoded from
// JSON arrive as []any and map[string]any). The output is CPython's, byte
// for byte; python_test.go compares them with the pinned interpreter.

// Repr is repr(v).
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v, false)
	return b.String()
}

// ASCII is ascii(v): repr(v) with every non-ASCII character escaped.
func ASCII(v any) string {
	var b strings.Builder
	writeRepr(&b, v, true)
	return b.String()
}

// StrOf is str(v): a str is itself, containers show their elements' repr.
func StrOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return Repr(v)
}

// StrLen is len(s) for a str: its characters (code points), not its bytes.
func StrLen(s string) int { return utf8.RuneCountInString(s) }

// StrSlice is s[lo:hi] for a str, by characters as Python slices it: bounds
// clamped to the string, negative ones counted from the end, SliceNone for
// an omitted bound.
func StrSlice(s string, lo, hi int) string {
	if isASCII(s) {
		return string(Slice([]byte(s), lo, hi))
	}
	return string(Slice([]rune(s), lo, hi))
}

// Chars is iteration over a str (for c in s): its characters (code
// points), each a str.
func Chars(s string) []string {
	out := make([]string, 0, len(s))
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ReprStr is repr(s) for a str: single quotes unless s holds a single quote
// and no double quote; the quote, backslash, \t \n \r and every character
// Python does not print (str.isprintable) escaped as \xhh, \uhhhh or
// \Uhhhhhhhh. With ascii set (ascii()) every non-ASCII character is escaped.
func ReprStr(s string, ascii bool) string {
	var b strings.Builder
	writeReprStr(&b, s, ascii)
	return b.String()
}

// ReprFloat is repr(f) for a float: the shortest digits that read back as
// f, in fixed notation when the decimal exponent is in [-4, 16) (with ".0"
// when integral), else scientific with a sign and at least two exponent
// digits; inf, -inf and nan as Python spells them.
func ReprFloat(f float64) string {
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

func writeRepr(b *strings.Builder, v any, ascii bool) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case string:
		writeReprStr(b, x, ascii)
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(ReprFloat(x))
	case float32:
		b.WriteString(ReprFloat(float64(x)))
	case json.Number:
		// As written in the JSON: an int unless it has a fraction or an
		// exponent, as json.load decides.
		if strings.ContainsAny(string(x), ".eE") {
			f, _ := x.Float64()
			b.WriteString(ReprFloat(f))
		} else {
			b.WriteString(string(x))
		}
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			b.WriteByte('[')
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					b.WriteString(", ")
				}
				writeRepr(b, rv.Index(i).Interface(), ascii)
			}
			b.WriteByte(']')
		case reflect.Map:
			// A Go map has lost the insertion order a Python dict keeps;
			// the keys are shown sorted, which is that order for a dict
			// built from sorted keys and the only deterministic one else.
			keys := rv.MapKeys()
			sort.Slice(keys, func(i, j int) bool { return lessKey(keys[i], keys[j]) })
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteString(", ")
				}
				writeRepr(b, k.Interface(), ascii)
				b.WriteString(": ")
				writeRepr(b, rv.MapIndex(k).Interface(), ascii)
			}
			b.WriteByte('}')
		case reflect.Pointer:
			if rv.IsNil() {
				b.WriteString("None")
			} else {
				writeRepr(b, rv.Elem().Interface(), ascii)
			}
		default:
			Raise("TypeError", "repr of a Go %T is not a Python value the translator knows", v)
		}
	}
}

func lessKey(a, b reflect.Value) bool {
	switch {
	case a.Kind() == reflect.String && b.Kind() == reflect.String:
		return a.String() < b.String()
	case a.CanInt() && b.CanInt():
		return a.Int() < b.Int()
	}
	return Repr(a.Interface()) < Repr(b.Interface())
}

func writeReprStr(b *strings.Builder, s string, ascii bool) {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Not UTF-8: a Go string can hold it, a Python str cannot;
			// show the byte as the surrogateescape'd character would be.
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
		case (ascii || !isPrintable(r)) && r < 0x100:
			fmt.Fprintf(b, `\x%02x`, r)
		case (ascii || !isPrintable(r)) && r < 0x10000:
			fmt.Fprintf(b, `\u%04x`, r)
		case ascii || !isPrintable(r):
			fmt.Fprintf(b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
}

// isPrintable is str.isprintable for one character: not in the categories
// Cc, Cf, Cs, Co, Cn, Zl, Zp or Zs (the space itself excepted, handled by
// the caller). Go's unicode.IsPrint is the same set (L, M, N, P, S and
// U+0020); the two can differ only where Go's Unicode tables are newer
// than the interpreter's.
func isPrintable(r rune) bool { return unicode.IsPrint(r) }
