// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 71aa0126d28fd463ad1bfabba8e9b3770557e4dd

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// This file holds the caches of mlx-lm's batched generation: BatchKVCache,
// BatchRotatingKVCache, dynamic_roll, and the classmethods KVCache.merge and
// RotatingKVCache.merge (MergeBatchKVCache, MergeBatchRotatingKVCache).
//
// Per-sequence quantities that Python keeps as mx.array (offset,
// left_padding) are int32 (B,) arrays here too, exactly as mx.array(list of
// ints) makes them. Methods that read them back (.item() upstream) return an
// error when the read fails.

// PrepareOpts are the keyword arguments of prepare(*, left_padding=None,
// lengths=None, right_padding=None); a nil slice is None.
type PrepareOpts struct {
	LeftPadding  []int32
	Lengths      []int32
	RightPadding []int32
}

// DynamicRoll is dynamic_roll(x, shifts, axis): x rolled along axis by a
// different amount per leading index, shifts broadcasting against
// x.shape[:axis]. axis must be non-negative (Python's expression counts
// trailing dimensions from it; every caller passes 2).
func DynamicRoll(x, shifts *mlx.Array, axis int) *mlx.Array {
	if err := x.Err(); err != nil {
		return x
	}
	if err := shifts.Err(); err != nil {
		return shifts
	}
	if axis < 0 || axis >= x.Ndim() {
		return mlx.Errorf("dynamic_roll", "axis %d out of range for %d dimensions", axis, x.Ndim())
	}
	s := mlx.NewScope()
	defer s.Close()
	n := x.Dim(axis)
	// expand_shifts = (...,) + (None,) * (x.ndim - axis); expand_indices drops
	// one None.
	k := x.Ndim() - axis
	shiftIdx := []any{mlx.Ellipsis}
	for range k {
		shiftIdx = append(shiftIdx, mlx.NewAxis)
	}
	ar := mlx.Arange(0, float64(n), 1, mlx.Int32).Index(shiftIdx[:k]...)
	idx := mlx.Remainder(mlx.Subtract(ar, shifts.Index(shiftIdx...)), mlx.Int(n))
	out := mlx.TakeAlongAxis(x, idx, axis)
	s.Keep(out)
	return out
}

// int32s is mx.array(list of Python ints).
func int32s(v []int32) *mlx.Array { return mlx.FromSlice(v) }

func negInt32s(v []int32) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

// addInt is a += n on a held (B,) array.
func addInt(slot **mlx.Array, n int) { set(slot, mlx.Add(*slot, mlx.Int(n))) }

// itemAt is a[i].item() for an integer (B,) array.
func itemAt(a *mlx.Array, i int) (int, error) {
	x := a.Index(i)
	defer x.Free()
	return x.IntItem()
}

// batchIndex is the array Python's c[batch_indices] gathers with.
func batchIndex(batchIndices []int) *mlx.Array {
	v := make([]int32, len(batchIndices))
	for i, b := range batchIndices {
		v[i] = int32(b)
	}
	return mlx.FromSlice(v)
}

// padTo is the pad(c) closure shared by both extend methods: keys and values
// right-justified to idx maxIdx in a buffer of maxSize positions.
func padTo(keys, values, offset, leftPadding *mlx.Array, idx, maxIdx, maxSize int) (k, v, off, lp *mlx.Array) {
	left := maxIdx - idx
	right := maxSize - keys.Dim(2) - left
	k, v = keys, values
	if right < 0 {
		k = sliceSeq(k, mlx.None, right)
		v = sliceSeq(v, mlx.None, right)
		right = 0
	}
	if left != 0 || right != 0 {
		w := []mlx.PadWidth{{}, {}, {Before: left, After: right}, {}}
		k = mlx.Pad(k, w, nil)
		v = mlx.Pad(v, w, nil)
	}
	return k, v, offset, mlx.Add(leftPadding, mlx.Int(left))
}

// extendWith concatenates the padded (self, other) tuples into c's slots.
func extendWith(ck, cv, coff, clp **mlx.Array, a, b [4]*mlx.Array) {
	set(ck, mlx.Concatenate([]*mlx.Array{a[0], b[0]}, 0))
	set(cv, mlx.Concatenate([]*mlx.Array{a[1], b[1]}, 0))
	set(coff, mlx.Concatenate([]*mlx.Array{a[2], b[2]}, 0))
	set(clp, mlx.Concatenate([]*mlx.Array{a[3], b[3]}, 0))
}

// ---- BatchKVCache ----

// BatchKVCache is cache.BatchKVCache: a KVCache over a batch of left-padded
// sequences. left_padding[i] is how many leading positions of sequence i are
// padding and offset[i] its own position (negative while inside the padding);
// _idx is the shared write position.
type BatchKVCache struct {
	keys, values *mlx.Array
	leftPadding  *mlx.Array // (B,) int32
	offset       *mlx.Array // (B,) int32
	idx          int
	rightPadding *mlx.Array // Python's _right_padding, nil for None
}

// NewBatchKVCache is BatchKVCache(left_padding).
func NewBatchKVCache(leftPadding []int32) *BatchKVCache {
	return &BatchKVCache{leftPadding: int32s(leftPadding), offset: int32s(negInt32s(leftPadding))}
}

