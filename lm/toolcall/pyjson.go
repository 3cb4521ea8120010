package toolcall

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hf2go/hf2go/internal/pyrepr"
)

// Python values as the parsers produce them (json.loads and
// ast.literal_eval results), kept so that json.dumps can be reproduced
// byte for byte: dicts keep insertion order, ints are arbitrary precision.
type (
	// Dict is a Python dict: keys in insertion order.
	Dict struct {
		Keys []any // string, or an int/float/bool/nil key from literal_eval
		Vals []any
	}
	// Int is a Python int.
	Int struct{ *big.Int }
	// Tuple is a Python tuple (json.dumps writes a list).
	Tuple []any
	// Set is a Python set (json.dumps raises TypeError).
	Set []any
	// Bytes is a Python bytes object (json.dumps raises TypeError).
	Bytes string
	// Complex is a Python complex (json.dumps raises TypeError).
	Complex struct{ Re, Im float64 }
)

// List is a Python list.
type List = []any

// Get returns d[key] for a string key.
func (d *Dict) Get(key string) (any, bool) {
	for i, k := range d.Keys {
		if s, ok := k.(string); ok && s == key {
			return d.Vals[i], true
		}
	}
	return nil, false
}

// Set is d[key] = v: an existing key keeps its position.
func (d *Dict) Set(key, v any) {
	for i, k := range d.Keys {
		if pyEqual(k, key) {
			d.Vals[i] = v
			return
		}
	}
	d.Keys = append(d.Keys, key)
	d.Vals = append(d.Vals, v)
}

// Delete removes key, reporting whether it was there (dict.pop).
func (d *Dict) Delete(key string) (any, bool) {
	for i, k := range d.Keys {
		if s, ok := k.(string); ok && s == key {
			v := d.Vals[i]
			d.Keys = append(d.Keys[:i], d.Keys[i+1:]...)
			d.Vals = append(d.Vals[:i], d.Vals[i+1:]...)
			return v, true
		}
	}
	return nil, false
}

func pyEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case Int:
		switch y := b.(type) {
		case Int:
			return x.Cmp(y.Int) == 0
		case float64:
			f, _ := new(big.Float).SetInt(x.Int).Float64()
			return f == y
		case bool:
			return x.Int64() == boolInt(y) && x.IsInt64()
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case Int, bool:
			return pyEqual(b, a)
		}
	case bool:
		switch y := b.(type) {
		case bool:
			return x == y
		case Int:
			return pyEqual(b, a)
		case float64:
			return float64(boolInt(x)) == y
		}
	case nil:
		return b == nil
	}
	return false
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// NewInt makes an Int.
func NewInt(v int64) Int { return Int{big.NewInt(v)} }

// ErrNotSerializable is json.dumps' TypeError.
var ErrNotSerializable = errors.New("Object is not JSON serializable")

