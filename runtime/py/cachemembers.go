package py

import (
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

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
	case noneList:
		return CacheMembers(x.ArraysCache)
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

// CacheKeys is cache.keys of a KVCache: the whole key buffer (its capacity
// grows in steps of 256 positions), nil before the first update. Other
// classes keep their buffers in another form (a RotatingKVCache's state is
// cut at the offset, a QuantizedKVCache's keys are a tuple): asking them is
// an error here rather than a value Python would not give.
func CacheKeys(c cache.Cache) *mlx.Array { return kvBuffer(c, "keys", 0) }

// CacheValues is cache.values of a KVCache (see CacheKeys).
func CacheValues(c cache.Cache) *mlx.Array { return kvBuffer(c, "values", 1) }

// SetCacheKeys is `cache.keys = v` on a KVCache: the buffer replaced, the
// offset kept (deepseek_v32 makes its indexer's keys depend on other arrays,
// and its values a zero buffer of the keys' shape, so that the graph does
// not grow).
func SetCacheKeys(c cache.Cache, v *mlx.Array) { setKVBuffer(c, "keys", 0, v) }

// SetCacheValues is `cache.values = v` on a KVCache (see SetCacheKeys).
func SetCacheValues(c cache.Cache, v *mlx.Array) { setKVBuffer(c, "values", 1, v) }

func kvCache(c cache.Cache, attr string) *cache.KVCache {
	kv, ok := c.(*cache.KVCache)
	if !ok || kv == nil {
		if c == nil {
			Raise("AttributeError", "'NoneType' object has no attribute '%s'", attr)
		}
		Raise("NotImplementedError", "%s.%s: only a KVCache's buffers are translated", typeName(c), attr)
	}
	return kv
}

func kvBuffer(c cache.Cache, attr string, i int) *mlx.Array {
	s := kvCache(c, attr).State()
	a, _ := s[i].(*mlx.Array)
	return a
}

func setKVBuffer(c cache.Cache, attr string, i int, v *mlx.Array) {
	kv := kvCache(c, attr)
	s := kv.State()
	s[i] = v
	if err := kv.SetState(s); err != nil {
		Raise("ValueError", "%s.%s: %v", typeName(c), attr, err)
	}
}

// CacheMaybeTrimFront is cache.maybe_trim_front() of a ChunkedKVCache
// (llama4's chunked-attention layers); other classes have no such method.
// c is any: a per-layer cache or a cache entry (CacheSlot).
func CacheMaybeTrimFront(c any) {
	chunkedCache(c, "maybe_trim_front").MaybeTrimFront()
}

// CacheStartPosition is cache.start_position of a ChunkedKVCache.
func CacheStartPosition(c any) int {
	return chunkedCache(c, "start_position").StartPosition()
}

func chunkedCache(c any, attr string) *cache.ChunkedKVCache {
	cc, ok := c.(*cache.ChunkedKVCache)
	if !ok || cc == nil {
		Raise("AttributeError", "'%s' object has no attribute '%s'", typeName(c), attr)
	}
	return cc
}
