// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 71aa0126d28fd463ad1bfabba8e9b3770557e4dd

// Package cache is a hand port of mlx-lm's cache.py: the KV caches models
// attend through, prompt-cache files in mlx-lm's own format, trimming.
//
// Class and attribute names follow Python (KVCache, RotatingKVCache, ...,
// offset is Offset()). Two things differ because Go has explicit lifetime:
//
//   - A cache owns the arrays it holds. It never keeps the caller's handle
//     (it stores a fresh handle to the same data), frees its old arrays when it
//     replaces them, and every array it returns is a fresh handle the caller may
//     Free. Inside an mlx.Scope, keep the cache's arrays with
//     s.Keep(c.Handles()...) before closing the scope.
//   - Python's update_and_fetch returns arrays for most caches and quantized
//     tuples for QuantizedKVCache; in Go those are two methods on two types.
package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Cache is what every class of cache.py provides (_BaseCache's interface).
type Cache interface {
	// State is Python's state property, flattened in tree_flatten order
	// (StateKeys gives each element's key below the cache's index).
	State() []*mlx.Array
	// SetState is the state setter (used by from_state when loading).
	SetState(state []*mlx.Array) error
	// StateKeys are the tree_flatten keys of State's elements ("0", "1" for
	// a (keys, values) tuple; "0.0" ... "1.2" for quantized tuples).
	StateKeys() []string
	// MetaState is Python's meta_state: nil for the "" of caches without one.
	MetaState() []string
	SetMetaState(meta []string) error
	IsTrimmable() bool
	// Trim drops up to n tokens from the end and returns how many it dropped.
	Trim(n int) int
	Size() int
	Empty() bool
	// Nbytes is the bytes held by the state arrays.
	Nbytes() int
	// ClassName is type(c).__name__, what prompt-cache files record.
	ClassName() string
	// Handles are the arrays the cache holds, for mlx.Scope.Keep.
	Handles() []*mlx.Array
}

// KV is a cache that models update with plain keys and values.
type KV interface {
	Cache
	UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array)
}

// step is the growth quantum of the preallocating caches (Python's step).
const step = 256

// ---- helpers on (B, H, S, D) arrays: Python's v[..., a:b, :] ----

func seq(start, stop int) mlx.SliceIndex { return mlx.Slice(start, stop, 1) }

// sliceSeq is v[..., start:stop, :]; pass mlx.None for an omitted bound.
func sliceSeq(v *mlx.Array, start, stop int) *mlx.Array {
	return v.Index(mlx.Ellipsis, seq(start, stop), mlx.Colon)
}

// alias is a fresh handle to the same data (a no-op reshape), so the caller's
// and the cache's handles can be freed independently.
func alias(v *mlx.Array) *mlx.Array {
	if v == nil {
		return nil
	}
	return v.Index(mlx.Ellipsis)
}

// set replaces *slot with a, freeing the old array (the cache owns it).
func set(slot **mlx.Array, a *mlx.Array) {
	if *slot != nil && *slot != a {
		(*slot).Free()
	}
	*slot = a
}

func nbytes(arrs ...*mlx.Array) int {
	n := 0
	for _, a := range arrs {
		if a != nil {
			n += a.Nbytes()
		}
	}
	return n
}

func nonNil(arrs ...*mlx.Array) []*mlx.Array {
	out := make([]*mlx.Array, 0, len(arrs))
	for _, a := range arrs {
		if a != nil {
			out = append(out, a)
		}
	}
	return out
}

func seqKeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

func parseInts(meta []string, want int, class string) ([]int, error) {
	if len(meta) != want {
		return nil, fmt.Errorf("%s: meta_state has %d entries, want %d", class, len(meta), want)
	}
	out := make([]int, want)
	for i, s := range meta {
		var v int
		if _, err := fmt.Sscan(s, &v); err != nil {
			return nil, fmt.Errorf("%s: meta_state[%d] = %q is not an int", class, i, s)
		}
		out[i] = v
	}
	return out, nil
}