// Offset and LeftPadding are fresh handles to the (B,) arrays; Idx is _idx.
func (c *BatchKVCache) Offset() *mlx.Array      { return alias(c.offset) }
func (c *BatchKVCache) LeftPadding() *mlx.Array { return alias(c.leftPadding) }
func (c *BatchKVCache) Idx() int                { return c.idx }
func (c *BatchKVCache) ClassName() string       { return "BatchKVCache" }
func (c *BatchKVCache) Empty() bool             { return c.keys == nil }
func (c *BatchKVCache) Size() int               { return 0 } // _BaseCache.size
func (c *BatchKVCache) IsTrimmable() bool       { return true }
func (c *BatchKVCache) Handles() []*mlx.Array {
	return nonNil(c.keys, c.values, c.leftPadding, c.offset, c.rightPadding)
}
func (c *BatchKVCache) Nbytes() int         { return nbytes(c.keys, c.values, c.offset, c.leftPadding) }
func (c *BatchKVCache) StateKeys() []string { return seqKeys(4) }
func (c *BatchKVCache) MetaState() []string { return nil }
func (c *BatchKVCache) SetMetaState(m []string) error {
	return noMeta(c.ClassName(), m)
}

// UpdateAndFetch is BatchKVCache.update_and_fetch: KVCache's growth in steps
// of 256 at the shared position _idx; every sequence's offset advances.
func (c *BatchKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	k, v, end := growAndWrite(&c.keys, &c.values, c.idx, keys, values)
	if end != c.idx {
		addInt(&c.offset, end-c.idx)
		c.idx = end
	}
	return k, v
}

// Prepare is BatchKVCache.prepare: extra left padding for an empty cache, or
// right padding that Finalize moves to the left.
func (c *BatchKVCache) Prepare(o PrepareOpts) error {
	if o.LeftPadding != nil {
		if c.keys != nil {
			return fmt.Errorf("Left padding can only be added to an empty BatchKVCache")
		}
		lp := int32s(o.LeftPadding)
		set(&c.leftPadding, mlx.Add(c.leftPadding, lp))
		set(&c.offset, mlx.Subtract(c.offset, lp))
		lp.Free()
	}
	if o.RightPadding != nil && maxInt32(o.RightPadding) > 0 {
		set(&c.rightPadding, int32s(o.RightPadding))
	}
	return nil
}

// maxInt32 is max(v); an empty list, an error upstream, counts as no padding.
func maxInt32(v []int32) int32 {
	var m int32
	for i, x := range v {
		if i == 0 || x > m {
			m = x
		}
	}
	return m
}

// Finalize is BatchKVCache.finalize: right padding rolled to the left.
func (c *BatchKVCache) Finalize() {
	if c.rightPadding == nil {
		return
	}
	p := c.rightPadding.Index(mlx.Colon, mlx.NewAxis)
	set(&c.keys, DynamicRoll(c.keys, p, 2))
	set(&c.values, DynamicRoll(c.values, p, 2))
	p.Free()
	set(&c.offset, mlx.Subtract(c.offset, c.rightPadding))
	set(&c.leftPadding, mlx.Add(c.leftPadding, c.rightPadding))
	set(&c.rightPadding, nil)
}

// State is (keys[..., :_idx, :], values[..., :_idx, :], offset, left_padding).
func (c *BatchKVCache) State() []*mlx.Array {
	if c.keys == nil {
		return nil
	}
	k, v := alias(c.keys), alias(c.values)
	if c.idx < c.keys.Dim(2) {
		k.Free()
		v.Free()
		k, v = sliceSeq(c.keys, mlx.None, c.idx), sliceSeq(c.values, mlx.None, c.idx)
	}
	return []*mlx.Array{k, v, alias(c.offset), alias(c.leftPadding)}
}

// SetState is the state setter; _idx becomes the keys' length.
func (c *BatchKVCache) SetState(s []*mlx.Array) error {
	if len(s) != 4 {
		return fmt.Errorf("BatchKVCache: state has %d arrays, want 4", len(s))
	}
	set(&c.keys, alias(s[0]))
	set(&c.values, alias(s[1]))
	set(&c.offset, alias(s[2]))
	set(&c.leftPadding, alias(s[3]))
	c.idx = c.keys.Dim(2)
	return nil
}

// Trim is BatchKVCache.trim.
func (c *BatchKVCache) Trim(n int) int {
	n = min(c.idx, n)
	c.idx -= n
	addInt(&c.offset, -n)
	return n
}

// MakeMask is BatchKVCache.make_mask: always an array, the causal mask at
// _idx with every sequence's left padding masked out (return_array is
// ignored upstream; window_size is passed on).
func (c *BatchKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	return mlx.MaskArray(base.CreateCausalMask(n, base.CausalMaskOpts{
		Offset: c.idx, WindowSize: o.WindowSize, LeftPadding: c.leftPadding}))
}

