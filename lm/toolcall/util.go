package toolcall

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hf2go/hf2go/internal/pyrepr"
)

// Python's regex classes for str patterns: \s (str.isspace) and the regex
// module's \w and \d. Go's are ASCII-only.
const (
	pyS    = `[\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}]`
	pyNotS = `[^\t\n\v\f\r \x{1c}-\x{1f}\x{85}\p{Z}`
	pyW    = `[\p{L}\p{M}\p{Nd}\p{Pc}]`
	pyD    = `\p{Nd}`
)

// re compiles a pattern written with Python's escapes: \s, \w, \d
// become the classes above, inside or outside brackets ([^\s...] must be
// written with pyNotS).
func re(p string) *regexp.Regexp {
	inner := map[byte]string{'s': pyS[1 : len(pyS)-1], 'w': pyW[1 : len(pyW)-1], 'd': pyD}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			if cls, ok := inner[p[i+1]]; ok {
				if inClass {
					b.WriteString(cls)
				} else {
					b.WriteString("[" + cls + "]")
				}
			} else {
				b.WriteString(p[i : i+2])
			}
			i++
			continue
		}
		switch c {
		case '[':
			inClass = true
		case ']':
			inClass = false
		}
		b.WriteByte(c)
	}
	return regexp.MustCompile(b.String())
}

func strip(s string) string { return strings.TrimFunc(s, isPySpace) }

// tool accessors over the request's decoded JSON tools.
func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// pyTruthy is Python truthiness for decoded request JSON.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, _ := x.Float64()
		return f != 0
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return truthy(v)
}

// fromRequest converts decoded request JSON into the parsers' Python
// values (dict order is lost there: encoding/json maps are unordered).
func fromRequest(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, ok := new(big.Int).SetString(string(x), 10); ok {
			return Int{n}
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		d := &Dict{}
		for k, e := range x {
			d.Set(k, fromRequest(e))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromRequest(e)
		}
		return out
	case float64:
		return x
	}
	return v
}

// deserialize is the _deserialize of glm47, kimi_k2 and longcat: JSON,
// else a Python literal, else the text.
func deserialize(s string) (any, error) {
	if v, err := Loads(s, true); err == nil {
		return v, nil
	}
	v, err := LiteralEval(s)
	if err == nil {
		return v, nil
	}
	return s, nil
}

// pyStr is str(v) for the parsers' values.
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr is repr(v).
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case Int:
		return x.String()
	case json.Number:
		return pyRepr(fromRequest(x))
	case float64:
		return floatRepr(x, false)
	case string:
		return pyrepr.Str(x, false)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case Tuple:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case *Dict:
		parts := make([]string, len(x.Keys))
		for i, k := range x.Keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(x.Vals[i])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any:
		return pyRepr(fromRequest(x))
	}
	return fmt.Sprint(v)
}

// pyInt is int(s) for a str: whitespace, a sign, digits with single
// underscores.
func pyInt(s string) (Int, error) {
	t := strip(s)
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 || !digitsOK(body, isDec) {
		return Int{}, fmt.Errorf("%w: invalid literal for int() with base 10: %q", ErrValue, s)
	}
	n, _ := new(big.Int).SetString(strings.ReplaceAll(t, "_", ""), 10)
	return Int{n}, nil
}

// intOfFloat is int(f) (truncation); inf and nan raise.
func intOfFloat(f float64) (Int, error) {
	if math.IsInf(f, 0) {
		return Int{}, fmt.Errorf("OverflowError: cannot convert float infinity to integer")
	}
	if math.IsNaN(f) {
		return Int{}, fmt.Errorf("%w: cannot convert float NaN to integer", ErrValue)
	}
	n, _ := big.NewFloat(math.Trunc(f)).Int(nil)
	return Int{n}, nil
}

// floatMinusInt is float_value - int(float_value) != 0 in Python.
func floatIsIntegral(f float64) bool { return f == math.Trunc(f) }

// skipRune drops the first character (a Python one-character slice).
func skipRune(s string) string {
	if s == "" {
		return s
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[n:]
}

// shlexSplit is shlex.split(s) (POSIX mode, no comments).
func shlexSplit(s string) ([]string, error) {
	var out []string
	var tok strings.Builder
	inTok := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case strings.IndexByte(" \t\r\n", c) >= 0:
			if inTok {
				out = append(out, tok.String())
				tok.Reset()
				inTok = false
			}
			i++
		case c == '\\':
			if i+1 >= len(s) {
				return nil, fmt.Errorf("%w: No escaped character", ErrValue)
			}
			_, n := utf8.DecodeRuneInString(s[i+1:])
			tok.WriteString(s[i+1 : i+1+n])
			inTok = true
			i += 1 + n
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("%w: No closing quotation", ErrValue)
			}
			tok.WriteString(s[i+1 : i+1+j])
			inTok = true
			i += j + 2
		case c == '"':
			i++
			closed := false
			for i < len(s) {
				if s[i] == '"' {
					closed = true
					i++
					break
				}
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					tok.WriteByte(s[i+1])
					i += 2
					continue
				}
				tok.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("%w: No closing quotation", ErrValue)
			}
			inTok = true
		default:
			tok.WriteByte(c)
			inTok = true
			i++
		}
	}
	if inTok {
		out = append(out, tok.String())
	}
	return out, nil
}

var _ = strconv.Itoa

func isValueErr(err error) bool { return errors.Is(err, ErrValue) }

// pyWordRune is the regex module's \w for one character.
func pyWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}
