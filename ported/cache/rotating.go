// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// RotatingKVCache is cache.RotatingKVCache: at most max_size positions (plus
// S-1 during a multi-token update), the first keep of them never evicted.
type RotatingKVCache struct {
	keys, values *mlx.Array
	keep         int
	maxSize      int
	offset       int
	idx          int // Python's _idx: the write position in the ring
}

// NewRotatingKVCache is RotatingKVCache(max_size, keep).
func NewRotatingKVCache(maxSize, keep int) *RotatingKVCache {
	return &RotatingKVCache{maxSize: maxSize, keep: keep}
}

func (c *RotatingKVCache) Offset() int           { return c.offset }
func (c *RotatingKVCache) MaxSize() int          { return c.maxSize }
func (c *RotatingKVCache) Keep() int             { return c.keep }
func (c *RotatingKVCache) ClassName() string     { return "RotatingKVCache" }
func (c *RotatingKVCache) Empty() bool           { return c.keys == nil }
func (c *RotatingKVCache) Size() int             { return min(c.offset, c.maxSize) }
func (c *RotatingKVCache) IsTrimmable() bool     { return c.offset < c.maxSize }
func (c *RotatingKVCache) Handles() []*mlx.Array { return nonNil(c.keys, c.values) }
func (c *RotatingKVCache) Nbytes() int           { return nbytes(c.keys, c.values) }

// trim is RotatingKVCache._trim: drop trim_size positions after the kept
// prefix and append.
func (c *RotatingKVCache) trim(trimSize int, v, appendV *mlx.Array) *mlx.Array {
	var parts []*mlx.Array
	var owned []*mlx.Array
	if trimSize > 0 {
		a := sliceSeq(v, mlx.None, c.keep)
		b := sliceSeq(v, trimSize+c.keep, mlx.None)
		parts = []*mlx.Array{a, b}
		owned = parts
	} else {
		parts = []*mlx.Array{v}
	}
	if appendV != nil {
		parts = append(parts, appendV)
	}
	out := mlx.Concatenate(parts, 2)
	for _, a := range owned {
		a.Free()
	}
	return out
}

// temporalOrder is _temporal_order: the ring unrolled into time order, the
// unused end sliced off. It returns a fresh array.
func (c *RotatingKVCache) temporalOrder(v *mlx.Array) *mlx.Array {
	switch {
	case c.idx == v.Dim(2):
		return alias(v)
	case c.idx < c.offset:
		a := sliceSeq(v, mlx.None, c.keep)
		b := sliceSeq(v, c.idx, mlx.None)
		d := sliceSeq(v, c.keep, c.idx)
		out := mlx.Concatenate([]*mlx.Array{a, b, d}, 2)
		a.Free()
		b.Free()
		d.Free()
		return out
	default:
		return sliceSeq(v, mlx.None, c.idx)
	}
}

func (c *RotatingKVCache) updateConcat(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		set(&c.keys, alias(keys))
		set(&c.values, alias(values))
	} else {
		set(&c.keys, c.temporalOrder(c.keys))
		set(&c.values, c.temporalOrder(c.values))
		c.idx = c.keys.Dim(2)
		// The largest size is max_size + S - 1 so that every token gets at
		// least max_size positions of context.
		trimSize := c.idx - c.maxSize + 1
		set(&c.keys, c.trim(trimSize, c.keys, keys))
		set(&c.values, c.trim(trimSize, c.values, values))
	}
	c.offset += keys.Dim(2)
	c.idx = c.keys.Dim(2)
	return alias(c.keys), alias(c.values)
}

func (c *RotatingKVCache) updateInPlace(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	ks := keys.Shape()
	B, H, S, Dk := ks[0], ks[1], ks[2], ks[3]
	prev := c.offset
	if c.keys == nil || (prev >= c.keys.Dim(2) && c.keys.Dim(2) < c.maxSize) {
		Dv := values.Dim(3)
		newSize := min(step, c.maxSize-prev)
		newK := mlx.Zeros(keys.Dtype(), B, H, newSize, Dk)
		newV := mlx.Zeros(values.Dtype(), B, H, newSize, Dv)
		if c.keys != nil {
			set(&c.keys, mlx.Concatenate([]*mlx.Array{c.keys, newK}, 2))
			set(&c.values, mlx.Concatenate([]*mlx.Array{c.values, newV}, 2))
			newK.Free()
			newV.Free()
		} else {
			set(&c.keys, newK)
			set(&c.values, newV)
		}
		c.idx = prev
	}
	if trimSize := c.keys.Dim(2) - c.maxSize; trimSize > 0 {
		set(&c.keys, c.trim(trimSize, c.keys, nil))
		set(&c.values, c.trim(trimSize, c.values, nil))
		c.idx = c.maxSize
	}
	if c.idx == c.maxSize { // rotate
		c.idx = c.keep
	}
	set(&c.keys, c.keys.SetIndex(keys, mlx.Ellipsis, seq(c.idx, c.idx+S), mlx.Colon))
	set(&c.values, c.values.SetIndex(values, mlx.Ellipsis, seq(c.idx, c.idx+S), mlx.Colon))
	c.offset += S
	c.idx += S
	return c.KeysAndValues()
}

