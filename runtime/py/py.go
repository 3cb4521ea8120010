// Package py is what generated model code calls that is neither an MLX op
// nor a port of mlx-lm: the Python semantics Go does not have built in
// (floor division and modulo rounding toward negative infinity, `x or
// default`, truthiness, tuple unpacking with a length check, isinstance,
// assert/raise, values of no static type such as config entries), and the
// small adapters between Python's duck typing and the Go interfaces of
// ported/ (caches, RoPE, distributed sharding).
//
// Python raises where Go code would return an error from deep inside an
// expression. Generated code therefore signals a failed assert, a raise or
// an impossible unpacking by panicking with a *py.Error, and every entry
// point a generated package exports through the registry recovers it with
// Recover — so no panic ever crosses a package boundary, and callers see an
// ordinary error naming the Python source line.
package py

import (
	"cmp"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Error is a Python exception raised by generated code.
type Error struct {
	Kind string // "AssertionError", "ValueError", ...
	Msg  string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Kind
	}
	return e.Kind + ": " + e.Msg
}

// Raise raises a Python exception.
func Raise(kind, format string, args ...any) {
	panic(Exception(kind, format, args...))
}

// Exception is the Python exception Raise raises, for a raise that ends a
// function: panic(py.Exception(...)) is a statement Go knows never returns.
func Exception(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Assert is Python's assert cond, msg.
func Assert(cond bool, msg string) {
	if !cond {
		panic(&Error{Kind: "AssertionError", Msg: msg})
	}
}

// Recover turns a panic raised by generated code into *err. It is deferred
// by every registry entry point. A runtime error (an index out of range, a
// nil dereference) is reported too, as an error rather than a crash, because
// it means the translated Python would have raised as well.
func Recover(err *error) {
	r := recover()
	if r == nil {
		return
	}
	switch v := r.(type) {
	case *Error:
		*err = v
	case runtime.Error:
		*err = fmt.Errorf("python semantics violated in generated code: %v", v)
	case error:
		*err = v
	default:
		*err = fmt.Errorf("%v", v)
	}
}

// FloorDiv is Python's a // b on ints: it rounds toward negative infinity.
func FloorDiv(a, b int) int {
	if b == 0 {
		Raise("ZeroDivisionError", "integer division or modulo by zero")
	}
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Mod is Python's a % b on ints: the result has the sign of b.
func Mod(a, b int) int {
	if b == 0 {
		Raise("ZeroDivisionError", "integer division or modulo by zero")
	}
	m := a % b
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}

// PowInt is Python's a ** b for ints with b >= 0.
func PowInt(a, b int) int {
	if b < 0 {
		Raise("ValueError", "negative integer exponent in an int context")
	}
	r := 1
	for range b {
		r *= a
	}
	return r
}

// Or is Python's `a or b` for values whose falsy value is Go's zero value
// (0, 0.0, "", false).
func Or[T comparable](a, b T) T {
	var zero T
	if a != zero {
		return a
	}
	return b
}

// OrPtr is `a or b` where a is Optional (nil is None).
func OrPtr[T comparable](a *T, b T) T {
	var zero T
	if a != nil && *a != zero {
		return *a
	}
	return b
}

// Deref reads an Optional that Python code uses as a plain value: None there
// is a TypeError in Python, and a *py.Error here.
func Deref[T any](p *T, name string) T {
	if p == nil {
		Raise("TypeError", "%s is None", name)
	}
	return *p
}

// Ptr makes an Optional from a value.
func Ptr[T any](v T) *T { return &v }

// IsInstance is isinstance(v, T).
func IsInstance[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

// Repeat is Python's [v] * n for a one-element list.
func Repeat[T any](v T, n int) []T {
	out := make([]T, max(n, 0))
	for i := range out {
		out[i] = v
	}
	return out
}

// Index is list.index(v).
func Index[T comparable](xs []T, v T) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	Raise("ValueError", "%v is not in list", v)
	return -1
}

// At is xs[i] with Python's negative indexing.
func At[T any](xs []T, i int) T {
	if i < 0 {
		i += len(xs)
	}
	if i < 0 || i >= len(xs) {
		Raise("IndexError", "list index %d out of range (len %d)", i, len(xs))
	}
	return xs[i]
}

// Slice is xs[lo:hi] with Python's clamping and negative bounds; use
// SliceNone for an omitted bound.
func Slice[T any](xs []T, lo, hi int) []T {
	n := len(xs)
	norm := func(i int) int {
		if i == SliceNone {
			return i
		}
		if i < 0 {
			i += n
		}
		return min(max(i, 0), n)
	}
	lo, hi = norm(lo), norm(hi)
	if lo == SliceNone {
		lo = 0
	}
	if hi == SliceNone {
		hi = n
	}
	if hi < lo {
		hi = lo
	}
	return xs[lo:hi:hi]
}

// SliceNone marks an omitted bound in Slice.
const SliceNone = -1 << 62

// Unpack2 is `a, b = xs` with Python's length check.
func Unpack2[T any](xs []T) (T, T) {
	need(len(xs), 2)
	return xs[0], xs[1]
}

// Unpack3 is `a, b, c = xs`.
func Unpack3[T any](xs []T) (T, T, T) {
	need(len(xs), 3)
	return xs[0], xs[1], xs[2]
}

// Unpack4 is `a, b, c, d = xs`.
func Unpack4[T any](xs []T) (T, T, T, T) {
	need(len(xs), 4)
	return xs[0], xs[1], xs[2], xs[3]
}

// Unpack5 is `a, b, c, d, e = xs`.
func Unpack5[T any](xs []T) (T, T, T, T, T) {
	need(len(xs), 5)
	return xs[0], xs[1], xs[2], xs[3], xs[4]
}

func need(have, want int) {
	if have != want {
		if have > want {
			Raise("ValueError", "too many values to unpack (expected %d)", want)
		}
		Raise("ValueError", "not enough values to unpack (expected %d, got %d)", want, have)
	}
}

// Sum is Python's sum(xs) over numbers.
func Sum[T int | float64](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

// Bool is Python's truthiness of a value whose falsy value is Go's zero value.
func Bool[T comparable](v T) bool {
	var zero T
	return v != zero
}

// Range is range(start, stop, step) as a list.
func Range(start, stop, step int) []int {
	if step == 0 {
		Raise("ValueError", "range() arg 3 must not be zero")
	}
	out := []int{}
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		out = append(out, i)
	}
	return out
}

// RepeatList is Python's list * n.
func RepeatList[T any](xs []T, n int) []T {
	out := make([]T, 0, len(xs)*max(n, 0))
	for range n {
		out = append(out, xs...)
	}
	return out
}

// Sorted is Python's sorted(xs) over numbers or strings: a sorted copy.
func Sorted[T cmp.Ordered](xs []T) []T {
	out := append([]T(nil), xs...)
	slices.Sort(out)
	return out
}

// ParseInt is Python's int(s) for a str: base 10, surrounding whitespace,
// a sign and single underscores between digits allowed; anything else
// raises ValueError with Python's message.
func ParseInt(s string) int {
	t := strings.TrimSpace(s)
	digits := strings.TrimLeft(t, "+-")
	ok := len(t)-len(digits) <= 1 && digits != "" && !strings.HasPrefix(digits, "_") && !strings.HasSuffix(digits, "_") && !strings.Contains(digits, "__")
	if ok {
		n, err := strconv.ParseInt(asciiDigits(strings.ReplaceAll(t, "_", "")), 10, 0)
		if err == nil {
			return int(n)
		}
	}
	Raise("ValueError", "invalid literal for int() with base 10: %s", strconv.Quote(s))
	return 0
}

// asciiDigits maps the Unicode decimal digits of s (category Nd, which
// Python's int() accepts) to ASCII ones. Nd digits come in contiguous runs
// from 0 to 9 (a Unicode stability policy), so a digit's value is its
// distance from the start of its run, mod 10.
func asciiDigits(s string) string {
	ascii := true
	for _, r := range s {
		if r >= 0x80 {
			ascii = false
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 0x80 && unicode.IsDigit(r) {
			start := r
			for unicode.IsDigit(start - 1) {
				start--
			}
			r = '0' + (r-start)%10
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Truthy is Python's bool(v) for a value of no static type: None, False,
// zero, "" and empty lists and dicts are false; anything else (an array, a
// module) is true.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	case float32:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map:
		return rv.Len() > 0
	case reflect.Pointer, reflect.Interface:
		return !rv.IsNil()
	}
	return true
}
