package jinja

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/internal/pyrepr"
)

// Value is a template value with Python's semantics. Its dynamic type is one
// of: nil (None), Undefined, bool, int64, float64, string, *List, *Dict,
// *Namespace, callable (a macro or a built-in), or a loop object.
type Value = any

// Undefined is a name or attribute that does not exist (Jinja's default
// Undefined: prints as "", is falsy, iterates as empty; most operations on
// it are errors).
type Undefined struct {
	Name string
	// Unsafe is set for an attribute the sandbox refused: using the value
	// (calling it, reading its attributes) fails with this message, as
	// jinja2's sandbox's unsafe_undefined does.
	Unsafe string
}

// List is a Python list (or tuple, when Tuple is set).
type List struct {
	Items []Value
	Tuple bool
}

// Dict is a Python dict: insertion-ordered, with string, int, bool or None
// keys (what JSON and chat templates use).
type Dict struct {
	keys  []Value
	vals  []Value
	index map[dictKey]int
}

type dictKey struct {
	kind byte
	s    string
	n    int64
}

// Namespace is jinja2's namespace(): attributes assignable with
// {% set ns.attr = ... %}.
type Namespace struct{ d *Dict }

// Int, Float, Str, Bool and None build values.
func Int(n int64) Value     { return n }
func Float(f float64) Value { return f }
func Str(s string) Value    { return s }
func Bool(b bool) Value     { return b }
func None() Value           { return nil }

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{index: map[dictKey]int{}} }

func keyOf(k Value) (dictKey, error) {
	switch x := k.(type) {
	case string:
		return dictKey{kind: 's', s: x}, nil
	case int64:
		return dictKey{kind: 'i', n: x}, nil
	case bool: // True == 1 in Python
		if x {
			return dictKey{kind: 'i', n: 1}, nil
		}
		return dictKey{kind: 'i', n: 0}, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
			return dictKey{kind: 'i', n: int64(x)}, nil
		}
		return dictKey{kind: 'f', s: strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case nil:
		return dictKey{kind: 'n'}, nil
	}
	return dictKey{}, fmt.Errorf("unhashable type: '%s'", typeName(k))
}

// Set sets d[k] = v.
func (d *Dict) Set(k, v Value) error {
	kk, err := keyOf(k)
	if err != nil {
		return err
	}
	if i, ok := d.index[kk]; ok {
		d.vals[i] = v
		return nil
	}
	d.index[kk] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// Get returns d[k].
func (d *Dict) Get(k Value) (Value, bool) {
	kk, err := keyOf(k)
	if err != nil {
		return nil, false
	}
	i, ok := d.index[kk]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// Len is len(d).
func (d *Dict) Len() int { return len(d.keys) }

// Keys are the keys in insertion order.
func (d *Dict) Keys() []Value { return d.keys }

// FromGo converts Go data (JSON-decoded values, maps, slices, numbers; a
// json.RawMessage is decoded keeping its key order) into template values.
// map[string]any keys are sorted, since Go maps have no order; pass JSON or
// *Dict to keep an order.
func FromGo(v any) (Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case Undefined, bool, int64, float64, string, *List, *Dict, *Namespace:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, err
		}
		return f, nil
	case json.RawMessage:
		return FromJSON(x)
	case []byte:
		return string(x), nil
	case []any:
		l := &List{Items: make([]Value, len(x))}
		for i, e := range x {
			c, err := FromGo(e)
			if err != nil {
				return nil, err
			}
			l.Items[i] = c
		}
		return l, nil
	case []string:
		l := &List{Items: make([]Value, len(x))}
		for i, e := range x {
			l.Items[i] = e
		}
		return l, nil
	case []map[string]any:
		l := &List{Items: make([]Value, len(x))}
		for i, e := range x {
			c, err := FromGo(e)
			if err != nil {
				return nil, err
			}
			l.Items[i] = c
		}
		return l, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := NewDict()
		for _, k := range keys {
			c, err := FromGo(x[k])
			if err != nil {
				return nil, err
			}
			d.Set(k, c)
		}
		return d, nil
	case func(string) (string, error):
		return builtin(func(_ *evaluator, args []Value, _ map[string]Value) (Value, error) {
			if len(args) != 1 {
				return nil, fmt.Errorf("expected one argument")
			}
			s, ok := args[0].(string)
			if !ok {
				s = toStr(args[0])
			}
			return x(s)
		}), nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// FromJSON decodes JSON into template values, keeping object key order.
func FromJSON(data []byte) (Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder, depth int) (Value, error) {
	if depth > 1000 {
		return nil, fmt.Errorf("JSON nests too deeply")
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				d.Set(k, v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := &List{}
			for dec.More() {
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", x)
	case json.Number:
		return FromGo(x)
	default:
		return x, nil
	}
}

func typeName(v Value) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case Undefined:
		return "Undefined"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *List:
		if x.Tuple {
			return "tuple"
		}
		return "list"
	case *Dict:
		return "dict"
	case *Namespace:
		return "Namespace"
	case *loopObj:
		return "LoopContext"
	case callable:
		return "function"
	}
	return fmt.Sprintf("%T", v)
}

func truthy(v Value) bool {
	switch x := v.(type) {
	case nil, Undefined:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case *List:
		return len(x.Items) > 0
	case *Dict:
		return x.Len() > 0
	}
	return true
}

// toStr is Python's str().
func toStr(v Value) string {
	switch x := v.(type) {
	case string:
		return x
	case Undefined:
		return ""
	}
	return repr(v)
}

// repr is Python's repr().
func repr(v Value) string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

func writeRepr(b *strings.Builder, v Value, depth int) {
	if depth > 100 {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case Undefined:
		b.WriteString("")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(pyFloat(x))
	case string:
		b.WriteString(pyStrRepr(x))
	case *List:
		open, close := "[", "]"
		if x.Tuple {
			open, close = "(", ")"
		}
		b.WriteString(open)
		for i, e := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e, depth+1)
		}
		if x.Tuple && len(x.Items) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case *Dict:
		b.WriteString("{")
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k, depth+1)
			b.WriteString(": ")
			writeRepr(b, x.vals[i], depth+1)
		}
		b.WriteString("}")
	case *Namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, x.d, depth+1)
		b.WriteString(">")
	default:
		fmt.Fprintf(b, "<%s>", typeName(v))
	}
}

