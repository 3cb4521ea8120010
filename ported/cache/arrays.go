// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// ArraysCache is cache.ArraysCache: a fixed number of state arrays (the
// conv and recurrent states of SSM and linear-attention layers), each None
// until set, with optional per-sequence left_padding and lengths for batched
// generation. It replaces 0.30's MambaCache (ArraysCache(size=2) now).
type ArraysCache struct {
	cache       []*mlx.Array // nil entries are None
	leftPadding *mlx.Array   // (B,) int32 or nil
	lengths     *mlx.Array   // (B,) int32 or nil
}

// NewArraysCache is ArraysCache(size, left_padding); an empty leftPadding
// is None (Python: `mx.array(left_padding) if left_padding else None`).
func NewArraysCache(size int, leftPadding []int32) *ArraysCache {
	c := &ArraysCache{cache: make([]*mlx.Array, max(size, 0))}
	if len(leftPadding) > 0 {
		c.leftPadding = mlx.FromSlice(leftPadding)
	}
	return c
}

// Len is len(cache.cache).
func (c *ArraysCache) Len() int { return len(c.cache) }

// Get is cache[i]: a fresh handle, or nil for None (or an index out of
// range, where Python raises IndexError).
func (c *ArraysCache) Get(i int) *mlx.Array {
	if i < 0 {
		i += len(c.cache)
	}
	if i < 0 || i >= len(c.cache) {
		return nil
	}
	return alias(c.cache[i])
}

// Set is cache[i] = v (nil is None). The cache stores its own handle.
func (c *ArraysCache) Set(i int, v *mlx.Array) error {
	if i < 0 {
		i += len(c.cache)
	}
	if i < 0 || i >= len(c.cache) {
		return fmt.Errorf("ArraysCache: index %d out of range for %d entries", i, len(c.cache))
	}
	set(&c.cache[i], alias(v))
	return nil
}

// LeftPadding and Lengths are fresh handles to the (B,) arrays, nil for None.
func (c *ArraysCache) LeftPadding() *mlx.Array { return alias(c.leftPadding) }
func (c *ArraysCache) Lengths() *mlx.Array     { return alias(c.lengths) }

func (c *ArraysCache) ClassName() string { return "ArraysCache" }

// Empty is empty(): cache[0] is None (and true for a cache of no entries,
// where Python raises IndexError).
func (c *ArraysCache) Empty() bool       { return len(c.cache) == 0 || c.cache[0] == nil }
func (c *ArraysCache) Size() int         { return 0 }
func (c *ArraysCache) IsTrimmable() bool { return false }
func (c *ArraysCache) Trim(int) int      { return 0 }
func (c *ArraysCache) Handles() []*mlx.Array {
	return nonNil(append(append([]*mlx.Array{}, c.cache...), c.leftPadding, c.lengths)...)
}

// Nbytes is the nbytes property: the entries only.
func (c *ArraysCache) Nbytes() int { return nbytes(c.cache...) }

// BatchSize is the batch_size property.
func (c *ArraysCache) BatchSize() int {
	for _, a := range c.cache {
		if a != nil {
			return a.Dim(0)
		}
	}
	switch {
	case c.leftPadding != nil:
		return c.leftPadding.Size()
	case c.lengths != nil:
		return c.lengths.Size()
	}
	return 1
}

// State is (cache, left_padding, lengths).
func (c *ArraysCache) State() State {
	entries := make(State, len(c.cache))
	for i, a := range c.cache {
		entries[i] = alias(a)
	}
	return State{entries, alias(c.leftPadding), alias(c.lengths)}
}

// SetState is the state setter.
func (c *ArraysCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(3) {
		return r.err
	}
	entries := r.list(0)
	lp, lengths := r.array(1, true), r.array(2, true)
	er := stateReader{class: c.ClassName() + " cache list", s: entries}
	arrs := make([]*mlx.Array, len(entries))
	for i := range entries {
		arrs[i] = er.array(i, true)
	}
	if r.err == nil {
		r.err = er.err
	}
	if r.err != nil {
		return r.err
	}
	for _, a := range c.cache {
		a.Free()
	}
	c.cache = make([]*mlx.Array, len(arrs))
	for i, a := range arrs {
		c.cache[i] = alias(a)
	}
	set(&c.leftPadding, alias(lp))
	set(&c.lengths, alias(lengths))
	return nil
}

