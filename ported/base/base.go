// Ported from mlx_lm/models/base.py
// Upstream: mlx-lm 0.32.2
// Blob: 1ef51e7497ac5cfed17850aebe30008de048ba50

// Package base is a hand port of mlx-lm's base.py (model-argument parsing,
// attention masks, scaled dot-product attention including the quantized-KV
// path) and activations.py.
//
// A mask is an mlx.AttentionMask, which keeps Python's three cases apart:
// the zero value is None, mlx.CausalMask is "causal", and mlx.MaskArray(m)
// is an array (boolean: true attends; otherwise added to the scores).
package base

import (
	"github.com/hf2go/hf2go/runtime/mlx"
)

// CausalMaskOpts are create_causal_mask's optional arguments.
type CausalMaskOpts struct {
	Offset int
	// WindowSize 0 is None (no window). A window of 0 would mask everything
	// and no caller asks for one.
	WindowSize int
	// RightPadding and LeftPadding are (B,) arrays or nil (None).
	RightPadding, LeftPadding *mlx.Array
}

// CreateCausalMask is create_causal_mask(N, offset, window_size,
// right_padding, left_padding): a boolean (N, offset+N) mask, or
// (B, 1, N, offset+N) when padding is given.
func CreateCausalMask(n int, o CausalMaskOpts) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	rinds := mlx.Arange(0, float64(o.Offset+n), 1, mlx.Int32)
	linds := rinds
	if o.Offset != 0 {
		linds = mlx.Arange(float64(o.Offset), float64(o.Offset+n), 1, mlx.Int32)
	}
	linds = linds.Index(mlx.Colon, mlx.NewAxis)
	rinds = rinds.Index(mlx.NewAxis)
	mask := mlx.GreaterEqual(linds, rinds)
	if o.WindowSize != 0 {
		mask = mlx.LogicalAnd(mask, mlx.Less(linds, mlx.Add(rinds, mlx.Int(o.WindowSize))))
	}
	if o.RightPadding != nil {
		lim := mlx.ExpandDims(mlx.Subtract(mlx.Int(o.Offset+n), o.RightPadding), 1, 2, 3)
		// (offset + N) - right_padding: the int comes first in Python, so it
		// takes right_padding's dtype; Subtract's scalar handling does the same.
		mask = mlx.LogicalAnd(mask, mlx.Less(rinds, lim))
	}
	if o.LeftPadding != nil {
		mask = mlx.LogicalAnd(mask, mlx.LessEqual(mlx.ExpandDims(o.LeftPadding, 1, 2, 3), rinds))
	}
	s.Keep(mask)
	return mask
}

// MaskOpts are the keyword arguments a cache's make_mask receives.
type MaskOpts struct {
	WindowSize  int // 0 is None
	ReturnArray bool
}

// MaskMaker is a cache with make_mask (Python's hasattr(cache, "make_mask")).
// Caches whose Python make_mask takes only N (ArraysCache) ignore the options.
type MaskMaker interface {
	MakeMask(n int, o MaskOpts) mlx.AttentionMask
}

// CreateAttentionMask is create_attention_mask(h, cache, window_size,
// return_array). cache may be nil (None) or any cache; only one that is a
// MaskMaker is asked for the mask.
func CreateAttentionMask(h *mlx.Array, cache any, o MaskOpts) mlx.AttentionMask {
	n := h.Dim(1)
	if err := h.Err(); err != nil {
		return mlx.MaskArray(mlx.Errorf("create_attention_mask", "%v", err))
	}
	if mm, ok := cache.(MaskMaker); ok && !isNilCache(cache) {
		return mm.MakeMask(n, o)
	}
	if n == 1 {
		return mlx.NoMask
	}
	if o.ReturnArray || (o.WindowSize != 0 && n > o.WindowSize) {
		return mlx.MaskArray(CreateCausalMask(n, CausalMaskOpts{WindowSize: o.WindowSize}))
	}
	return mlx.CausalMask
}

// CreateSSMMask is create_ssm_mask(h, cache): the cache's make_mask(N), or None.
func CreateSSMMask(h *mlx.Array, cache any) mlx.AttentionMask {
	if mm, ok := cache.(MaskMaker); ok && !isNilCache(cache) {
		return mm.MakeMask(h.Dim(1), MaskOpts{})
	}
	return mlx.NoMask
}

// isNilCache reports a typed nil pointer in an interface (Python's `if cache`
// on None).
func isNilCache(c any) bool {
	if c == nil {
		return true
	}
	if n, ok := c.(interface{ IsNil() bool }); ok {
		return n.IsNil()
	}
	return false
}

// QuantizedCache is a cache that stores quantized keys and values
// (Python's hasattr(cache, "bits")).
type QuantizedCache interface {
	QuantGroupSize() int
	QuantBits() int
}

