package py

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hf2go/hf2go/internal/pyrepr"
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

// ReprStr is repr(s) for a str (ascii(s) with ascii set); see pyrepr.Str.
func ReprStr(s string, ascii bool) string { return pyrepr.Str(s, ascii) }

// ReprFloat is repr(f) for a float; see pyrepr.Float.
func ReprFloat(f float64) string { return pyrepr.Float(f) }

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

func writeReprStr(b *strings.Builder, s string, ascii bool) { pyrepr.WriteStr(b, s, ascii) }
