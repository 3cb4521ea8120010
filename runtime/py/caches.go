package py

// Caches: the adapters between Python's duck-typed caches and the Go
// interfaces of ported/cache.

import (
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/ported/rope"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// The cache calls below are what generated code emits today. They forward
// to the methods of ported/cache (cache.KV, cache.KeyValue) and to its
// ScaledDotProductAttention, which dispatches on the cache value; they hold
// no state of their own. New code calls the methods directly.

// Offset is cache.offset for a single-sequence cache.
func Offset(c cache.Cache) int {
	if o, ok := c.(interface{ Offset() int }); ok {
		return o.Offset()
	}
	Raise("AttributeError", "%s has no attribute 'offset'", className(c))
	return 0
}

// CacheOffset is cache.offset for any cache: an int for the single-sequence
// caches, a (B,) array for the batch caches (what RoPE and the mask take).
func CacheOffset(c cache.Cache) cache.Offset {
	o, err := cache.OffsetOf(c)
	if err != nil {
		Raise("AttributeError", "%v", err)
	}
	return o
}

// RoPE is rope(x, offset=cache.offset) for an offset that is an int or a
// per-sequence array.
func RoPE(r rope.Layer, x *mlx.Array, offset cache.Offset) *mlx.Array {
	if offset.IsArray() {
		return r.ForwardArray(x, offset.Array)
	}
	return r.Forward(x, offset.Int)
}

// UpdateAndFetch is cache.update_and_fetch(keys, values).
func UpdateAndFetch(c cache.Cache, keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	kv, ok := c.(cache.KeyValue)
	if !ok {
		Raise("AttributeError", "%s has no attribute 'update_and_fetch'", className(c))
	}
	return kv.UpdateAndFetch(keys, values)
}

// SDPA is base.scaled_dot_product_attention(queries, keys, values, cache,
// scale, mask, sinks), including its quantized-cache branch: c is a cache,
// or nil for None.
func SDPA(queries, keys, values *mlx.Array, c any, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array {
	cc, _ := c.(cache.Cache)
	return cache.ScaledDotProductAttention(queries, keys, values, cc, scale, mask, sinks)
}

func className(c cache.Cache) string {
	if c == nil {
		return "NoneType"
	}
	return c.ClassName()
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

// AsRoPE adapts a model class with a RoPE-like __call__(x, offset) (such as
// smollm3's NoPE) to the rope.Layer interface of the ported RoPEs.
func AsRoPE(m interface {
	Forward(x *mlx.Array, offset int) *mlx.Array
}) rope.Layer {
	return classRoPE{m}
}

type classRoPE struct {
	m interface {
		Forward(x *mlx.Array, offset int) *mlx.Array
	}
}

func (r classRoPE) Forward(x *mlx.Array, offset int) *mlx.Array { return r.m.Forward(x, offset) }

func (r classRoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	// Array offsets come from batched caches; the model class takes an int.
	n, err := offset.Item()
	if err != nil || offset.Size() != 1 {
		return mlx.Errorf("rope", "a per-sequence offset array is not supported by %T", r.m)
	}
	return r.m.Forward(x, int(n))
}