// Prepare is ArraysCache.prepare(lengths=None, **kwargs): only lengths is
// used (mx.array(None) fails upstream, so nil lengths is an error here).
func (c *ArraysCache) Prepare(o PrepareOpts) error {
	if o.Lengths == nil {
		return fmt.Errorf("ArraysCache.prepare: lengths is None")
	}
	set(&c.lengths, mlx.FromSlice(o.Lengths))
	return nil
}

// Finalize is ArraysCache.finalize.
func (c *ArraysCache) Finalize() error {
	set(&c.lengths, nil)
	set(&c.leftPadding, nil)
	return nil
}

// Advance is ArraysCache.advance(N).
func (c *ArraysCache) Advance(n int) {
	if c.lengths != nil {
		set(&c.lengths, mlx.Subtract(c.lengths, mlx.Int(n)))
	}
	if c.leftPadding != nil {
		set(&c.leftPadding, mlx.Subtract(c.leftPadding, mlx.Int(n)))
	}
}

// MakeMask is ArraysCache.make_mask(N): positions past the left padding and
// before the length; None when neither is set. Python's takes no other
// argument, so the options are ignored.
func (c *ArraysCache) MakeMask(n int, _ base.MaskOpts) mlx.AttentionMask {
	if c.leftPadding == nil && c.lengths == nil {
		return mlx.NoMask
	}
	var t temps
	defer t.free()
	pos := t.add(mlx.Arange(0, float64(n), 1, mlx.Int32))
	var mask *mlx.Array
	if c.leftPadding != nil {
		mask = mlx.GreaterEqual(pos, t.add(c.leftPadding.Index(mlx.Colon, mlx.NewAxis)))
	}
	if c.lengths != nil {
		in := mlx.Less(pos, t.add(c.lengths.Index(mlx.Colon, mlx.NewAxis)))
		if mask == nil {
			mask = in
		} else {
			m := mlx.LogicalAnd(t.add(mask), t.add(in))
			mask = m
		}
	}
	return mlx.MaskArray(mask)
}

// Filter is ArraysCache.filter: every entry's (and left_padding's and
// lengths') rows batch_indices; None entries stay None.
func (c *ArraysCache) Filter(batchIndices []int) error {
	bi := batchIndex(batchIndices)
	defer bi.Free()
	for i, a := range c.cache {
		if a != nil {
			set(&c.cache[i], a.Index(bi))
		}
	}
	if c.leftPadding != nil {
		set(&c.leftPadding, c.leftPadding.Index(bi))
	}
	if c.lengths != nil {
		set(&c.lengths, c.lengths.Index(bi))
	}
	return firstErr(c.Handles()...)
}

// catRows is extend's cat(a, b): the rows of a and b, a None side filled
// with zeros of its batch size (b's shape and dtype win when both are set).
func catRows(a, b *mlx.Array, aBatch, bBatch int) *mlx.Array {
	var ref *mlx.Array
	if a != nil {
		ref = a
	}
	if b != nil {
		ref = b
	}
	if ref == nil {
		return nil
	}
	var t temps
	defer t.free()
	fill := func(x *mlx.Array, batch int) *mlx.Array {
		if x != nil {
			return x
		}
		shape := append([]int{batch}, ref.Shape()[1:]...)
		return t.add(mlx.Zeros(ref.Dtype(), shape...))
	}
	return mlx.Concatenate([]*mlx.Array{fill(a, aBatch), fill(b, bBatch)}, 0)
}

// Extend is ArraysCache.extend: entries concatenated along the batch axis
// (zip: as many as the shorter cache has); left_padding and lengths too.
func (c *ArraysCache) Extend(other Cache) error {
	o, ok := other.(*ArraysCache)
	if !ok {
		return fmt.Errorf("ArraysCache.extend: cannot extend with %s", other.ClassName())
	}
	aBatch, bBatch := c.BatchSize(), o.BatchSize()
	n := min(len(c.cache), len(o.cache))
	entries := make([]*mlx.Array, n)
	for i := range n {
		entries[i] = catRows(c.cache[i], o.cache[i], aBatch, bBatch)
	}
	lp := catRows(c.leftPadding, o.leftPadding, aBatch, bBatch)
	lengths := catRows(c.lengths, o.lengths, aBatch, bBatch)
	for _, a := range c.cache {
		a.Free()
	}
	c.cache = entries
	set(&c.leftPadding, lp)
	set(&c.lengths, lengths)
	return firstErr(c.Handles()...)
}