// UpdateAndFetch is RotatingKVCache.update_and_fetch: single tokens go into
// the ring in place, longer updates are concatenated in temporal order.
func (c *RotatingKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return errPair(err)
	}
	if keys.Dim(2) == 1 {
		return c.updateInPlace(keys, values)
	}
	return c.updateConcat(keys, values)
}

// KeysAndValues is RotatingKVCache.keys_and_values: the ring, cut at
// offset until it has filled (ring order, not temporal order).
func (c *RotatingKVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	return headOrAll(c.ClassName(), c.keys, c.values, c.offset)
}

// State is (keys, values, offset, keep, max_size, _idx), the ring whole.
func (c *RotatingKVCache) State() State {
	return State{alias(c.keys), alias(c.values), c.offset, c.keep, c.maxSize, c.idx}
}

// SetState is the state setter.
func (c *RotatingKVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(6) {
		return r.err
	}
	k, v := r.array(0, true), r.array(1, true)
	off, keep, maxSize, idx := r.int(2), r.int(3), r.int(4), r.int(5)
	if err := r.pair(0, 1); err != nil {
		return err
	}
	set(&c.keys, alias(k))
	set(&c.values, alias(v))
	c.offset, c.keep, c.maxSize, c.idx = off, keep, maxSize, idx
	return nil
}

// Copy is copy.deepcopy.
func (c *RotatingKVCache) Copy() Cache {
	return &RotatingKVCache{keys: alias(c.keys), values: alias(c.values), keep: c.keep, maxSize: c.maxSize,
		offset: c.offset, idx: c.idx}
}

// Trim is RotatingKVCache.trim.
func (c *RotatingKVCache) Trim(n int) int {
	n = min(c.offset, n)
	c.offset -= n
	c.idx -= n
	return n
}

// ToQuantized is not implemented upstream either.
func (c *RotatingKVCache) ToQuantized(groupSize, bits int) (*QuantizedKVCache, error) {
	return nil, fmt.Errorf("RotatingKVCache Quantization NYI")
}

// MakeMask is RotatingKVCache.make_mask.
func (c *RotatingKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	if n > 1 {
		window := o.WindowSize
		if window == 0 {
			window = c.maxSize
		}
		offset := min(c.maxSize-1, c.offset)
		if offset+n > window || o.ReturnArray {
			return mlx.MaskArray(base.CreateCausalMask(n, base.CausalMaskOpts{Offset: offset, WindowSize: window}))
		}
		return mlx.CausalMask
	}
	if o.WindowSize == 0 {
		return mlx.NoMask
	}
	// A mask is needed when window_size < max_size.
	if c.offset >= o.WindowSize && c.maxSize > o.WindowSize {
		idx := c.idx
		if idx >= c.maxSize {
			idx = 0
		}
		maskSize := c.maxSize
		if c.offset < c.maxSize {
			maskSize = c.offset + 1
		}
		ar := mlx.Arange(0, float64(maskSize), 1, mlx.Int32)
		m := mlx.GreaterEqual(ar, mlx.Int(maskSize-o.WindowSize))
		ar.Free()
		out := roll(m, idx+1, -1)
		m.Free()
		return mlx.MaskArray(out)
	}
	return mlx.NoMask
}

// roll is mx.roll(a, shift, axis), written as MLX writes it: the
// concatenation of the last shift elements and the rest.
func roll(a *mlx.Array, shift, axis int) *mlx.Array {
	n := a.Dim(axis)
	if n == 0 {
		return alias(a)
	}
	s := ((shift % n) + n) % n
	if axis < 0 {
		axis += a.Ndim()
	}
	idx := func(start, stop int) []any {
		out := make([]any, axis+1)
		for i := range axis {
			out[i] = mlx.Colon
		}
		out[axis] = mlx.Slice(start, stop, 1)
		return out
	}
	tail := a.Index(idx(n-s, n)...)
	head := a.Index(idx(0, n-s)...)
	out := mlx.Concatenate([]*mlx.Array{tail, head}, axis)
	tail.Free()
	head.Free()
	return out
}