// pyFloat is float.__repr__ (str() of a float prints the same).
func pyFloat(f float64) string { return pyrepr.Float(f) }

// pyStrRepr is str.__repr__.
func pyStrRepr(s string) string { return pyrepr.Str(s, false) }

// toJSON is json.dumps(v, ensure_ascii=False, indent=indent,
// separators=..., sort_keys=...) as transformers' tojson filter calls it.
func toJSON(v Value, indent *int, itemSep, keySep string, sortKeys bool, lim *limits) (string, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, indent, itemSep, keySep, sortKeys, 0, lim); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writeJSON(b *strings.Builder, v Value, indent *int, itemSep, keySep string, sortKeys bool, depth int, lim *limits) error {
	if depth > 200 {
		return fmt.Errorf("tojson: value nests too deeply")
	}
	if lim != nil && b.Len() > lim.maxString {
		return lim.stringTooLong()
	}
	newline := func(d int) {
		if indent != nil {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", *indent*d))
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		switch {
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		case math.IsNaN(x):
			b.WriteString("NaN")
		default:
			b.WriteString(pyFloat(x))
		}
	case string:
		writeJSONString(b, x)
	case *List:
		if len(x.Items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range x.Items {
			if i > 0 {
				b.WriteString(itemSep)
			}
			newline(depth + 1)
			if err := writeJSON(b, e, indent, itemSep, keySep, sortKeys, depth+1, lim); err != nil {
				return err
			}
		}
		newline(depth)
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		order := make([]int, x.Len())
		for i := range order {
			order[i] = i
		}
		if sortKeys {
			var err error
			sort.SliceStable(order, func(a, c int) bool {
				lt, e := less(x.keys[order[a]], x.keys[order[c]])
				if e != nil {
					err = e
				}
				return lt
			})
			if err != nil {
				return err
			}
		}
		b.WriteByte('{')
		for n, i := range order {
			if n > 0 {
				b.WriteString(itemSep)
			}
			newline(depth + 1)
			var ks string
			switch k := x.keys[i].(type) {
			case string:
				ks = k
			case nil:
				ks = "null"
			case bool:
				ks = map[bool]string{true: "true", false: "false"}[k]
			case int64:
				ks = strconv.FormatInt(k, 10)
			case float64:
				ks = pyFloat(k)
			}
			writeJSONString(b, ks)
			b.WriteString(keySep)
			if err := writeJSON(b, x.vals[i], indent, itemSep, keySep, sortKeys, depth+1, lim); err != nil {
				return err
			}
		}
		newline(depth)
		b.WriteByte('}')
	case *Namespace:
		return fmt.Errorf("Object of type Namespace is not JSON serializable")
	case Undefined:
		return fmt.Errorf("Object of type Undefined is not JSON serializable")
	default:
		return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

func writeJSONString(b *strings.Builder, s string) {
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