// Extract is ArraysCache.extract: row idx of every entry, in a new
// ArraysCache (a None entry fails, as c[idx : idx + 1] on None upstream).
func (c *ArraysCache) Extract(idx int) (Cache, error) {
	out := NewArraysCache(len(c.cache), nil)
	for i, a := range c.cache {
		if a == nil {
			Free(out)
			return nil, fmt.Errorf("ArraysCache.extract: entry %d is None", i)
		}
		out.cache[i] = a.Index(mlx.Slice(idx, idx+1, 1))
	}
	return out, firstErr(out.Handles()...)
}

// MergeArraysCache is ArraysCache.merge(caches): every entry stacked into a
// zero-initialised batch, rows whose entry is None left zero; when every
// cache is empty, an empty cache with left_padding [0] * B.
func MergeArraysCache(caches []*ArraysCache) (*ArraysCache, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("ArraysCache.merge: no caches")
	}
	nState := len(caches[0].cache)
	B := len(caches)
	out := NewArraysCache(nState, nil)
	allEmpty := true
	for i, c := range caches {
		if len(c.cache) == 0 {
			return nil, fmt.Errorf("ArraysCache.merge: cache %d has no entries", i)
		}
		if !c.Empty() {
			allEmpty = false
		}
	}
	if allEmpty {
		out.leftPadding = mlx.FromSlice(make([]int32, B))
		return out, nil
	}
	for e := range nState {
		var init *mlx.Array
		for i, c := range caches {
			if e >= len(c.cache) {
				Free(out)
				return nil, fmt.Errorf("ArraysCache.merge: cache %d has %d entries, want %d", i, len(c.cache), nState)
			}
			if init == nil && c.cache[e] != nil {
				init = c.cache[e]
			}
		}
		if init == nil {
			Free(out)
			return nil, fmt.Errorf("ArraysCache.merge: entry %d is None in every cache", e)
		}
		shape := init.Shape()
		shape[0] = B
		a := mlx.Zeros(init.Dtype(), shape...)
		for i, c := range caches {
			if c.cache[e] == nil {
				continue
			}
			set(&a, a.SetIndex(c.cache[e], mlx.Slice(i, i+1, 1)))
		}
		out.cache[e] = a
	}
	if err := firstErr(out.Handles()...); err != nil {
		Free(out)
		return nil, fmt.Errorf("ArraysCache.merge: %w", err)
	}
	return out, nil
}

func (c *ArraysCache) Copy() Cache {
	out := &ArraysCache{cache: make([]*mlx.Array, len(c.cache)), leftPadding: alias(c.leftPadding), lengths: alias(c.lengths)}
	for i, a := range c.cache {
		out.cache[i] = alias(a)
	}
	return out
}

// ---- CacheList ----

// CacheList is cache.CacheList: several caches for one layer (hybrid models:
// an ArraysCache and a KVCache, or a KV cache and an indexer's cache).
type CacheList struct {
	caches []Cache
}

// NewCacheList is CacheList(*caches). The list owns the members.
func NewCacheList(caches ...Cache) *CacheList { return &CacheList{caches: caches} }

// Get is cache_list[i] (the member itself, not a copy; nil out of range).
func (c *CacheList) Get(i int) Cache {
	if i < 0 {
		i += len(c.caches)
	}
	if i < 0 || i >= len(c.caches) {
		return nil
	}
	return c.caches[i]
}

// Len is the number of members.
func (c *CacheList) Len() int { return len(c.caches) }

func (c *CacheList) ClassName() string { return "CacheList" }
func (c *CacheList) IsTrimmable() bool {
	for _, x := range c.caches {
		if !x.IsTrimmable() {
			return false
		}
	}
	return true
}

// Trim trims every member and returns the last one's count, as upstream.
func (c *CacheList) Trim(n int) int {
	m := 0
	for _, x := range c.caches {
		m = x.Trim(n)
	}
	return m
}

// Size is the largest member size.
func (c *CacheList) Size() int {
	m := 0
	for i, x := range c.caches {
		if s := x.Size(); i == 0 || s > m {
			m = s
		}
	}
	return m
}

// Empty is caches[0].empty().
func (c *CacheList) Empty() bool { return len(c.caches) == 0 || c.caches[0].Empty() }

func (c *CacheList) Handles() []*mlx.Array {
	var out []*mlx.Array
	for _, x := range c.caches {
		out = append(out, x.Handles()...)
	}
	return out
}