// Dumps is json.dumps(v, ensure_ascii=False): ", " and ": " separators,
// floats as repr, NaN and Infinity allowed, only the JSON escapes Python
// writes.
func Dumps(v any) (string, error) {
	var b strings.Builder
	if err := dump(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

func dump(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case Int:
		b.WriteString(x.String())
	case float64:
		b.WriteString(floatRepr(x, true))
	case string:
		dumpString(b, x)
	case []any:
		return dumpSeq(b, x)
	case Tuple:
		return dumpSeq(b, x)
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			// json.dumps converts non-string keys: True -> "true", 1 -> "1".
			switch kk := k.(type) {
			case string:
				dumpString(b, kk)
			case bool, nil:
				var s strings.Builder
				_ = dump(&s, kk)
				dumpString(b, s.String())
			case Int:
				dumpString(b, kk.String())
			case float64:
				dumpString(b, floatRepr(kk, true))
			default:
				return fmt.Errorf("keys must be str, int, float, bool or None, not %T", k)
			}
			b.WriteString(": ")
			if err := dump(b, x.Vals[i]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return ErrNotSerializable
	}
	return nil
}

func dumpSeq(b *strings.Builder, xs []any) error {
	b.WriteByte('[')
	for i, e := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := dump(b, e); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

// dumpString is py_encode_basestring: ", \ and control characters escaped;
// everything else, U+2028 included, written as is.
func dumpString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// floatRepr is float.__repr__ (json: NaN, Infinity, -Infinity).
func floatRepr(f float64, jsonStyle bool) string {
	switch {
	case math.IsNaN(f):
		if jsonStyle {
			return "NaN"
		}
		return "nan"
	case math.IsInf(f, 1):
		if jsonStyle {
			return "Infinity"
		}
		return "inf"
	case math.IsInf(f, -1):
		if jsonStyle {
			return "-Infinity"
		}
		return "-inf"
	}
	return pyrepr.Float(f)
}

// ---- json.loads ----

// JSONError is json.JSONDecodeError.
type JSONError struct {
	Msg string
	Pos int
}

func (e *JSONError) Error() string { return fmt.Sprintf("%s: char %d", e.Msg, e.Pos) }

// Loads is json.loads(s) (strict=True unless strict is false: control
// characters in strings allowed).
func Loads(s string, strict bool) (any, error) {
	p := &jsonParser{s: s, strict: strict}
	p.ws()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, &JSONError{"Extra data", p.i}
	}
	return v, nil
}

// RawDecode is JSONDecoder().raw_decode(s, pos): one value starting exactly
// at pos (no whitespace skipped), and where it ended.
func RawDecode(s string, pos int) (any, int, error) {
	p := &jsonParser{s: s, i: pos, strict: true}
	v, err := p.value()
	return v, p.i, err
}

type jsonParser struct {
	s      string
	i      int
	strict bool
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsonParser) value() (any, error) {
	if p.i >= len(p.s) {
		return nil, &JSONError{"Expecting value", p.i}
	}
	c := p.s[p.i]
	switch {
	case c == '"':
		p.i++
		return p.str()
	case c == '{':
		p.i++
		return p.object()
	case c == '[':
		p.i++
		return p.array()
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil, nil
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, nil
	case strings.HasPrefix(p.s[p.i:], "NaN"):
		p.i += 3
		return math.NaN(), nil
	case strings.HasPrefix(p.s[p.i:], "Infinity"):
		p.i += 8
		return math.Inf(1), nil
	case strings.HasPrefix(p.s[p.i:], "-Infinity"):
		p.i += 9
		return math.Inf(-1), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, &JSONError{"Expecting value", p.i}
}

// number follows json.scanner's NUMBER_RE: -?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?
func (p *jsonParser) number() (any, error) {
	start := p.i
	j := p.i
	if j < len(p.s) && p.s[j] == '-' {
		j++
	}
	digits := func() int {
		k := j
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(p.s) && p.s[j] == '0' {
		j++
	} else if digits() == 0 {
		return nil, &JSONError{"Expecting value", start}
	}
	isFloat := false
	if j+1 < len(p.s) && p.s[j] == '.' && p.s[j+1] >= '0' && p.s[j+1] <= '9' {
		j++
		digits()
		isFloat = true
	}
	if j < len(p.s) && (p.s[j] == 'e' || p.s[j] == 'E') {
		k := j
		j++
		if j < len(p.s) && (p.s[j] == '+' || p.s[j] == '-') {
			j++
		}
		if digits() == 0 {
			j = k
		} else {
			isFloat = true
		}
	}
	lit := p.s[start:j]
	p.i = j
	if isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, &JSONError{"Expecting value", start}
		}
		return f, nil
	}
	n, ok := new(big.Int).SetString(lit, 10)
	if !ok {
		return nil, &JSONError{"Expecting value", start}
	}
	return Int{n}, nil
}

func (p *jsonParser) str() (string, error) {
	var b strings.Builder
	begin := p.i - 1
	for {
		if p.i >= len(p.s) {
			return "", &JSONError{"Unterminated string starting at", begin}
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", &JSONError{"Unterminated string starting at", begin}
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", &JSONError{"Invalid \\uXXXX escape", p.i - 1}
				}
				if utf16.IsSurrogate(r) && r < 0xdc00 && strings.HasPrefix(p.s[p.i:], `\u`) {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
					}
				}
				if utf16.IsSurrogate(r) {
					// Python keeps a lone surrogate; Go strings cannot hold it.
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				return "", &JSONError{"Invalid \\escape", p.i - 2}
			}
		case c < 0x20 && p.strict:
			return "", &JSONError{"Invalid control character at", p.i}
		default:
			r, n := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteRune(r)
			p.i += n
		}
	}
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

func (p *jsonParser) object() (any, error) {
	d := &Dict{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return d, nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, &JSONError{"Expecting property name enclosed in double quotes", p.i}
		}
		p.i++
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, &JSONError{"Expecting ':' delimiter", p.i}
		}
		p.i++
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		d.Set(k, v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		return nil, &JSONError{"Expecting ',' delimiter", p.i}
	}
}

func (p *jsonParser) array() (any, error) {
	out := []any{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return out, nil
	}
	for {
		p.ws()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return out, nil
		}
		return nil, &JSONError{"Expecting ',' delimiter", p.i}
	}
}
