// Package modelrt is what generated model code calls that is neither an MLX
// op nor a port of mlx-lm: small adapters between Python's duck typing and
// the Go interfaces of ported/cache.
package modelrt

import (
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/py"
)

// Offset is cache.offset.
func Offset(c cache.Cache) int {
	if o, ok := c.(interface{ Offset() int }); ok {
		return o.Offset()
	}
	py.Raise("AttributeError", "%s has no attribute 'offset'", c.ClassName())
	return 0
}

// UpdateAndFetch is cache.update_and_fetch(keys, values).
func UpdateAndFetch(c cache.Cache, keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	kv, ok := c.(cache.KV)
	if !ok {
		py.Raise("AttributeError", "%s has no attribute 'update_and_fetch'", c.ClassName())
	}
	return kv.UpdateAndFetch(keys, values)
}

// Caches converts a list of concrete caches into the interface list the
// registry passes around ([KVCache() for ...] in make_cache).
func Caches[T cache.Cache](cs []T) []cache.Cache {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}
