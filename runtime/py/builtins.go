package py

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/ported/rope"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// InitializeRope is rope_utils.initialize_rope; an unsupported configuration
// raises ValueError as in Python.
func InitializeRope(dims int, base float64, traditional bool, scaling map[string]any, maxPositionEmbeddings int) rope.Layer {
	l, err := rope.InitializeRope(dims, base, traditional, scaling, maxPositionEmbeddings)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return l
}

// ApplyYarnMscale is rope_utils.apply_yarn_mscale; a malformed scaling
// config raises ValueError.
func ApplyYarnMscale(scale float64, scaling map[string]any) float64 {
	s, err := rope.ApplyYarnMscale(scale, scaling)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return s
}

// Has is `k in d`.
func Has[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// Get is d.get(k, default).
func Get[K comparable, V any](m map[K]V, k K, def V) V {
	if v, ok := m[k]; ok {
		return v
	}
	return def
}

// Pop is d.pop(k, default).
func Pop[K comparable, V any](m map[K]V, k K, def V) V {
	if v, ok := m[k]; ok {
		delete(m, k)
		return v
	}
	return def
}

// Count is list.count(v).
func Count[T comparable](xs []T, v T) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

// Abs is abs() of a number.
func Abs[T int | float64](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

// BoolToInt is int(b).
func BoolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Item is x.item() as a float.
func Item(a *mlx.Array) float64 {
	v, err := a.Item()
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return v
}

// IntItem is int(x) of a one-element array.
func IntItem(a *mlx.Array) int { return int(Item(a)) }

// Split is mx.split(a, indices_or_sections, axis).
func Split(a *mlx.Array, indicesOrSections any, axis int) []*mlx.Array {
	var parts []*mlx.Array
	var err error
	switch v := indicesOrSections.(type) {
	case int:
		parts, err = mlx.Split(a, v, axis)
	case []int:
		parts, err = mlx.SplitAt(a, v, axis)
	case float64: // a config int (JSON numbers decode as float64)
		n, ok := asInt(v)
		if !ok {
			Raise("TypeError", "split: indices_or_sections must be an int, got %v", v)
		}
		parts, err = mlx.Split(a, n, axis)
	case []any: // a list of config values
		idx := make([]int, len(v))
		for i, x := range v {
			idx[i] = Int(x)
		}
		parts, err = mlx.SplitAt(a, idx, axis)
	case []*int: // a list of Optional[int] fields (kimi_k3's [self.qk_nope_head_dim])
		idx := make([]int, len(v))
		for i, x := range v {
			if x == nil {
				Raise("TypeError", "split: indices_or_sections must be a list of ints, got None")
			}
			idx[i] = *x
		}
		parts, err = mlx.SplitAt(a, idx, axis)
	default:
		Raise("TypeError", "split: indices_or_sections must be an int or a list of ints, got %T", v)
	}
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return parts
}

// Pad is mx.pad(a, pad_width, constant_values): pad_width is an int, a
// (before, after) pair, or one pair per axis.
func Pad(a *mlx.Array, padWidth any, value *mlx.Array) *mlx.Array {
	n := a.Ndim()
	var widths []mlx.PadWidth
	switch v := padWidth.(type) {
	case int:
		for range n {
			widths = append(widths, mlx.PadWidth{Before: v, After: v})
		}
	case []int:
		if len(v) != 2 {
			Raise("ValueError", "pad: a flat pad_width needs two values")
		}
		for range n {
			widths = append(widths, mlx.PadWidth{Before: v[0], After: v[1]})
		}
	case [][]int:
		for _, p := range v {
			if len(p) != 2 {
				Raise("ValueError", "pad: each pad_width entry needs two values")
			}
			widths = append(widths, mlx.PadWidth{Before: p[0], After: p[1]})
		}
	default:
		Raise("TypeError", "pad: unsupported pad_width %T", v)
	}
	return mlx.Pad(a, widths, value)
}

// Arange is mx.arange(stop) / (start, stop) / (start, stop, step, dtype=):
// with dtype -1 (None), Python's rule: int32 when every argument is an int,
// else float32.
func Arange(dtype mlx.Dtype, args ...any) *mlx.Array {
	var f [3]float64
	allInt := true
	for i, a := range args {
		switch v := a.(type) {
		case int:
			f[i] = float64(v)
		case float64:
			f[i] = v
			allInt = false
		default:
			Raise("TypeError", "arange: %T argument", a)
		}
	}
	dt := mlx.Float32
	if allInt {
		dt = mlx.Int32
	}
	if dtype >= 0 {
		dt = dtype
	}
	switch len(args) {
	case 1:
		return mlx.Arange(0, f[0], 1, dt)
	case 2:
		return mlx.Arange(f[0], f[1], 1, dt)
	case 3:
		return mlx.Arange(f[0], f[1], f[2], dt)
	}
	Raise("TypeError", "arange takes 1 to 3 positional arguments")
	return nil
}

// ArrayOf is mx.array(v, dtype) of a Python number or list of numbers.
// dtype -1 keeps Python's default (int32 for ints, float32 for floats).
func ArrayOf(v any, dtype mlx.Dtype) *mlx.Array {
	var a *mlx.Array
	switch x := v.(type) {
	case *mlx.Array:
		a = mlx.Copy(x)
	case int:
		a = mlx.Scalar(float64(x), mlx.Int32)
	case float64:
		a = mlx.Scalar(x, mlx.Float32)
	case bool:
		a = mlx.Scalar(float64(BoolToInt(x)), mlx.Bool)
	case []int:
		vs := make([]int32, len(x))
		for i, e := range x {
			vs[i] = int32(e)
		}
		a = mlx.FromSlice(vs)
	case []float64:
		vs := make([]float32, len(x))
		for i, e := range x {
			vs[i] = float32(e)
		}
		a = mlx.FromSlice(vs)
	default:
		Raise("TypeError", "mx.array of %T is not supported", v)
	}
	if dtype >= 0 {
		return a.Astype(dtype)
	}
	return a
}

// Finfo is mx.finfo(dtype).
func Finfo(d mlx.Dtype) mlx.Finfo {
	f, err := mlx.FinfoOf(d)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return f
}

// Quantize is mx.quantize(w, group_size, bits) as a (w, scales, biases) tuple.
func Quantize(w *mlx.Array, groupSize, bits int) (*mlx.Array, *mlx.Array, *mlx.Array) {
	q, err := mlx.Quantize(w, groupSize, bits, "affine")
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return q.Weight, q.Scales, q.Biases
}

// GELU is nn.GELU(approx=...) as a function.
func GELU(approx string) func(*mlx.Array) *mlx.Array {
	switch approx {
	case "none", "":
		return nn.Gelu
	case "precise", "tanh":
		return nn.GeluApprox
	case "fast":
		return nn.GeluFastApprox
	}
	Raise("ValueError", "%s", fmt.Sprintf("The approximation should be in ['none', 'precise', 'tanh', 'fast'] but %q was given", approx))
	return nil
}

// All is Python's all() over bools.
func All(xs []bool) bool {
	for _, x := range xs {
		if !x {
			return false
		}
	}
	return true
}

// Any is Python's any() over bools.
func Any(xs []bool) bool {
	for _, x := range xs {
		if x {
			return true
		}
	}
	return false
}

// EmbeddingWeight is embedding.weight (the table of an unquantized
// embedding; a quantized one's packed weight, as in Python).
func EmbeddingWeight(e nn.EmbeddingLayer) *mlx.Array {
	switch x := e.(type) {
	case *nn.Embedding:
		return x.Weight
	case *nn.QuantizedEmbedding:
		return x.Weight
	}
	Raise("AttributeError", "%T has no attribute 'weight'", e)
	return nil
}

// IsClose is math.isclose(a, b) with Python's default tolerances.
func IsClose(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	m := max(abs64(a), abs64(b))
	return d <= max(1e-9*m, 0)
}

func abs64(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// SuScaledRoPE is rope_utils.SuScaledRoPE(dims, base=, max_position_embeddings=, ...).
func SuScaledRoPE(dims int, base float64, maxPositionEmbeddings, originalMaxPositionEmbeddings int, shortFactor, longFactor any, longMscale any) rope.Layer {
	o := rope.SuScaledOpts{Base: base, MaxPositionEmbeddings: maxPositionEmbeddings,
		OriginalMaxPositionEmbeddings: originalMaxPositionEmbeddings,
		ShortFactor:                   Floats(shortFactor), LongFactor: Floats(longFactor)}
	if longMscale != nil {
		v := Float(longMscale)
		o.LongMscale = &v
	}
	r, err := rope.NewSuScaledRoPE(dims, o)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return r
}

// Float reads a Python number held as any (a config value) as a float.
func Float(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case bool:
		if x {
			return 1
		}
		return 0
	}
	Raise("TypeError", "expected a number, got %T", v)
	return 0
}

// Int reads a Python int held as any; a float with a fraction is a TypeError.
func Int(v any) int {
	f := Float(v)
	if f != float64(int(f)) {
		Raise("TypeError", "expected an int, got %v", v)
	}
	return int(f)
}

// Str reads a Python str held as any.
func Str(v any) string {
	s, ok := v.(string)
	if !ok {
		Raise("TypeError", "expected a str, got %T", v)
	}
	return s
}

// Floats reads a list of numbers (or one number) held as any.
func Floats(v any) []float64 {
	switch x := v.(type) {
	case nil:
		return nil
	case []float64:
		return x
	case []any:
		out := make([]float64, len(x))
		for i, e := range x {
			out[i] = Float(e)
		}
		return out
	}
	return []float64{Float(v)}
}

// IsFloat is isinstance(v, float) for a value held as any.
func IsFloat(v any) bool {
	_, ok := v.(float64)
	return ok
}

// IsInt is isinstance(v, int) for a value held as any (JSON numbers without
// a fraction count as int, as json.load makes them).
func IsInt(v any) bool {
	switch x := v.(type) {
	case int:
		return true
	case float64:
		return x == float64(int64(x))
	}
	return false
}

// Kw is the value of keyword k from a **kwargs dict, or def when absent.
func Kw[T any](kwargs map[string]any, k string, def T, conv func(any) T) T {
	if v, ok := kwargs[k]; ok && v != nil {
		return conv(v)
	}
	return def
}

// AnyList is a typed list passed where Python holds a list of anything.
func AnyList[T any](xs []T) []any {
	if xs == nil {
		return nil
	}
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Dict reads a dict held as any (a config value); None is nil.
func Dict(v any) map[string]any {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		Raise("TypeError", "expected a dict, got %T", v)
	}
	return m
}

// SliceBound is a list-slice bound that may be None: *int or any holding
// nil or an int.
func SliceBound(v any) int {
	switch x := v.(type) {
	case nil:
		return SliceNone
	case *int:
		if x == nil {
			return SliceNone
		}
		return *x
	case int:
		return x
	}
	return Int(v)
}

// Identity is nn.Identity / nn.Dropout at inference.
func Identity(x *mlx.Array) *mlx.Array { return x }

// SoftmaxLast is nn.Softmax(): softmax over the last axis.
func SoftmaxLast(x *mlx.Array) *mlx.Array { return mlx.Softmax(x, false, -1) }

// MinOf is min(xs) of a non-empty list.
func MinOf[T int | float64](xs []T) T {
	if len(xs) == 0 {
		Raise("ValueError", "min() arg is an empty sequence")
	}
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}

// MaxOf is max(xs) of a non-empty list.
func MaxOf[T int | float64](xs []T) T {
	if len(xs) == 0 {
		Raise("ValueError", "max() arg is an empty sequence")
	}
	m := xs[0]
	for _, x := range xs[1:] {
		m = max(m, x)
	}
	return m
}

// OptFloatOf reads an Optional float held as any: nil (None) stays nil.
func OptFloatOf(v any) *float64 {
	if v == nil {
		return nil
	}
	f := Float(v)
	return &f
}

// OptIntOf reads an Optional int held as any: nil (None) stays nil.
func OptIntOf(v any) *int {
	if v == nil {
		return nil
	}
	n := Int(v)
	return &n
}

// OptFloat widens an Optional int to an Optional float.
func OptFloat(p *int) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

// StrAt is s[i] for a str: the character at i (negative counts from the end).
func StrAt(s string, i int) string {
	r := []rune(s)
	if i < 0 {
		i += len(r)
	}
	if i < 0 || i >= len(r) {
		Raise("IndexError", "string index out of range")
	}
	return string(r[i])
}

// StrFind is s.find(sub): the character index of sub, or -1.
func StrFind(s, sub string) int {
	i := strings.Index(s, sub)
	if i < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:i])
}