// Filter is BatchKVCache.filter: keep the given batch rows, then drop the
// padding columns every remaining sequence shares.
func (c *BatchKVCache) Filter(batchIndices []int) error {
	bi := batchIndex(batchIndices)
	defer bi.Free()
	set(&c.keys, c.keys.Index(bi))
	set(&c.values, c.values.Index(bi))
	set(&c.offset, c.offset.Index(bi))
	set(&c.leftPadding, c.leftPadding.Index(bi))
	m := c.leftPadding.Min(false)
	minLeftPad, err := m.IntItem()
	m.Free()
	if err != nil {
		return fmt.Errorf("BatchKVCache.filter: %w", err)
	}
	if minLeftPad > 0 {
		set(&c.keys, sliceSeq(c.keys, minLeftPad, mlx.None))
		set(&c.values, sliceSeq(c.values, minLeftPad, mlx.None))
		c.idx -= minLeftPad
		addInt(&c.leftPadding, -minLeftPad)
	}
	return nil
}

// Extend is BatchKVCache.extend: other's sequences appended to the batch,
// both right-justified at the larger _idx.
func (c *BatchKVCache) Extend(other *BatchKVCache) {
	s := mlx.NewScope()
	defer s.Close()
	maxIdx := max(c.idx, other.idx)
	maxSize := max(c.keys.Dim(2), other.keys.Dim(2))
	var a, b [4]*mlx.Array
	a[0], a[1], a[2], a[3] = padTo(c.keys, c.values, c.offset, c.leftPadding, c.idx, maxIdx, maxSize)
	b[0], b[1], b[2], b[3] = padTo(other.keys, other.values, other.offset, other.leftPadding, other.idx, maxIdx, maxSize)
	extendWith(&c.keys, &c.values, &c.offset, &c.leftPadding, a, b)
	c.idx = maxIdx
	s.Keep(c.Handles()...)
}

// Extract is BatchKVCache.extract: sequence idx without its padding, as a
// KVCache.
func (c *BatchKVCache) Extract(idx int) (*KVCache, error) {
	padding, err := itemAt(c.leftPadding, idx)
	if err != nil {
		return nil, fmt.Errorf("BatchKVCache.extract: %w", err)
	}
	out := NewKVCache()
	row := mlx.Slice(idx, idx+1, 1)
	k := c.keys.Index(row, mlx.Colon, seq(padding, c.idx))
	v := c.values.Index(row, mlx.Colon, seq(padding, c.idx))
	out.keys, out.values = mlx.Contiguous(k), mlx.Contiguous(v)
	k.Free()
	v.Free()
	out.offset = out.keys.Dim(2)
	return out, out.keys.Err()
}

// MergeBatchKVCache is BatchKVCache.merge(caches) (and KVCache.merge, which
// calls it): KVCaches of different lengths left-padded into one batch.
func MergeBatchKVCache(caches []*KVCache) (*BatchKVCache, error) {
	s := mlx.NewScope()
	defer s.Close()
	lengths := make([]int, len(caches))
	maxLength := 0
	var first *KVCache
	H, Dk, Dv := 0, 0, 0
	for i, c := range caches {
		lengths[i] = c.Size()
		maxLength = max(maxLength, lengths[i])
		if c.keys != nil {
			if first == nil {
				first = c
			}
			H, Dk, Dv = max(H, c.keys.Dim(1)), max(Dk, c.keys.Dim(3)), max(Dv, c.values.Dim(3))
		}
	}
	if first == nil {
		return nil, fmt.Errorf("BatchKVCache.merge: no cache holds keys")
	}
	padding := make([]int32, len(caches))
	for i, l := range lengths {
		padding[i] = int32(maxLength - l)
	}
	B := len(caches)
	keys := mlx.Zeros(first.keys.Dtype(), B, H, maxLength, Dk)
	values := mlx.Zeros(first.keys.Dtype(), B, H, maxLength, Dv)
	for i, c := range caches {
		if c.keys == nil {
			continue
		}
		p := int(padding[i])
		dst := []any{mlx.Slice(i, i+1, 1), mlx.Colon, seq(p, p+c.offset)}
		keys = keys.SetIndex(sliceSeq(c.keys, mlx.None, c.offset), dst...)
		values = values.SetIndex(sliceSeq(c.values, mlx.None, c.offset), dst...)
	}
	out := NewBatchKVCache(padding)
	out.keys, out.values = keys, values
	addInt(&out.offset, keys.Dim(2))
	out.idx = keys.Dim(2)
	s.Keep(out.Handles()...)
	for _, a := range out.Handles() {
		if err := a.Err(); err != nil {
			return nil, fmt.Errorf("BatchKVCache.merge: %w", err)
		}
	}
	return out, nil
}

// ---- BatchRotatingKVCache ----

// BatchRotatingKVCache is cache.BatchRotatingKVCache: a RotatingKVCache (with
// no keep) over a batch of left-padded sequences. Python's offset (per
// sequence) is the (B,) array offset; Python's _offset (the shared count of
// positions written) is bufOffset.
type BatchRotatingKVCache struct {
	keys, values *mlx.Array
	leftPadding  *mlx.Array // (B,) int32
	offset       *mlx.Array // (B,) int32
	maxSize      int
	idx          int // Python's _idx
	bufOffset    int // Python's _offset
	rotated      bool
	lengths      *mlx.Array // Python's _lengths, nil for None
}

// NewBatchRotatingKVCache is BatchRotatingKVCache(max_size, left_padding).
func NewBatchRotatingKVCache(maxSize int, leftPadding []int32) *BatchRotatingKVCache {
	return &BatchRotatingKVCache{maxSize: maxSize, leftPadding: int32s(leftPadding), offset: int32s(negInt32s(leftPadding))}
}

