package py

import (
	"cmp"
	"slices"
)

// Prod is math.prod over ints (1 for an empty iterable).
func Prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

// SetDefault is d.setdefault(k, def): the value under k, after storing def
// there when there was none.
func SetDefault[K comparable, V any](m map[K]V, k K, def V) V {
	if v, ok := m[k]; ok {
		return v
	}
	m[k] = def
	return def
}

// SortedPairKeys are the keys of a dict keyed by (int or str) pairs, in
// Python's tuple order: a Go map has no insertion order, and generated
// code iterates deterministically.
func SortedPairKeys[V any](m map[[2]any]V) [][2]any {
	keys := make([][2]any, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]any) int {
		for i := range a {
			if c := cmpScalar(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	return keys
}

// cmpScalar orders two ints or two strs (the elements of a tuple key).
func cmpScalar(a, b any) int {
	switch x := a.(type) {
	case int:
		if y, ok := b.(int); ok {
			return cmp.Compare(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return cmp.Compare(x, y)
		}
	}
	Raise("TypeError", "'<' not supported between %T and %T", a, b)
	return 0
}