func (c *CacheList) Nbytes() int {
	n := 0
	for _, x := range c.caches {
		n += x.Nbytes()
	}
	return n
}

// State is [(c.state, type(c).__name__) for c in caches].
func (c *CacheList) State() State {
	out := make(State, len(c.caches))
	for i, x := range c.caches {
		out[i] = State{x.State(), x.ClassName()}
	}
	return out
}

// SetState is the state setter: every member rebuilt by from_state.
func (c *CacheList) SetState(s State) error {
	members := make([]Cache, 0, len(s))
	fail := func(err error) error {
		Free(members...)
		return err
	}
	for i := range s {
		r := stateReader{class: c.ClassName(), s: s}
		pair := r.list(i)
		if r.err != nil {
			return fail(r.err)
		}
		pr := stateReader{class: fmt.Sprintf("CacheList member %d", i), s: pair}
		if !pr.len(2) {
			return fail(pr.err)
		}
		st, cls := pr.list(0), pr.string(1)
		if pr.err != nil {
			return fail(pr.err)
		}
		m, err := FromState(cls, st)
		if err != nil {
			return fail(fmt.Errorf("CacheList member %d: %w", i, err))
		}
		members = append(members, m)
	}
	Free(c.caches...)
	c.caches = members
	return nil
}

func (c *CacheList) Copy() Cache {
	out := &CacheList{caches: make([]Cache, len(c.caches))}
	for i, x := range c.caches {
		out.caches[i] = x.Copy()
	}
	return out
}

func (c *CacheList) batchMember(i int, op string) (Batch, error) {
	b, ok := c.caches[i].(Batch)
	if !ok {
		return nil, fmt.Errorf("CacheList.%s: member %d (%s) has no %s", op, i, c.caches[i].ClassName(), op)
	}
	return b, nil
}

// Filter is CacheList.filter.
func (c *CacheList) Filter(batchIndices []int) error {
	for i := range c.caches {
		b, err := c.batchMember(i, "filter")
		if err != nil {
			return err
		}
		if err := b.Filter(batchIndices); err != nil {
			return err
		}
	}
	return nil
}

// Extend is CacheList.extend: member by member (zip).
func (c *CacheList) Extend(other Cache) error {
	o, ok := other.(*CacheList)
	if !ok {
		return fmt.Errorf("CacheList.extend: cannot extend with %s", other.ClassName())
	}
	for i := range min(len(c.caches), len(o.caches)) {
		b, err := c.batchMember(i, "extend")
		if err != nil {
			return err
		}
		if err := b.Extend(o.caches[i]); err != nil {
			return err
		}
	}
	return nil
}

// Extract is CacheList.extract: every member's extract(idx).
func (c *CacheList) Extract(idx int) (Cache, error) {
	out := &CacheList{}
	for i := range c.caches {
		b, err := c.batchMember(i, "extract")
		if err == nil {
			var e Cache
			if e, err = b.Extract(idx); err == nil {
				out.caches = append(out.caches, e)
				continue
			}
		}
		Free(out)
		return nil, err
	}
	return out, nil
}

// Prepare is CacheList.prepare(**kwargs), passed to every member.
func (c *CacheList) Prepare(o PrepareOpts) error {
	for i := range c.caches {
		b, err := c.batchMember(i, "prepare")
		if err != nil {
			return err
		}
		if err := b.Prepare(o); err != nil {
			return err
		}
	}
	return nil
}

// Finalize is CacheList.finalize.
func (c *CacheList) Finalize() error {
	for i := range c.caches {
		b, err := c.batchMember(i, "finalize")
		if err != nil {
			return err
		}
		if err := b.Finalize(); err != nil {
			return err
		}
	}
	return nil
}

// MergeCacheList is CacheList.merge: member i merged across the lists.
func MergeCacheList(caches []*CacheList) (*CacheList, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("CacheList.merge: no caches")
	}
	out := &CacheList{}
	for i := range caches[0].caches {
		members := make([]Cache, len(caches))
		for j, c := range caches {
			if i >= len(c.caches) {
				Free(out)
				return nil, fmt.Errorf("CacheList.merge: list %d has %d members, want %d", j, len(c.caches), len(caches[0].caches))
			}
			members[j] = c.caches[i]
		}
		m, err := MergeCaches(members)
		if err != nil {
			Free(out)
			return nil, err
		}
		out.caches = append(out.caches, m)
	}
	return out, nil
}