func (c *BatchRotatingKVCache) Offset() *mlx.Array      { return alias(c.offset) }
func (c *BatchRotatingKVCache) LeftPadding() *mlx.Array { return alias(c.leftPadding) }
func (c *BatchRotatingKVCache) Idx() int                { return c.idx }
func (c *BatchRotatingKVCache) MaxSize() int            { return c.maxSize }
func (c *BatchRotatingKVCache) Rotated() bool           { return c.rotated }
func (c *BatchRotatingKVCache) ClassName() string       { return "BatchRotatingKVCache" }
func (c *BatchRotatingKVCache) Empty() bool             { return c.keys == nil }
func (c *BatchRotatingKVCache) Size() int               { return 0 } // _BaseCache.size
func (c *BatchRotatingKVCache) IsTrimmable() bool       { return c.bufOffset < c.maxSize }
func (c *BatchRotatingKVCache) Handles() []*mlx.Array {
	return nonNil(c.keys, c.values, c.leftPadding, c.offset, c.lengths)
}
func (c *BatchRotatingKVCache) Nbytes() int {
	return nbytes(c.keys, c.values, c.offset, c.leftPadding)
}
func (c *BatchRotatingKVCache) StateKeys() []string { return seqKeys(4) }

// trim is BatchRotatingKVCache._trim: drop the first trimSize positions and
// append.
func (c *BatchRotatingKVCache) trim(trimSize int, v, appendV *mlx.Array) *mlx.Array {
	v = alias(v)
	if trimSize > 0 {
		w := sliceSeq(v, trimSize, mlx.None)
		v.Free()
		v = w
	}
	if appendV != nil {
		out := mlx.Concatenate([]*mlx.Array{v, appendV}, 2)
		v.Free()
		return out
	}
	return v
}

// temporalOrder is _temporal_order: unroll the ring in place.
func (c *BatchRotatingKVCache) temporalOrder() {
	if c.rotated {
		set(&c.keys, roll(c.keys, -c.idx, 2))
		set(&c.values, roll(c.values, -c.idx, 2))
		c.idx = c.keys.Dim(2)
		c.rotated = false
	}
}

// rollPadded is the roll of right-padded sequences shared by _update_concat
// and finalize: roll = maximum(0, offset - _lengths).
func (c *BatchRotatingKVCache) rollPadded() {
	d := mlx.Subtract(c.offset, c.lengths)
	r := mlx.Maximum(mlx.Int(0), d)
	d.Free()
	rc := r.Index(mlx.Colon, mlx.NewAxis)
	set(&c.keys, DynamicRoll(c.keys, rc, 2))
	set(&c.values, DynamicRoll(c.values, rc, 2))
	rc.Free()
	set(&c.leftPadding, mlx.Add(c.leftPadding, r))
	set(&c.offset, mlx.Subtract(c.offset, r))
	r.Free()
}

func (c *BatchRotatingKVCache) updateConcat(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		set(&c.keys, alias(keys))
		set(&c.values, alias(values))
	} else {
		c.temporalOrder()
		if c.keys.Dim(2) > c.idx {
			set(&c.keys, sliceSeq(c.keys, mlx.None, c.idx))
			set(&c.values, sliceSeq(c.values, mlx.None, c.idx))
		}
		if c.lengths != nil {
			c.rollPadded()
		}
		// The largest size is max_size + S - 1 so that every token gets at
		// least max_size positions of context.
		trimSize := c.idx - c.maxSize + 1
		if trimSize > 0 {
			addInt(&c.leftPadding, -trimSize)
		}
		set(&c.keys, c.trim(trimSize, c.keys, keys))
		set(&c.values, c.trim(trimSize, c.values, values))
	}
	S := keys.Dim(2)
	addInt(&c.offset, S)
	c.bufOffset += S
	c.idx = c.keys.Dim(2)
	return alias(c.keys), alias(c.values)
}

func (c *BatchRotatingKVCache) updateInPlace(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if c.lengths != nil {
		e := mlx.Errorf("update_and_fetch", "finalize() should be called before deocoding with BatchRotatingKVCache")
		return e, e
	}
	ks := keys.Shape()
	B, H, S, Dk := ks[0], ks[1], ks[2], ks[3]
	prev := c.bufOffset
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
		addInt(&c.leftPadding, -trimSize)
	}
	if c.idx == c.maxSize { // rotate
		c.rotated = true
		c.idx = 0
	}
	if c.rotated {
		addInt(&c.leftPadding, -S)
	}
	set(&c.keys, c.keys.SetIndex(keys, mlx.Ellipsis, seq(c.idx, c.idx+S), mlx.Colon))
	set(&c.values, c.values.SetIndex(values, mlx.Ellipsis, seq(c.idx, c.idx+S), mlx.Colon))
	c.bufOffset += S
	addInt(&c.offset, S)
	c.idx += S
	if c.bufOffset < c.maxSize {
		return sliceSeq(c.keys, mlx.None, c.bufOffset), sliceSeq(c.values, mlx.None, c.bufOffset)
	}
	return alias(c.keys), alias(c.values)
}