// createAttentionMask is cache.py's module-level create_attention_mask(N,
// offset, return_array, window_size) (not base's).
func createAttentionMask(n, offset int, o base.MaskOpts) mlx.AttentionMask {
	if n == 1 {
		return mlx.NoMask
	}
	if o.ReturnArray {
		return mlx.MaskArray(base.CreateCausalMask(n, base.CausalMaskOpts{Offset: offset, WindowSize: o.WindowSize}))
	}
	return mlx.CausalMask
}

// noMeta is _BaseCache's meta_state setter: only "" (nil here) is accepted.
func noMeta(class string, meta []string) error {
	if len(meta) > 0 {
		return fmt.Errorf("%s: this cache has no meta_state but a meta_state was set", class)
	}
	return nil
}

// ---- KVCache ----

// KVCache is cache.KVCache: preallocated in steps of 256 positions.
type KVCache struct {
	keys, values *mlx.Array
	offset       int
}

// NewKVCache is KVCache().
func NewKVCache() *KVCache { return &KVCache{} }

func (c *KVCache) Offset() int           { return c.offset }
func (c *KVCache) ClassName() string     { return "KVCache" }
func (c *KVCache) Empty() bool           { return c.keys == nil }
func (c *KVCache) Size() int             { return c.offset }
func (c *KVCache) IsTrimmable() bool     { return true }
func (c *KVCache) Handles() []*mlx.Array { return nonNil(c.keys, c.values) }
func (c *KVCache) Nbytes() int           { return nbytes(c.keys, c.values) }
func (c *KVCache) StateKeys() []string   { return seqKeys(2) }
func (c *KVCache) MetaState() []string   { return nil }
func (c *KVCache) SetMetaState(m []string) error {
	return noMeta(c.ClassName(), m)
}

// UpdateAndFetch is KVCache.update_and_fetch.
func (c *KVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	k, v, off := growAndWrite(&c.keys, &c.values, c.offset, keys, values)
	c.offset = off
	return k, v
}

// growAndWrite is the body shared by KVCache, ChunkedKVCache (with prev
// shifted by start_position) and BatchKVCache: grow the buffers in steps when
// prev+S does not fit, write keys at prev, return [..., :prev+S, :].
func growAndWrite(ck, cv **mlx.Array, prev int, keys, values *mlx.Array) (*mlx.Array, *mlx.Array, int) {
	if err := keys.Err(); err != nil {
		return keys, keys, prev
	}
	if err := values.Err(); err != nil {
		return values, values, prev
	}
	ks, vs := keys.Shape(), values.Shape()
	if len(ks) != 4 || len(vs) != 4 {
		e := mlx.Errorf("update_and_fetch", "keys and values must be (B, H, S, D), got %v and %v", ks, vs)
		return e, e, prev
	}
	S := ks[2]
	if *ck == nil || prev+S > (*ck).Dim(2) {
		nSteps := (step + S - 1) / step
		newK := mlx.Zeros(keys.Dtype(), ks[0], ks[1], nSteps*step, ks[3])
		newV := mlx.Zeros(values.Dtype(), vs[0], vs[1], nSteps*step, vs[3])
		if *ck != nil {
			if prev%step != 0 {
				set(ck, sliceSeq(*ck, mlx.None, prev))
				set(cv, sliceSeq(*cv, mlx.None, prev))
			}
			set(ck, mlx.Concatenate([]*mlx.Array{*ck, newK}, 2))
			set(cv, mlx.Concatenate([]*mlx.Array{*cv, newV}, 2))
			newK.Free()
			newV.Free()
		} else {
			set(ck, newK)
			set(cv, newV)
		}
	}
	end := prev + S
	set(ck, (*ck).SetIndex(keys, mlx.Ellipsis, seq(prev, end), mlx.Colon))
	set(cv, (*cv).SetIndex(values, mlx.Ellipsis, seq(prev, end), mlx.Colon))
	return sliceSeq(*ck, mlx.None, end), sliceSeq(*cv, mlx.None, end), end
}

// State is KVCache.state: keys and values up to offset.
func (c *KVCache) State() []*mlx.Array {
	if c.keys == nil {
		return nil
	}
	if c.offset == c.keys.Dim(2) {
		return []*mlx.Array{alias(c.keys), alias(c.values)}
	}
	return []*mlx.Array{sliceSeq(c.keys, mlx.None, c.offset), sliceSeq(c.values, mlx.None, c.offset)}
}

