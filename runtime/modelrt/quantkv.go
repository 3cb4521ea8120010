package modelrt

import (
	"sync"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/py"
)

// Quantized KV caches. In Python, a QuantizedKVCache's update_and_fetch
// returns (weights, scales, biases) tuples that flow, untouched, from
// `keys, values = cache.update_and_fetch(...)` into
// scaled_dot_product_attention, which sees hasattr(cache, "bits") and takes
// the quantized path. Generated Go code types keys and values as arrays, so
// UpdateAndFetch hands back lazily dequantized arrays (never computed unless
// the model reads them) and keeps the tuples with the cache, where SDPA finds
// them: the same computation as Python's, on the same quantized data.

var fetched sync.Map // *cache.QuantizedKVCache → quantFetch

type quantFetch struct{ keys, values mlx.Quantized }

func updateQuantized(c *cache.QuantizedKVCache, keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	qk, qv, err := c.UpdateAndFetch(keys, values)
	if err != nil {
		py.Raise("ValueError", "%v", err)
	}
	if old, ok := fetched.Swap(c, quantFetch{qk, qv}); ok {
		o := old.(quantFetch)
		for _, a := range []*mlx.Array{o.keys.Weight, o.keys.Scales, o.keys.Biases, o.values.Weight, o.values.Scales, o.values.Biases} {
			a.Free()
		}
	}
	gs, bits := c.QuantGroupSize(), c.QuantBits()
	k := mlx.Dequantize(qk.Weight, qk.Scales, qk.Biases, gs, bits, "affine", -1)
	v := mlx.Dequantize(qv.Weight, qv.Scales, qv.Biases, gs, bits, "affine", -1)
	return k, v
}

// SDPA is base.scaled_dot_product_attention(queries, keys, values, cache,
// scale, mask, sinks), including its quantized-cache branch.
func SDPA(queries, keys, values *mlx.Array, c any, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array {
	if qc, ok := c.(*cache.QuantizedKVCache); ok && qc != nil {
		f, ok := fetched.Load(qc)
		if !ok {
			py.Raise("ValueError", "quantized cache used by attention before update_and_fetch")
		}
		q := f.(quantFetch)
		return base.ScaledDotProductAttentionQuantized(queries, q.keys, q.values, qc, scale, mask, sinks)
	}
	return base.ScaledDotProductAttention(queries, keys, values, c, scale, mask, sinks)
}
