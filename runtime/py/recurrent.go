package py

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// The per-layer cache of a recurrent or hybrid model is whatever make_cache
// put there: a KVCache, an ArraysCache (conv and recurrent states), a
// CacheList of both, or, when the model runs without caches, a list of Nones
// the model made itself. Python indexes these values and reads their
// attributes without knowing which it has; the generated Go holds them as
// cache.Cache (or, for what indexing returns, as any: an array or a cache)
// and these helpers do what Python's duck typing does, raising the
// TypeError / AttributeError Python would raise on the wrong class.

// CacheItem is c[i] for a per-layer cache value: an ArraysCache entry (an
// *mlx.Array, nil for None), a CacheList member (a cache.Cache), or, for a
// value that is itself such an entry, the same one level down. None entries
// are an untyped nil, so `c[i] is None` is `CacheItem(c, i) == nil`.
func CacheItem(c any, i int) any {
	if nl, ok := c.(noneList); ok {
		c = nl.ArraysCache
	}
	switch x := c.(type) {
	case *cache.ArraysCache:
		if x == nil {
			break
		}
		if a := x.Get(i); a != nil {
			return a
		}
		return nil
	case *cache.CacheList:
		if x == nil {
			break
		}
		if m := x.Get(i); m != nil {
			return m
		}
		return nil
	case nil:
		Raise("TypeError", "'NoneType' object is not subscriptable")
	}
	Raise("TypeError", "'%s' object is not subscriptable", typeName(c))
	return nil
}

// SetCacheItem is c[i] = v: an ArraysCache entry (v an array or None).
func SetCacheItem(c any, i int, v any) {
	if nl, ok := c.(noneList); ok {
		c = nl.ArraysCache // the list stores what is assigned
	}
	ac, ok := c.(*cache.ArraysCache)
	if !ok || ac == nil {
		Raise("TypeError", "'%s' object does not support item assignment", typeName(c))
	}
	var a *mlx.Array
	switch x := v.(type) {
	case nil:
	case *mlx.Array:
		a = x
	default:
		Raise("TypeError", "an ArraysCache holds arrays, not %s", typeName(v))
	}
	if err := ac.Set(i, a); err != nil {
		Raise("IndexError", "%v", err)
	}
}

// SlotArray reads a value taken out of a cache (CacheItem) where the code
// uses it as an array: an *mlx.Array, or nil for None.
func SlotArray(v any) *mlx.Array {
	switch x := v.(type) {
	case nil:
		return nil
	case *mlx.Array:
		return x
	}
	Raise("TypeError", "expected an array, got %s", typeName(v))
	return nil
}

// AsCache reads a value taken out of a cache (CacheItem) where the code
// uses it as a cache: a cache.Cache, or nil for None.
func AsCache(v any) cache.Cache {
	switch x := v.(type) {
	case nil:
		return nil
	case cache.Cache:
		return x
	}
	Raise("TypeError", "expected a cache, got %s", typeName(v))
	return nil
}

// NoneSlots is a list or tuple of n Nones standing where a layer's cache
// goes ([None] * 2, (None, None)): n empty entries, which read None at
// every index and store what is assigned, as the list does. It is not an
// ArraysCache: hasattr(c, "advance") is False and c.advance(...) the
// AttributeError of a list.
func NoneSlots(n int) cache.Cache { return noneList{cache.NewArraysCache(n, nil)} }

// noneList is the list NoneSlots stands for; its entries are held by an
// ArraysCache no one else sees.
type noneList struct{ *cache.ArraysCache }

// ClassName is the Python class of the value: a list.
func (noneList) ClassName() string { return "list" }

// CacheLengths is cache.lengths of an ArraysCache (nil for None).
func CacheLengths(c any) *mlx.Array {
	ac, ok := c.(*cache.ArraysCache)
	if !ok || ac == nil {
		Raise("AttributeError", "'%s' object has no attribute 'lengths'", typeName(c))
	}
	return ac.Lengths()
}