// UpdateAndFetch is BatchRotatingKVCache.update_and_fetch: single tokens go
// into the ring in place, longer updates are concatenated in temporal order.
func (c *BatchRotatingKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := keys.Err(); err != nil {
		return keys, keys
	}
	if err := values.Err(); err != nil {
		return values, values
	}
	if keys.Ndim() != 4 || values.Ndim() != 4 {
		e := mlx.Errorf("update_and_fetch", "keys and values must be (B, H, S, D), got %v and %v", keys.Shape(), values.Shape())
		return e, e
	}
	if keys.Dim(2) == 1 {
		return c.updateInPlace(keys, values)
	}
	return c.updateConcat(keys, values)
}

// Prepare is BatchRotatingKVCache.prepare: extra left padding for an empty
// cache; with right padding, the per-sequence end positions (lengths +
// offset) that keep padding from evicting valid positions.
func (c *BatchRotatingKVCache) Prepare(o PrepareOpts) error {
	if o.LeftPadding != nil {
		if c.keys != nil {
			return fmt.Errorf("Left padding can only be added to an empty BatchRotatingKVCache")
		}
		lp := int32s(o.LeftPadding)
		set(&c.leftPadding, mlx.Add(c.leftPadding, lp))
		set(&c.offset, mlx.Subtract(c.offset, lp))
		lp.Free()
	}
	if o.RightPadding != nil && maxInt32(o.RightPadding) > 0 {
		l := int32s(o.Lengths)
		set(&c.lengths, mlx.Add(l, c.offset))
		l.Free()
	}
	return nil
}

// Finalize is BatchRotatingKVCache.finalize.
func (c *BatchRotatingKVCache) Finalize() {
	if c.lengths != nil {
		c.rollPadded()
		set(&c.lengths, nil)
	}
}

// State is (keys, values, offset, left_padding), the buffers cut at _offset
// (ring order, as upstream).
func (c *BatchRotatingKVCache) State() []*mlx.Array {
	if c.keys == nil {
		return nil
	}
	k, v := alias(c.keys), alias(c.values)
	if c.bufOffset < c.keys.Dim(2) {
		k.Free()
		v.Free()
		k, v = sliceSeq(c.keys, mlx.None, c.bufOffset), sliceSeq(c.values, mlx.None, c.bufOffset)
	}
	return []*mlx.Array{k, v, alias(c.offset), alias(c.leftPadding)}
}

func (c *BatchRotatingKVCache) SetState(s []*mlx.Array) error {
	if len(s) != 4 {
		return fmt.Errorf("BatchRotatingKVCache: state has %d arrays, want 4", len(s))
	}
	set(&c.keys, alias(s[0]))
	set(&c.values, alias(s[1]))
	set(&c.offset, alias(s[2]))
	set(&c.leftPadding, alias(s[3]))
	return nil
}

// MetaState is (max_size, _offset, _idx, rotated) as strings (str(bool) is
// "True"/"False").
func (c *BatchRotatingKVCache) MetaState() []string {
	r := "False"
	if c.rotated {
		r = "True"
	}
	return []string{fmt.Sprint(c.maxSize), fmt.Sprint(c.bufOffset), fmt.Sprint(c.idx), r}
}

// SetMetaState is the meta_state setter. Upstream reads rotated as
// bool(v[3]), which is True for every non-empty string, "False" included; the
// port does the same so that a loaded cache behaves as mlx-lm's does.
func (c *BatchRotatingKVCache) SetMetaState(m []string) error {
	if len(m) != 4 {
		return fmt.Errorf("%s: meta_state has %d entries, want 4", c.ClassName(), len(m))
	}
	v, err := parseInts(m[:3], 3, c.ClassName())
	if err != nil {
		return err
	}
	c.maxSize, c.bufOffset, c.idx = v[0], v[1], v[2]
	c.rotated = m[3] != ""
	return nil
}

// Trim is BatchRotatingKVCache.trim.
func (c *BatchRotatingKVCache) Trim(n int) int {
	n = min(c.bufOffset, n)
	c.bufOffset -= n
	c.idx -= n
	addInt(&c.offset, -n)
	return n
}

// ToQuantized is not implemented upstream either.
func (c *BatchRotatingKVCache) ToQuantized(groupSize, bits int) (*QuantizedKVCache, error) {
	return nil, fmt.Errorf("BatchRotatingKVCache Quantization NYI")
}

// MakeMask is BatchRotatingKVCache.make_mask: always a (B, 1, N, offset+N)
// array (return_array is ignored upstream), rolled into ring order for a
// single-token step once the ring has wrapped.
func (c *BatchRotatingKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	s := mlx.NewScope()
	defer s.Close()
	leftPadding := c.leftPadding
	window := o.WindowSize
	if window == 0 {
		window = c.maxSize
	}
	offset := min(c.maxSize-1, c.bufOffset)
	rinds := mlx.Arange(0, float64(offset+n), 1, mlx.Int32)
	linds := rinds
	if offset != 0 {
		linds = mlx.Arange(float64(offset), float64(offset+n), 1, mlx.Int32)
	}
	linds = linds.Index(mlx.Colon, mlx.NewAxis)
	rinds = rinds.Index(mlx.NewAxis)
	mask := mlx.GreaterEqual(linds, rinds)
	mask = mlx.LogicalAnd(mask, mlx.Less(linds, mlx.Add(rinds, mlx.Int(window))))
	gt1 := 0
	if n > 1 {
		gt1 = 1
	}
	if trimSize := c.idx - c.maxSize + gt1; trimSize > 0 {
		leftPadding = mlx.Subtract(leftPadding, mlx.Int(trimSize))
	}
	rotated := n == 1 && (c.rotated || c.idx >= c.maxSize)
	if rotated {
		leftPadding = mlx.Subtract(leftPadding, mlx.Int(1))
	}
	mask = mlx.LogicalAnd(mask, mlx.GreaterEqual(rinds, mlx.ExpandDims(leftPadding, 1, 2, 3)))
	if rotated {
		idx := c.idx
		if idx >= c.maxSize {
			idx = 0
		}
		mask = roll(mask, idx+1, -1)
	}
	s.Keep(mask)
	return mlx.MaskArray(mask)
}

