// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 71aa0126d28fd463ad1bfabba8e9b3770557e4dd

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// ArraysCache is cache.ArraysCache: a fixed number of state arrays (SSM
// conv and recurrent states), each nil until set.
type ArraysCache struct {
	Cache       []*mlx.Array // Python's cache list; nil entries are None
	LeftPadding *mlx.Array   // (B,) or nil
	Lengths     *mlx.Array   // (B,) or nil
	class       string
}

// NewArraysCache is ArraysCache(size, left_padding); leftPadding nil is None.
func NewArraysCache(size int, leftPadding []int32) *ArraysCache {
	c := &ArraysCache{Cache: make([]*mlx.Array, size), class: "ArraysCache"}
	if len(leftPadding) > 0 {
		c.LeftPadding = mlx.FromSlice(leftPadding)
	}
	return c
}

// NewMambaCache is MambaCache(left_padding): an ArraysCache of two entries
// that files record under the class name MambaCache.
func NewMambaCache(leftPadding []int32) *ArraysCache {
	c := NewArraysCache(2, leftPadding)
	c.class = "MambaCache"
	return c
}

// Get and Set are __getitem__ / __setitem__. Set takes a fresh handle.
func (c *ArraysCache) Get(i int) *mlx.Array    { return c.Cache[i] }
func (c *ArraysCache) Set(i int, v *mlx.Array) { set(&c.Cache[i], alias(v)) }

func (c *ArraysCache) ClassName() string {
	if c.class == "" {
		return "ArraysCache"
	}
	return c.class
}
func (c *ArraysCache) Empty() bool       { return len(c.Cache) == 0 || c.Cache[0] == nil }
func (c *ArraysCache) Size() int         { return 0 }
func (c *ArraysCache) IsTrimmable() bool { return false }
func (c *ArraysCache) Trim(int) int      { return 0 }
func (c *ArraysCache) Handles() []*mlx.Array {
	return nonNil(append(append([]*mlx.Array{}, c.Cache...), c.LeftPadding, c.Lengths)...)
}
func (c *ArraysCache) Nbytes() int         { return nbytes(c.Cache...) }
func (c *ArraysCache) StateKeys() []string { return seqKeys(len(c.Cache)) }
func (c *ArraysCache) MetaState() []string { return nil }
func (c *ArraysCache) SetMetaState(m []string) error {
	return noMeta(c.ClassName(), m)
}

// State is the cache list. Python's save_prompt_cache cannot write None
// entries either; SavePromptCache reports them as an error.
func (c *ArraysCache) State() []*mlx.Array {
	out := make([]*mlx.Array, len(c.Cache))
	for i, a := range c.Cache {
		out[i] = alias(a)
	}
	return out
}

func (c *ArraysCache) SetState(s []*mlx.Array) error {
	for _, a := range c.Cache {
		a.Free()
	}
	c.Cache = make([]*mlx.Array, len(s))
	for i, a := range s {
		c.Cache[i] = alias(a)
	}
	return nil
}

// Prepare is ArraysCache.prepare(lengths=...).
func (c *ArraysCache) Prepare(lengths []int32) { set(&c.Lengths, mlx.FromSlice(lengths)) }

// Finalize is ArraysCache.finalize.
func (c *ArraysCache) Finalize() {
	set(&c.Lengths, nil)
	set(&c.LeftPadding, nil)
}

// Advance is ArraysCache.advance(N).
func (c *ArraysCache) Advance(n int) {
	if c.Lengths != nil {
		set(&c.Lengths, mlx.Subtract(c.Lengths, mlx.Int(n)))
	}
	if c.LeftPadding != nil {
		set(&c.LeftPadding, mlx.Subtract(c.LeftPadding, mlx.Int(n)))
	}
}

// MakeMask is ArraysCache.make_mask(N); Python's takes no other argument, so
// the options are ignored.
func (c *ArraysCache) MakeMask(n int, _ base.MaskOpts) mlx.AttentionMask {
	switch {
	case c.LeftPadding != nil:
		pos := mlx.Arange(0, float64(n), 1, mlx.Int32)
		defer pos.Free()
		lp := c.LeftPadding.Index(mlx.Colon, mlx.NewAxis)
		defer lp.Free()
		return mlx.MaskArray(mlx.GreaterEqual(pos, lp))
	case c.Lengths != nil:
		pos := mlx.Arange(0, float64(n), 1, mlx.Int32)
		defer pos.Free()
		l := c.Lengths.Index(mlx.Colon, mlx.NewAxis)
		defer l.Free()
		return mlx.MaskArray(mlx.Less(pos, l))
	}
	return mlx.NoMask
}

// ---- CacheList ----

// CacheList is cache.CacheList: several caches for one layer.
type CacheList struct {
	Caches []Cache
}

// NewCacheList is CacheList(*caches).
func NewCacheList(caches ...Cache) *CacheList { return &CacheList{Caches: caches} }

func (c *CacheList) Get(i int) Cache   { return c.Caches[i] }
func (c *CacheList) ClassName() string { return "CacheList" }
func (c *CacheList) IsTrimmable() bool {
	for _, x := range c.Caches {
		if !x.IsTrimmable() {
			return false
		}
	}
	return true
}

// Trim trims every cache and returns the last one's count, as upstream.
func (c *CacheList) Trim(n int) int {
	m := 0
	for _, x := range c.Caches {
		m = x.Trim(n)
	}
	return m
}

func (c *CacheList) Size() int {
	m := 0
	for i, x := range c.Caches {
		if s := x.Size(); i == 0 || s > m {
			m = s
		}
	}
	return m
}

func (c *CacheList) Empty() bool { return len(c.Caches) == 0 || c.Caches[0].Empty() }

func (c *CacheList) Handles() []*mlx.Array {
	var out []*mlx.Array
	for _, x := range c.Caches {
		out = append(out, x.Handles()...)
	}
	return out
}

func (c *CacheList) Nbytes() int {
	n := 0
	for _, x := range c.Caches {
		n += x.Nbytes()
	}
	return n
}

// State is the concatenation of the caches' states (a flat list upstream:
// a quantized member's tuples are two elements there, six here, so a
// CacheList holding a QuantizedKVCache cannot round-trip through Python).
func (c *CacheList) State() []*mlx.Array {
	var out []*mlx.Array
	for _, x := range c.Caches {
		out = append(out, x.State()...)
	}
	return out
}

func (c *CacheList) StateKeys() []string { return seqKeys(len(c.State())) }

// SetState splits the list by the current length of each member's state, as
// upstream does (so the members must already hold state of the right shape).
func (c *CacheList) SetState(s []*mlx.Array) error {
	start := 0
	for _, x := range c.Caches {
		l := len(x.State())
		if start+l > len(s) {
			return fmt.Errorf("CacheList: state has %d arrays, members need more", len(s))
		}
		if err := x.SetState(s[start : start+l]); err != nil {
			return err
		}
		start += l
	}
	return nil
}

func (c *CacheList) MetaState() []string { return nil }
func (c *CacheList) SetMetaState(m []string) error {
	return noMeta(c.ClassName(), m)
}
