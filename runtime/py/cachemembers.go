package py

import "github.com/hf2go/hf2go/ported/cache"

// CacheMembers is one layer's cache value where the Python indexes it as a
// sequence of caches (`cache[i]` for i in range(n), `for c in cache`): the
// members of a CacheList, or, for the tuple of Nones a model stands in when
// it runs without caches (an ArraysCache of empty entries, see NoneSlots),
// that many Nones. None stays None (a nil list, so `cache is None` holds).
// Any other class is Python's TypeError of subscripting it.
func CacheMembers(c cache.Cache) []cache.Cache {
	switch x := c.(type) {
	case nil:
		return nil
	case *cache.CacheList:
		if x == nil {
			return nil
		}
		out := make([]cache.Cache, x.Len())
		for i := range out {
			out[i] = x.Get(i)
		}
		return out
	case *cache.ArraysCache:
		if x == nil {
			return nil
		}
		out := make([]cache.Cache, x.Len())
		for i := range out {
			if x.Get(i) != nil {
				// An array entry is no cache: Python would pass the array on.
				Raise("TypeError", "expected a cache, got array")
			}
		}
		return out
	}
	Raise("TypeError", "'%s' object is not subscriptable", typeName(c))
	return nil
}