// StrIndex is s.index(sub): StrFind that raises ValueError when absent.
func StrIndex(s, sub string) int {
	i := StrFind(s, sub)
	if i < 0 {
		Raise("ValueError", "substring not found")
	}
	return i
}

// Arith is Python arithmetic on values held as any (config values) and
// ints: int op int stays an int (with Python's // and %), anything with a
// float is a float.
func Arith(op string, a, b any) any {
	ai, aInt := asInt(a)
	bi, bInt := asInt(b)
	if aInt && bInt {
		switch op {
		case "+":
			return ai + bi
		case "-":
			return ai - bi
		case "*":
			return ai * bi
		case "//":
			return FloorDiv(ai, bi)
		case "%":
			return Mod(ai, bi)
		}
	}
	x, y := Float(a), Float(b)
	switch op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	case "//":
		if y == 0 {
			Raise("ZeroDivisionError", "float floor division by zero")
		}
		return math.Floor(x / y)
	case "%":
		if y == 0 {
			Raise("ZeroDivisionError", "float modulo")
		}
		m := math.Mod(x, y)
		if m != 0 && (m < 0) != (y < 0) {
			m += y
		}
		return m
	}
	Raise("TypeError", "unsupported operator %s", op)
	return nil
}

// asInt reports whether v holds a Python int (JSON numbers decode as
// float64; integral ones are ints in Python's json.load).
func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case bool:
		return BoolToInt(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int(x), true
		}
	}
	return 0, false
}