// QuantizedScaledDotProductAttention is quantized_scaled_dot_product_attention:
// attention over keys and values stored as mx.quantize tuples.
func QuantizedScaledDotProductAttention(queries *mlx.Array, qKeys, qValues mlx.Quantized, scale float64,
	mask mlx.AttentionMask, groupSize, bits int) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	if err := queries.Err(); err != nil {
		return mlx.Errorf("quantized_scaled_dot_product_attention", "%v", err)
	}
	shape := queries.Shape()
	if len(shape) != 4 {
		return mlx.Errorf("quantized_scaled_dot_product_attention", "queries must be (B, H, L, D), got %v", shape)
	}
	b, nQHeads, l, d := shape[0], shape[1], shape[2], shape[3]
	nKVHeads := qKeys.Weight.Dim(-3)
	if nKVHeads == 0 || nQHeads%nKVHeads != 0 {
		return mlx.Errorf("quantized_scaled_dot_product_attention", "%d query heads for %d kv heads", nQHeads, nKVHeads)
	}
	nRepeats := nQHeads / nKVHeads

	queries = mlx.Multiply(queries, mlx.Float(scale))
	if nRepeats > 1 {
		queries = mlx.Reshape(queries, b, nKVHeads, nRepeats, l, d)
		qKeys = expandQuant(qKeys)
		qValues = expandQuant(qValues)
	}
	scores := mlx.QuantizedMatmul(queries, qKeys.Weight, qKeys.Scales, qKeys.Biases, true, groupSize, bits, "affine")
	if mask.Causal || mask.Array != nil {
		m := mask.Array
		if mask.Causal {
			qL, kL := scores.Dim(-2), scores.Dim(-1)
			qIdx := mlx.Arange(float64(kL-qL), float64(kL), 1, mlx.Int32)
			kIdx := mlx.Arange(0, float64(kL), 1, mlx.Int32)
			m = mlx.GreaterEqual(qIdx.Index(mlx.Colon, mlx.NewAxis), kIdx.Index(mlx.NewAxis))
		}
		// A (B, 1 or H_kv, L, S) mask meets (B, H_kv, n_repeats, L, S) scores: give
		// it the repeats axis (new in 0.32).
		if nRepeats > 1 && m.Ndim() > 3 {
			m = mlx.ExpandDims(m, -3)
		}
		if m.Dtype() == mlx.Bool {
			fi, err := mlx.FinfoOf(scores.Dtype())
			if err != nil {
				return mlx.Errorf("quantized_scaled_dot_product_attention", "%v", err)
			}
			scores = mlx.Where(m, scores, mlx.Float(fi.Min))
		} else {
			scores = mlx.Add(scores, m)
		}
	}
	scores = mlx.Softmax(scores, true, -1)
	out := mlx.QuantizedMatmul(scores, qValues.Weight, qValues.Scales, qValues.Biases, false, groupSize, bits, "affine")
	if nRepeats > 1 {
		out = mlx.Reshape(out, b, nQHeads, l, d)
	}
	s.Keep(out)
	return out
}

func expandQuant(q mlx.Quantized) mlx.Quantized {
	out := mlx.Quantized{Weight: mlx.ExpandDims(q.Weight, -3), Scales: mlx.ExpandDims(q.Scales, -3)}
	if q.Biases != nil {
		out.Biases = mlx.ExpandDims(q.Biases, -3)
	}
	return out
}

// GatherLastAxis is gather_last_axis(x, group): the last axis of x is split
// across the ranks of group; every rank gets the whole axis, in rank order.
func GatherLastAxis(x *mlx.Array, group *mlx.Group) *mlx.Array {
	if err := x.Err(); err != nil {
		return mlx.Errorf("gather_last_axis", "%v", err)
	}
	if group == nil {
		return mlx.Errorf("gather_last_axis", "nil group")
	}
	s := mlx.NewScope()
	defer s.Close()
	shape := x.Shape()
	if len(shape) == 0 {
		return mlx.Errorf("gather_last_axis", "x is a scalar")
	}
	n, size := group.Size(), shape[len(shape)-1]
	parts := mlx.AllGather(mlx.Reshape(x, -1, size), group)
	// (ranks * rows, size) to (rows, ranks * size), in rank order.
	parts = mlx.Transpose(mlx.Reshape(parts, n, -1, size), 1, 0, 2)
	out := mlx.Reshape(parts, append(append([]int{}, shape[:len(shape)-1]...), n*size)...)
	s.Keep(out)
	return out
}

// ScaledDotProductAttention is scaled_dot_product_attention for a cache that
// returns plain keys and values: mx.fast.scaled_dot_product_attention. The
// quantized branch of the Python function is ScaledDotProductAttentionQuantized,
// because in Go the keys' type differs (arrays vs quantized tuples). Passing a
// QuantizedCache here is an error rather than a silent wrong path.
func ScaledDotProductAttention(queries, keys, values *mlx.Array, cache any, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array {
	if _, ok := cache.(QuantizedCache); ok && !isNilCache(cache) {
		return mlx.Errorf("scaled_dot_product_attention", "cache %T is quantized: its keys are quantized tuples; use ScaledDotProductAttentionQuantized", cache)
	}
	return mlx.ScaledDotProductAttention(queries, keys, values, float32(scale), mask, sinks)
}

// ScaledDotProductAttentionQuantized is scaled_dot_product_attention's
// hasattr(cache, "bits") branch.
func ScaledDotProductAttentionQuantized(queries *mlx.Array, keys, values mlx.Quantized, cache QuantizedCache, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array {
	if sinks != nil {
		return mlx.Errorf("scaled_dot_product_attention", "Quantized SDPA does not support attention sinks.")
	}
	if cache == nil {
		return mlx.Errorf("scaled_dot_product_attention", "nil quantized cache")
	}
	return QuantizedScaledDotProductAttention(queries, keys, values, scale, mask, cache.QuantGroupSize(), cache.QuantBits())
}