// CacheLeftPadding is cache.left_padding of an ArraysCache (nil for None).
func CacheLeftPadding(c any) *mlx.Array {
	ac, ok := c.(*cache.ArraysCache)
	if !ok || ac == nil {
		Raise("AttributeError", "'%s' object has no attribute 'left_padding'", typeName(c))
	}
	return ac.LeftPadding()
}

// CacheAdvance is cache.advance(n) of an ArraysCache.
func CacheAdvance(c any, n int) {
	ac, ok := c.(*cache.ArraysCache)
	if !ok || ac == nil {
		Raise("AttributeError", "'%s' object has no attribute 'advance'", typeName(c))
	}
	ac.Advance(n)
}

// CacheMakeMask is cache.make_mask(N) of a cache that has one.
func CacheMakeMask(c any, n int) mlx.AttentionMask {
	mm, ok := c.(base.MaskMaker)
	if !ok || isNil(c) {
		Raise("AttributeError", "'%s' object has no attribute 'make_mask'", typeName(c))
	}
	return mm.MakeMask(n, base.MaskOpts{})
}

// CacheHasAttr is hasattr(cache, name) for the attributes the recurrent
// models probe (advance, keys, make_mask, offset, lengths).
func CacheHasAttr(c any, name string) bool {
	if _, list := c.(noneList); list || isNil(c) {
		return false // a list has none of them
	}
	switch name {
	case "advance", "lengths", "left_padding":
		_, ok := c.(*cache.ArraysCache)
		return ok
	case "make_mask":
		_, ok := c.(base.MaskMaker)
		return ok
	case "keys", "values", "update_and_fetch":
		_, ok := c.(cache.KeyValue)
		return ok
	case "offset":
		cc, ok := c.(cache.Cache)
		if !ok {
			return false
		}
		_, err := cache.OffsetOf(cc)
		return err == nil
	}
	return false
}

func isNil(c any) bool {
	switch x := c.(type) {
	case nil:
		return true
	case *cache.ArraysCache:
		return x == nil
	case *cache.CacheList:
		return x == nil
	}
	return false
}

func typeName(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case *mlx.Array:
		return "array"
	case cache.Cache:
		return x.ClassName()
	}
	return pyTypeName(v)
}

// IntOf is Python's int(v) of a value held as any (a config value): ints
// stay, floats truncate toward zero, bools are 0 or 1, strings are parsed
// as base-10 integers (ValueError otherwise).
func IntOf(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			Raise("ValueError", "cannot convert float %v to integer", x)
		}
		return int(x)
	case float32:
		return IntOf(float64(x))
	case bool:
		if x {
			return 1
		}
		return 0
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(x, "_", "")))
		if err != nil {
			Raise("ValueError", "invalid literal for int() with base 10: %q", x)
		}
		return n
	}
	Raise("TypeError", "int() argument must be a string or a number, not '%s'", pyTypeName(v))
	return 0
}

// DefaultDeviceType is mx.default_device()'s type as the translated code
// compares it with mx.gpu / mx.cpu: "gpu" when MLX runs on a GPU (CUDA or
// Metal), else "cpu".
func DefaultDeviceType() string {
	if mlx.OnGPU() {
		return "gpu"
	}
	return "cpu"
}

// NoneDict passes an Optional value annotated with a non-dict type where
// a dict is expected: None is None; anything else is the TypeError Python
// raises where it uses the value as a dict.
func NoneDict[T any](p *T) map[string]any {
	if p != nil {
		Raise("TypeError", "expected a dict or None, got %v", *p)
	}
	return nil
}