// SetState is the KVCache.state setter; offset becomes the keys' length.
func (c *KVCache) SetState(s []*mlx.Array) error {
	if len(s) != 2 {
		return fmt.Errorf("KVCache: state has %d arrays, want 2", len(s))
	}
	set(&c.keys, alias(s[0]))
	set(&c.values, alias(s[1]))
	c.offset = c.keys.Dim(2)
	return nil
}

// Trim is KVCache.trim.
func (c *KVCache) Trim(n int) int {
	n = min(c.offset, n)
	c.offset -= n
	return n
}

// MakeMask is KVCache.make_mask.
func (c *KVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	return createAttentionMask(n, c.offset, o)
}

// ToQuantized is KVCache.to_quantized.
func (c *KVCache) ToQuantized(groupSize, bits int) (*QuantizedKVCache, error) {
	q := NewQuantizedKVCache(groupSize, bits)
	q.offset = c.offset
	if c.keys != nil {
		k, err := mlx.Quantize(c.keys, groupSize, bits, "affine")
		if err != nil {
			return nil, err
		}
		v, err := mlx.Quantize(c.values, groupSize, bits, "affine")
		if err != nil {
			return nil, err
		}
		q.keys, q.values = &k, &v
	}
	return q, nil
}

// ---- ConcatenateKVCache ----

// ConcatenateKVCache is cache.ConcatenateKVCache: grows by concatenation.
type ConcatenateKVCache struct {
	keys, values *mlx.Array
	offset       int
}

// NewConcatenateKVCache is ConcatenateKVCache().
func NewConcatenateKVCache() *ConcatenateKVCache { return &ConcatenateKVCache{} }

func (c *ConcatenateKVCache) Offset() int           { return c.offset }
func (c *ConcatenateKVCache) ClassName() string     { return "ConcatenateKVCache" }
func (c *ConcatenateKVCache) Empty() bool           { return c.keys == nil }
func (c *ConcatenateKVCache) Size() int             { return 0 } // _BaseCache.size
func (c *ConcatenateKVCache) IsTrimmable() bool     { return true }
func (c *ConcatenateKVCache) Handles() []*mlx.Array { return nonNil(c.keys, c.values) }
func (c *ConcatenateKVCache) Nbytes() int           { return nbytes(c.keys, c.values) }
func (c *ConcatenateKVCache) StateKeys() []string   { return seqKeys(2) }
func (c *ConcatenateKVCache) MetaState() []string   { return nil }
func (c *ConcatenateKVCache) SetMetaState(m []string) error {
	return noMeta(c.ClassName(), m)
}

// UpdateAndFetch is ConcatenateKVCache.update_and_fetch.
func (c *ConcatenateKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		set(&c.keys, alias(keys))
		set(&c.values, alias(values))
	} else {
		set(&c.keys, mlx.Concatenate([]*mlx.Array{c.keys, keys}, -2))
		set(&c.values, mlx.Concatenate([]*mlx.Array{c.values, values}, -2))
	}
	c.offset = c.keys.Dim(-2)
	return alias(c.keys), alias(c.values)
}

// State is (keys, values) as held (Python does not cut at offset here).
func (c *ConcatenateKVCache) State() []*mlx.Array {
	if c.keys == nil {
		return nil
	}
	return []*mlx.Array{alias(c.keys), alias(c.values)}
}

func (c *ConcatenateKVCache) SetState(s []*mlx.Array) error {
	if len(s) != 2 {
		return fmt.Errorf("ConcatenateKVCache: state has %d arrays, want 2", len(s))
	}
	set(&c.keys, alias(s[0]))
	set(&c.values, alias(s[1]))
	c.offset = c.keys.Dim(-2)
	return nil
}

// Trim is ConcatenateKVCache.trim: only the offset moves, as upstream.
func (c *ConcatenateKVCache) Trim(n int) int {
	n = min(c.offset, n)
	c.offset -= n
	return n
}

func (c *ConcatenateKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	return createAttentionMask(n, c.offset, o)
}