// Filter is BatchRotatingKVCache.filter (no shift of the padding here,
// unlike BatchKVCache's).
func (c *BatchRotatingKVCache) Filter(batchIndices []int) error {
	bi := batchIndex(batchIndices)
	defer bi.Free()
	set(&c.keys, c.keys.Index(bi))
	set(&c.values, c.values.Index(bi))
	set(&c.offset, c.offset.Index(bi))
	set(&c.leftPadding, c.leftPadding.Index(bi))
	return c.keys.Err()
}

// Extend is BatchRotatingKVCache.extend. Like upstream it may put other into
// temporal order as a side effect.
func (c *BatchRotatingKVCache) Extend(other *BatchRotatingKVCache) {
	s := mlx.NewScope()
	defer s.Close()
	if c.rotated != other.rotated || c.idx != other.idx {
		c.temporalOrder()
		other.temporalOrder()
	}
	maxIdx := max(c.idx, other.idx)
	maxSize := max(c.keys.Dim(2), other.keys.Dim(2))
	var a, b [4]*mlx.Array
	a[0], a[1], a[2], a[3] = padTo(c.keys, c.values, c.offset, c.leftPadding, c.idx, maxIdx, maxSize)
	b[0], b[1], b[2], b[3] = padTo(other.keys, other.values, other.offset, other.leftPadding, other.idx, maxIdx, maxSize)
	extendWith(&c.keys, &c.values, &c.offset, &c.leftPadding, a, b)
	c.idx = maxIdx
	c.bufOffset = max(c.bufOffset, other.bufOffset)
	s.Keep(c.Handles()...)
	s.Keep(other.Handles()...)
}

// Extract is BatchRotatingKVCache.extract: sequence idx in temporal order
// without its padding, as a RotatingKVCache(max_size) (keep 0).
func (c *BatchRotatingKVCache) Extract(idx int) (*RotatingKVCache, error) {
	padding, err := itemAt(c.leftPadding, idx)
	if err != nil {
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: %w", err)
	}
	offset, err := itemAt(c.offset, idx)
	if err != nil {
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: %w", err)
	}
	s := mlx.NewScope()
	defer s.Close()
	out := NewRotatingKVCache(c.maxSize, 0)
	row := mlx.Slice(idx, idx+1, 1)
	k := c.keys.Index(row)
	v := c.values.Index(row)
	cidx := c.idx
	if c.rotated {
		k = roll(k, -c.idx, 2)
		v = roll(v, -c.idx, 2)
		cidx = c.maxSize
	}
	out.keys = mlx.Contiguous(k.Index(mlx.Colon, mlx.Colon, seq(padding, cidx)))
	out.values = mlx.Contiguous(v.Index(mlx.Colon, mlx.Colon, seq(padding, cidx)))
	out.offset = offset
	out.idx = out.keys.Dim(2)
	s.Keep(out.Handles()...)
	return out, out.keys.Err()
}

// MergeBatchRotatingKVCache is BatchRotatingKVCache.merge(caches) (and
// RotatingKVCache.merge): RotatingKVCaches of one max_size, each in temporal
// order, left-padded into one batch.
func MergeBatchRotatingKVCache(caches []*RotatingKVCache) (*BatchRotatingKVCache, error) {
	for _, c := range caches {
		if c.maxSize != caches[0].maxSize {
			return nil, fmt.Errorf("BatchRotatingKVCache can only merge caches with the same maximum size")
		}
	}
	s := mlx.NewScope()
	defer s.Close()
	offsets := make([]int32, len(caches))
	lengths := make([]int, len(caches))
	maxLength := 0
	var first *RotatingKVCache
	H, Dk, Dv := 0, 0, 0
	for i, c := range caches {
		offsets[i] = int32(c.offset)
		lengths[i] = c.Size()
		maxLength = max(maxLength, lengths[i])
		if c.keys != nil {
			if first == nil {
				first = c
			}
			H, Dk, Dv = max(H, c.keys.Dim(1)), max(Dk, c.keys.Dim(3)), max(Dv, c.values.Dim(3))
		}
	}
	if first == nil {
		return nil, fmt.Errorf("BatchRotatingKVCache.merge: no cache holds keys")
	}
	padding := make([]int32, len(caches))
	for i, l := range lengths {
		padding[i] = int32(maxLength - l)
	}
	B := len(caches)
	keys := mlx.Zeros(first.keys.Dtype(), B, H, maxLength, Dk)
	values := mlx.Zeros(first.keys.Dtype(), B, H, maxLength, Dv)
	for i, c := range caches {
		if c.keys == nil {
			continue
		}
		p := int(padding[i])
		dst := []any{mlx.Slice(i, i+1, 1), mlx.Colon, seq(p, p+c.idx)}
		keys = keys.SetIndex(c.temporalOrder(c.keys), dst...)
		values = values.SetIndex(c.temporalOrder(c.values), dst...)
	}
	out := NewBatchRotatingKVCache(caches[0].maxSize, padding)
	out.keys, out.values = keys, values
	set(&out.offset, int32s(offsets))
	out.idx = keys.Dim(2)
	out.bufOffset = keys.Dim(2)
	s.Keep(out.Handles()...)
	for _, a := range out.Handles() {
		if err := a.Err(); err != nil {
			return nil, fmt.Errorf("BatchRotatingKVCache.merge: %w", err)
		}
	}
	return out, nil
}