// Set is set(xs) held as a slice: the distinct elements, first occurrence
// first (types/check_sets.go).
func Set[T comparable](xs []T) []T {
	seen := make(map[T]bool, len(xs))
	var out []T
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// SetDiff is a - b of sets held as slices: a's elements not in b, in a's
// order, each once.
func SetDiff[T comparable](a, b []T) []T {
	drop := make(map[T]bool, len(b))
	for _, x := range b {
		drop[x] = true
	}
	var out []T
	for _, x := range Set(a) {
		if !drop[x] {
			out = append(out, x)
		}
	}
	return out
}

// As is the type assertion v.(T) with its ok (a call of a field that holds
// modules of different __call__ signatures dispatches on it).
func As[T any](v any) (T, bool) {
	x, ok := v.(T)
	return x, ok
}

// SortedKeys is sorted(d) / a dict's key view used as a value (set
// arithmetic on d.keys()): its keys in order.
func SortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CacheSlots is `a, b, ... = cache` for a per-layer cache: its n entries
// (CacheItem of each), or the ValueError Python raises when the cache holds
// another number of them.
func CacheSlots(c any, n int) []any {
	var size int
	if nl, ok := c.(noneList); ok {
		c = nl.ArraysCache
	}
	switch x := c.(type) {
	case *cache.ArraysCache:
		if x != nil {
			size = x.Len()
		}
	case *cache.CacheList:
		if x != nil {
			size = x.Len()
		}
	default:
		Raise("TypeError", "cannot unpack non-iterable %s object", typeName(c))
	}
	if isNil(c) {
		Raise("TypeError", "cannot unpack non-iterable NoneType object")
	}
	if size > n {
		Raise("ValueError", "too many values to unpack (expected %d)", n)
	}
	if size < n {
		Raise("ValueError", "not enough values to unpack (expected %d, got %d)", n, size)
	}
	out := make([]any, n)
	for i := range out {
		out[i] = CacheItem(c, i)
	}
	return out
}

// AnyAt is v[i] for a config value held as any (a JSON list): negative
// indices count from the end; IndexError / TypeError as in Python.
func AnyAt(v any, i int) any {
	xs, ok := v.([]any)
	if !ok {
		if s, isStr := v.(string); isStr {
			return StrAt(s, i)
		}
		Raise("TypeError", "'%s' object is not subscriptable", pyTypeName(v))
	}
	j := i
	if j < 0 {
		j += len(xs)
	}
	if j < 0 || j >= len(xs) {
		Raise("IndexError", "list index out of range")
	}
	return xs[j]
}

// ContainsAny is `x in v` for a config value held as any: a list's element
// equal to x (numbers by value, as 2 == 2.0 in Python), a dict's key, a
// substring of a string.
func ContainsAny(v any, x any) bool {
	switch c := v.(type) {
	case []any:
		for _, e := range c {
			if anyEqual(e, x) {
				return true
			}
		}
		return false
	case []int:
		for _, e := range c {
			if anyEqual(e, x) {
				return true
			}
		}
		return false
	case map[string]any:
		k, ok := x.(string)
		if !ok {
			return false
		}
		_, has := c[k]
		return has
	case string:
		s, ok := x.(string)
		if !ok {
			Raise("TypeError", "'in <string>' requires string as left operand, not %s", pyTypeName(x))
		}
		return strings.Contains(c, s)
	case nil:
		Raise("TypeError", "argument of type 'NoneType' is not iterable")
	}
	Raise("TypeError", "argument of type '%s' is not iterable", pyTypeName(v))
	return false
}

// anyEqual is Python's == of two scalars of a config (numbers by value,
// bools as 0/1, strings by content).
func anyEqual(a, b any) bool {
	num := func(v any) (float64, bool) {
		switch x := v.(type) {
		case int:
			return float64(x), true
		case int64:
			return float64(x), true
		case float64:
			return x, true
		case float32:
			return float64(x), true
		case bool:
			if x {
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	if x, ok := num(a); ok {
		y, ok := num(b)
		return ok && x == y
	}
	if s, ok := a.(string); ok {
		t, ok := b.(string)
		return ok && s == t
	}
	return a == nil && b == nil
}

// CacheSlotsOf is CacheSlots where every target has the Go type T (the
// states of an ArraysCache unpacked into array locals): None is T's zero.
func CacheSlotsOf[T any](c any, n int) []T {
	out := make([]T, n)
	for i, v := range CacheSlots(c, n) {
		if v == nil {
			continue
		}
		x, ok := v.(T)
		if !ok {
			Raise("TypeError", "cache entry %d is a %s", i, typeName(v))
		}
		out[i] = x
	}
	return out
}
