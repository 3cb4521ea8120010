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
// goes ([None] * 2, (None, None)): an ArraysCache of n empty entries, which
// reads None at every index and stores what is assigned, as the list does.
func NoneSlots(n int) cache.Cache { return cache.NewArraysCache(n, nil) }

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
	if isNil(c) {
		return false
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