// ---- the batch methods of ArraysCache and CacheList ----

// Filter is ArraysCache.filter: every entry's batch rows batch_indices.
func (c *ArraysCache) Filter(batchIndices []int) error {
	bi := batchIndex(batchIndices)
	defer bi.Free()
	for i, a := range c.Cache {
		if a == nil {
			return fmt.Errorf("%s.filter: entry %d is None", c.ClassName(), i)
		}
		set(&c.Cache[i], a.Index(bi))
	}
	return nil
}

// Extend is ArraysCache.extend: entries concatenated along the batch axis
// (zip: as many as the shorter cache has).
func (c *ArraysCache) Extend(other *ArraysCache) error {
	n := min(len(c.Cache), len(other.Cache))
	for i := range n {
		if c.Cache[i] == nil || other.Cache[i] == nil {
			return fmt.Errorf("%s.extend: entry %d is None", c.ClassName(), i)
		}
	}
	for i := range n {
		set(&c.Cache[i], mlx.Concatenate([]*mlx.Array{c.Cache[i], other.Cache[i]}, 0))
	}
	for _, a := range c.Cache[n:] {
		a.Free()
	}
	c.Cache = c.Cache[:n]
	return nil
}

// Extract is ArraysCache.extract: row idx of every entry, in a new
// ArraysCache (of that class even when c is a MambaCache, as upstream).
func (c *ArraysCache) Extract(idx int) (*ArraysCache, error) {
	out := NewArraysCache(len(c.Cache), nil)
	for i, a := range c.Cache {
		if a == nil {
			return nil, fmt.Errorf("%s.extract: entry %d is None", c.ClassName(), i)
		}
		out.Cache[i] = a.Index(mlx.Slice(idx, idx+1, 1))
	}
	return out, nil
}

// MergeArraysCache is ArraysCache.merge(caches) with cls the class of
// caches[0]: every entry stacked into a zero-initialised batch, rows whose
// entry is None left zero. For MambaCache, cls(n_state) passes n_state as
// MambaCache's left_padding, so upstream's result carries
// left_padding = mx.array(n_state); the port does the same.
func MergeArraysCache(caches []*ArraysCache) (*ArraysCache, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("ArraysCache.merge: no caches")
	}
	s := mlx.NewScope()
	defer s.Close()
	nState := len(caches[0].Cache)
	B := len(caches)
	out := NewArraysCache(nState, nil)
	out.class = caches[0].ClassName()
	if out.class == "MambaCache" {
		if nState != 2 {
			return nil, fmt.Errorf("MambaCache.merge: %d entries, MambaCache(n_state) has 2", nState)
		}
		out = NewMambaCache(nil)
		out.LeftPadding = mlx.Scalar(float64(nState), mlx.Int32)
	}
	for e := range nState {
		var init *mlx.Array
		for _, c := range caches {
			if e < len(c.Cache) && c.Cache[e] != nil {
				init = c.Cache[e]
				break
			}
		}
		if init == nil {
			return nil, fmt.Errorf("ArraysCache.merge: entry %d is None in every cache", e)
		}
		shape := init.Shape()
		shape[0] = B
		a := mlx.Zeros(init.Dtype(), shape...)
		for i, c := range caches {
			if e >= len(c.Cache) || c.Cache[e] == nil {
				continue
			}
			a = a.SetIndex(c.Cache[e], mlx.Slice(i, i+1, 1))
		}
		out.Cache[e] = a
	}
	s.Keep(out.Handles()...)
	for _, a := range out.Handles() {
		if err := a.Err(); err != nil {
			return nil, fmt.Errorf("ArraysCache.merge: %w", err)
		}
	}
	return out, nil
}

// MergeCaches is type(caches[0]).merge(caches), the classmethod mlx-lm's
// batch generator calls on a layer's caches: KVCache and RotatingKVCache
// merge into their batch classes, ArraysCache (MambaCache) and CacheList
// into their own. Upstream also defines merge on the batch classes
// themselves, where it reads size(), which is 0 for them; those are refused
// here rather than merged into an empty batch.
func MergeCaches(caches []Cache) (Cache, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("merge: no caches")
	}
	switch caches[0].(type) {
	case *KVCache:
		cs, err := castAll[*KVCache](caches)
		if err != nil {
			return nil, err
		}
		return MergeBatchKVCache(cs)
	case *RotatingKVCache:
		cs, err := castAll[*RotatingKVCache](caches)
		if err != nil {
			return nil, err
		}
		return MergeBatchRotatingKVCache(cs)
	case *ArraysCache:
		cs, err := castAll[*ArraysCache](caches)
		if err != nil {
			return nil, err
		}
		return MergeArraysCache(cs)
	case *CacheList:
		cs, err := castAll[*CacheList](caches)
		if err != nil {
			return nil, err
		}
		return MergeCacheList(cs)
	}
	return nil, fmt.Errorf("merge: %s does not support merging", caches[0].ClassName())
}

