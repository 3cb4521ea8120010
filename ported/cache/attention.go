// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d
// Ported from mlx_lm/models/base.py
// Upstream: mlx-lm 0.32.2
// Blob: 1ef51e7497ac5cfed17850aebe30008de048ba50

// This file is the cache side of base.scaled_dot_product_attention: its
// dispatch on hasattr(cache, "bits").

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// QuantizedAttention is a cache whose keys and values are quantized
// (Python's hasattr(cache, "bits")): attention over it runs on the
// quantized tuples it holds, not on arrays. QuantizedKVCache is one.
type QuantizedAttention interface {
	Cache
	QuantizedAttention(queries, keys, values *mlx.Array, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array
}

// ScaledDotProductAttention is base.scaled_dot_product_attention(queries,
// keys, values, cache, scale, mask, sinks), the attention call of every
// model: for a QuantizedAttention cache, quantized attention over the
// tuples that keys and values (what its UpdateAndFetch returned) stand for;
// for any other cache, or none (nil), mx.fast.scaled_dot_product_attention.
// The dispatch is on the cache value: nothing is looked up anywhere else.
func ScaledDotProductAttention(queries, keys, values *mlx.Array, c Cache, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array {
	if q, ok := c.(QuantizedAttention); ok && !isNil(q) {
		return q.QuantizedAttention(queries, keys, values, scale, mask, sinks)
	}
	return base.ScaledDotProductAttention(queries, keys, values, nil, scale, mask, sinks)
}

// isNil reports a typed nil pointer inside an interface.
func isNil(c Cache) bool {
	switch x := c.(type) {
	case nil:
		return true
	case *QuantizedKVCache:
		return x == nil
	}
	return false
}

// Offset is Python's cache.offset, which is an int for the single-sequence
// caches (KV) and a (B,) int32 array for the batch caches (BatchKV). Array
// is a fresh handle (nil for an int offset).
type Offset struct {
	Int   int
	Array *mlx.Array
}

// IsArray reports a per-sequence (batch) offset.
func (o Offset) IsArray() bool { return o.Array != nil }

// Free releases the array of a batch offset.
func (o Offset) Free() { o.Array.Free() }

// OffsetOf is cache.offset for any cache that has one.
func OffsetOf(c Cache) (Offset, error) {
	switch x := c.(type) {
	case KV:
		return Offset{Int: x.Offset()}, nil
	case BatchKV:
		return Offset{Array: x.Offset()}, nil
	case nil:
		return Offset{}, fmt.Errorf("cache is None: it has no attribute 'offset'")
	}
	return Offset{}, fmt.Errorf("%s has no attribute 'offset'", c.ClassName())
}