// FromDict is ModelArgs.from_dict(d) (BaseModelArgs.from_dict): it fills
// args, which holds the dataclass defaults, from d.
func FromDict[T any](args *T, d map[string]any) *T {
	if err := base.FromDict(args, d); err != nil {
		Raise("TypeError", "%v", err)
	}
	return args
}

// TreeUnflatten is mlx.utils.tree_unflatten over a flat dict of dotted
// paths: a nested dict (lists become dicts keyed "0", "1", ..., which reads
// the same for the pops and lookups model files do).
func TreeUnflatten(flat any) map[string]any {
	out := map[string]any{}
	add := func(path string, v any) {
		parts := strings.Split(path, ".")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	switch x := flat.(type) {
	case map[string]*mlx.Array:
		for k, v := range x {
			add(k, v)
		}
	case map[string]any:
		for k, v := range x {
			add(k, v)
		}
	default:
		Raise("TypeError", "tree_unflatten of %T", flat)
	}
	return out
}

// TreeFlatten is dict(mlx.utils.tree_flatten(tree)) of a nested dict of arrays.
func TreeFlatten(tree any) map[string]*mlx.Array {
	out := map[string]*mlx.Array{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case *mlx.Array:
			out[prefix] = x
		case map[string]any:
			for k, e := range x {
				walk(join(prefix, k), e)
			}
		case map[string]*mlx.Array:
			for k, e := range x {
				out[join(prefix, k)] = e
			}
		case nil:
		default:
			Raise("TypeError", "tree_flatten of %T", v)
		}
	}
	walk("", tree)
	return out
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// IsInstanceOf is isinstance(v, (kinds...)) for a value held as any, with
// kinds among "list", "tuple", "int", "float", "str", "dict", "bool".
func IsInstanceOf(v any, kinds ...string) bool {
	for _, k := range kinds {
		switch k {
		case "list", "tuple":
			if _, ok := v.([]any); ok {
				return true
			}
		case "int":
			if IsInt(v) {
				return true
			}
		case "float":
			if IsFloat(v) {
				return true
			}
		case "str":
			if _, ok := v.(string); ok {
				return true
			}
		case "dict":
			if _, ok := v.(map[string]any); ok {
				return true
			}
		case "bool":
			if _, ok := v.(bool); ok {
				return true
			}
		}
	}
	return false
}

// MinAny is min(xs) of a list of numbers held as any.
func MinAny(v any) any {
	xs, ok := v.([]any)
	if !ok || len(xs) == 0 {
		Raise("TypeError", "min() of %T", v)
	}
	best := xs[0]
	for _, x := range xs[1:] {
		if Float(x) < Float(best) {
			best = x
		}
	}
	return best
}

// MaxAny is max(xs) of a list of numbers held as any.
func MaxAny(v any) any {
	xs, ok := v.([]any)
	if !ok || len(xs) == 0 {
		Raise("TypeError", "max() of %T", v)
	}
	best := xs[0]
	for _, x := range xs[1:] {
		if Float(x) > Float(best) {
			best = x
		}
	}
	return best
}

// Key is d[k] of a nested dict held as any (a tree from tree_unflatten).
func Key(d any, k string) any {
	m, ok := d.(map[string]any)
	if !ok {
		Raise("TypeError", "%T is not subscriptable by %q", d, k)
	}
	v, ok := m[k]
	if !ok {
		Raise("KeyError", "%q", k)
	}
	return v
}

// AnyGet is d.get(key, def) on a value of no static type (a subtree of
// tree_unflatten, a config value): d must be a dict, else Python's
// AttributeError.
func AnyGet(d any, key string, def any) any {
	m, ok := d.(map[string]any)
	if !ok {
		Raise("AttributeError", "'%s' object has no attribute 'get'", pyTypeName(d))
	}
	if v, ok := m[key]; ok {
		return v
	}
	return def
}

// pyTypeName is the Python type name of a value of no static type.
func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, int64:
		return "int"
	case float64, float32:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case *mlx.Array:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// Depends is mx.depends(inputs, dependencies) of one array on another: the
// input, evaluated only after the dependency.
func Depends(input, dependency *mlx.Array) *mlx.Array {
	out, err := mlx.Depends([]*mlx.Array{input}, []*mlx.Array{dependency})
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return out[0]
}

// StartsWithAny is s.startswith(tuple): whether s starts with any of them.
func StartsWithAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// EndsWithAny is s.endswith(tuple): whether s ends with any of them.
func EndsWithAny(s string, suffixes []string) bool {
	for _, p := range suffixes {
		if strings.HasSuffix(s, p) {
			return true
		}
	}
	return false
}

// NumpyArange is numpy.arange(stop), (start, stop) or (start, stop, step)
// as an MLX array of numpy's dtype: int64 when every argument is an int,
// float64 otherwise (mx.array of it keeps that dtype, as in Python).
func NumpyArange(args ...any) *mlx.Array {
	dt := mlx.Int64
	for _, a := range args {
		if _, ok := a.(float64); ok {
			dt = mlx.Float64
		}
	}
	return Arange(dt, args...)
}

// Round is round(x) of a float: the nearest int, halves to even (Python's
// rounding, not Go's math.Round).
func Round(x float64) int {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		Raise("ValueError", "cannot convert float %v to integer", x)
	}
	return int(math.RoundToEven(x))
}

// Widen is a list of a concrete type as a list of an interface its
// elements implement (a Python list holds any of them): make_cache's
// [KVCache() ...] + [RotatingKVCache() ...] as []cache.Cache.
func Widen[T, S any](xs []S) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		if any(x) == nil && nilable[T]() {
			// None (longcat_flash_ngram's `[None] + [(None, None)] * n`
			// widened to the caches): T's nil.
			continue
		}
		v, ok := any(x).(T)
		if !ok {
			Raise("TypeError", "list element %d: a %T", i, x)
		}
		out[i] = v
	}
	return out
}

// nilable reports whether T has nil among its values (Python's None).
func nilable[T any]() bool {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Slice, reflect.Map, reflect.Func, reflect.Chan:
		return true
	}
	return false
}