func castAll[T Cache](caches []Cache) ([]T, error) {
	out := make([]T, len(caches))
	for i, c := range caches {
		x, ok := c.(T)
		if !ok {
			return nil, fmt.Errorf("merge: cache %d is %s, not %s", i, c.ClassName(), caches[0].ClassName())
		}
		out[i] = x
	}
	return out, nil
}

// MergeCacheList is CacheList.merge: member i merged across the lists.
func MergeCacheList(caches []*CacheList) (*CacheList, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("CacheList.merge: no caches")
	}
	out := &CacheList{}
	for i := range caches[0].Caches {
		members := make([]Cache, len(caches))
		for j, c := range caches {
			if i >= len(c.Caches) {
				return nil, fmt.Errorf("CacheList.merge: list %d has %d members, want %d", j, len(c.Caches), len(caches[0].Caches))
			}
			members[j] = c.Caches[i]
		}
		m, err := MergeCaches(members)
		if err != nil {
			return nil, err
		}
		out.Caches = append(out.Caches, m)
	}
	return out, nil
}

// Filter is CacheList.filter.
func (c *CacheList) Filter(batchIndices []int) error {
	for _, x := range c.Caches {
		f, ok := x.(interface{ Filter([]int) error })
		if !ok {
			return fmt.Errorf("CacheList.filter: %s has no filter", x.ClassName())
		}
		if err := f.Filter(batchIndices); err != nil {
			return err
		}
	}
	return nil
}

// Extend is CacheList.extend: member by member (zip).
func (c *CacheList) Extend(other *CacheList) error {
	for i := range min(len(c.Caches), len(other.Caches)) {
		if err := extendCache(c.Caches[i], other.Caches[i]); err != nil {
			return err
		}
	}
	return nil
}

func extendCache(c, o Cache) error {
	bad := fmt.Errorf("CacheList.extend: cannot extend %s with %s", c.ClassName(), o.ClassName())
	switch x := c.(type) {
	case *BatchKVCache:
		y, ok := o.(*BatchKVCache)
		if !ok {
			return bad
		}
		x.Extend(y)
		return nil
	case *BatchRotatingKVCache:
		y, ok := o.(*BatchRotatingKVCache)
		if !ok {
			return bad
		}
		x.Extend(y)
		return nil
	case *ArraysCache:
		y, ok := o.(*ArraysCache)
		if !ok {
			return bad
		}
		return x.Extend(y)
	case *CacheList:
		y, ok := o.(*CacheList)
		if !ok {
			return bad
		}
		return x.Extend(y)
	}
	return bad
}

// Extract is CacheList.extract: every member's extract(idx).
func (c *CacheList) Extract(idx int) (*CacheList, error) {
	out := &CacheList{}
	for _, x := range c.Caches {
		var e Cache
		var err error
		switch m := x.(type) {
		case *BatchKVCache:
			e, err = m.Extract(idx)
		case *BatchRotatingKVCache:
			e, err = m.Extract(idx)
		case *ArraysCache:
			e, err = m.Extract(idx)
		case *CacheList:
			e, err = m.Extract(idx)
		default:
			err = fmt.Errorf("CacheList.extract: %s has no extract", x.ClassName())
		}
		if err != nil {
			return nil, err
		}
		out.Caches = append(out.Caches, e)
	}
	return out, nil
}

// Prepare is CacheList.prepare(**kwargs), passed to every member. An
// ArraysCache member takes only lengths (mx.array(None) fails upstream, so
// nil lengths is an error there).
func (c *CacheList) Prepare(o PrepareOpts) error {
	for _, x := range c.Caches {
		var err error
		switch m := x.(type) {
		case *BatchKVCache:
			err = m.Prepare(o)
		case *BatchRotatingKVCache:
			err = m.Prepare(o)
		case *CacheList:
			err = m.Prepare(o)
		case *ArraysCache:
			if o.Lengths == nil {
				err = fmt.Errorf("%s.prepare: lengths is None", m.ClassName())
			} else {
				m.Prepare(o.Lengths)
			}
		default:
			err = fmt.Errorf("CacheList.prepare: %s has no prepare", x.ClassName())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Finalize is CacheList.finalize; members without finalize are an error, as
// the AttributeError upstream.
func (c *CacheList) Finalize() error {
	for _, x := range c.Caches {
		switch m := x.(type) {
		case *BatchKVCache:
			m.Finalize()
		case *BatchRotatingKVCache:
			m.Finalize()
		case *ArraysCache:
			m.Finalize()
		case *CacheList:
			if err := m.Finalize(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("CacheList.finalize: %s has no finalize", x.ClassName())
		}
	}
	return nil
}
