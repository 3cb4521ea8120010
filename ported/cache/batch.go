// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// This file holds the caches of mlx-lm's batched generation: BatchKVCache,
// BatchRotatingKVCache, dynamic_roll, and the classmethods KVCache.merge and
// RotatingKVCache.merge (MergeBatchKVCache, MergeBatchRotatingKVCache), and
// MergeCaches (type(caches[0]).merge(caches)).
//
// Per-sequence quantities that Python keeps as mx.array (offset,
// left_padding) are int32 (B,) arrays here too, exactly as mx.array(list of
// ints) makes them. Methods that read them back (.tolist() upstream) return
// an error when the read fails.

// DynamicRoll is dynamic_roll(x, shifts, axis): x rolled along axis by a
// different amount per leading index, shifts broadcasting against
// x.shape[:axis]. axis must be non-negative (Python's expression counts
// trailing dimensions from it; every caller passes 2).
func DynamicRoll(x, shifts *mlx.Array, axis int) *mlx.Array {
	if err := firstErr(x, shifts); err != nil {
		return mlx.Errorf("dynamic_roll", "%v", err)
	}
	if axis < 0 || axis >= x.Ndim() {
		return mlx.Errorf("dynamic_roll", "axis %d out of range for %d dimensions", axis, x.Ndim())
	}
	var t temps
	defer t.free()
	n := x.Dim(axis)
	// expand_shifts = (...,) + (None,) * (x.ndim - axis); expand_indices drops
	// one None.
	k := x.Ndim() - axis
	shiftIdx := []any{mlx.Ellipsis}
	for range k {
		shiftIdx = append(shiftIdx, mlx.NewAxis)
	}
	ar := t.add(t.add(mlx.Arange(0, float64(n), 1, mlx.Int32)).Index(shiftIdx[:k]...))
	idx := t.add(mlx.Remainder(t.add(mlx.Subtract(ar, t.add(shifts.Index(shiftIdx...)))), mlx.Int(n)))
	return mlx.TakeAlongAxis(x, idx, axis)
}

func negInt32s(v []int32) []int32 {
	out := make([]int32, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

// addInt is a = a + n on a held (B,) array.
func addInt(slot **mlx.Array, n int) { set(slot, mlx.Add(*slot, mlx.Int(n))) }

// addArr is a = a + b (sign 1) or a = a - b (sign -1) on a held array.
func addArr(slot **mlx.Array, b *mlx.Array, sign int) {
	if sign < 0 {
		set(slot, mlx.Subtract(*slot, b))
	} else {
		set(slot, mlx.Add(*slot, b))
	}
}

// ints is a.tolist() for an integer (B,) array.
func ints(a *mlx.Array) ([]int, error) {
	if a == nil {
		return nil, fmt.Errorf("array is None")
	}
	b := mlx.Astype(a, mlx.Int64)
	defer b.Free()
	v, err := mlx.ToSlice[int64](b)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out, nil
}

// batchIndex is the array Python's c[batch_indices] gathers with.
func batchIndex(batchIndices []int) *mlx.Array {
	v := make([]int32, len(batchIndices))
	for i, b := range batchIndices {
		v[i] = int32(b)
	}
	return mlx.FromSlice(v)
}

// maxRight is `right_padding is not None and max(right_padding) > 0`.
func maxRight(class string, rp []int32) (bool, error) {
	if rp == nil {
		return false, nil
	}
	if len(rp) == 0 {
		return false, fmt.Errorf("%s.prepare: right_padding is empty (max() of an empty sequence)", class)
	}
	m := rp[0]
	for _, x := range rp {
		m = max(m, x)
	}
	return m > 0, nil
}

// batchKV are the fields extend's pad(c) reads.
type batchKV struct {
	keys, values, offset, leftPadding *mlx.Array
	idx                               int
}

// extendPadded is the shared body of both extend methods: self and other
// right-justified at the larger _idx in buffers of the larger length, then
// concatenated along the batch axis (a cache without keys contributes
// zero-length buffers).
func extendPadded(a, b batchKV) (keys, values, offset, leftPadding *mlx.Array, maxIdx int) {
	var t temps
	defer t.free()
	maxIdx = max(a.idx, b.idx)
	var H, D, M int
	L1, L2 := 0, 0
	if a.keys != nil {
		H, L1, D, M = a.keys.Dim(1), a.keys.Dim(2), a.keys.Dim(3), a.values.Dim(3)
	}
	if b.keys != nil {
		H, L2, D, M = b.keys.Dim(1), b.keys.Dim(2), b.keys.Dim(3), b.values.Dim(3)
	}
	maxSize := max(L1, L2)
	dtype := b.keys
	if a.keys != nil {
		dtype = a.keys
	}
	pad := func(c batchKV) (k, v, off, lp *mlx.Array) {
		k, v = c.keys, c.values
		if k == nil {
			Bc := c.offset.Dim(0)
			k = t.add(mlx.Zeros(dtype.Dtype(), Bc, H, 0, D))
			v = t.add(mlx.Zeros(dtype.Dtype(), Bc, H, 0, M))
		}
		left := maxIdx - c.idx
		right := maxSize - k.Dim(2) - left
		if right < 0 {
			k = t.add(sliceSeq(k, mlx.None, right))
			v = t.add(sliceSeq(v, mlx.None, right))
			right = 0
		}
		if left != 0 || right != 0 {
			w := []mlx.PadWidth{{}, {}, {Before: left, After: right}, {}}
			k = t.add(mlx.Pad(k, w, nil))
			v = t.add(mlx.Pad(v, w, nil))
		}
		return k, v, c.offset, t.add(mlx.Add(c.leftPadding, mlx.Int(left)))
	}
	ak, av, ao, alp := pad(a)
	bk, bv, bo, blp := pad(b)
	cat := func(x, y *mlx.Array) *mlx.Array { return mlx.Concatenate([]*mlx.Array{x, y}, 0) }
	return cat(ak, bk), cat(av, bv), cat(ao, bo), cat(alp, blp), maxIdx
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
	return &BatchKVCache{leftPadding: mlx.FromSlice(leftPadding), offset: mlx.FromSlice(negInt32s(leftPadding))}
}

// Offset and LeftPadding are fresh handles to the (B,) arrays; Idx is _idx.
func (c *BatchKVCache) Offset() *mlx.Array      { return alias(c.offset) }
func (c *BatchKVCache) LeftPadding() *mlx.Array { return alias(c.leftPadding) }
func (c *BatchKVCache) Idx() int                { return c.idx }
func (c *BatchKVCache) ClassName() string       { return "BatchKVCache" }
func (c *BatchKVCache) Empty() bool             { return c.keys == nil }
func (c *BatchKVCache) Size() int               { return c.idx }
func (c *BatchKVCache) IsTrimmable() bool       { return true }
func (c *BatchKVCache) Handles() []*mlx.Array {
	return nonNil(c.keys, c.values, c.leftPadding, c.offset, c.rightPadding)
}
func (c *BatchKVCache) Nbytes() int { return nbytes(c.keys, c.values) }

// UpdateAndFetch is BatchKVCache.update_and_fetch: KVCache's growth in steps
// of 256 at the shared position _idx; every sequence's offset advances.
func (c *BatchKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return errPair(err)
	}
	prev := c.idx
	growAndWrite(&c.keys, &c.values, prev, keys, values)
	addInt(&c.offset, keys.Dim(2))
	c.idx += keys.Dim(2)
	return c.KeysAndValues()
}

// KeysAndValues is BatchKVCache.keys_and_values: the buffers cut at _idx.
func (c *BatchKVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		return errPair(fmt.Errorf("%s.keys_and_values: the cache is empty", c.ClassName()))
	}
	return sliceSeq(c.keys, mlx.None, c.idx), sliceSeq(c.values, mlx.None, c.idx)
}

// Prepare is BatchKVCache.prepare: extra left padding for an empty cache, or
// right padding that Finalize moves to the left.
func (c *BatchKVCache) Prepare(o PrepareOpts) error {
	if o.LeftPadding != nil {
		if c.keys != nil {
			return fmt.Errorf("Left padding can only be added to an empty BatchKVCache")
		}
		lp := mlx.FromSlice(o.LeftPadding)
		addArr(&c.leftPadding, lp, 1)
		addArr(&c.offset, lp, -1)
		lp.Free()
	}
	if ok, err := maxRight(c.ClassName(), o.RightPadding); err != nil {
		return err
	} else if ok {
		set(&c.rightPadding, mlx.FromSlice(o.RightPadding))
	}
	return firstErr(c.Handles()...)
}

// Finalize is BatchKVCache.finalize: right padding rolled to the left.
func (c *BatchKVCache) Finalize() error {
	if c.rightPadding == nil {
		return nil
	}
	if c.keys != nil {
		p := c.rightPadding.Index(mlx.Colon, mlx.NewAxis)
		set(&c.keys, DynamicRoll(c.keys, p, 2))
		set(&c.values, DynamicRoll(c.values, p, 2))
		p.Free()
	}
	addArr(&c.offset, c.rightPadding, -1)
	addArr(&c.leftPadding, c.rightPadding, 1)
	set(&c.rightPadding, nil)
	return firstErr(c.Handles()...)
}

// State is (keys, values, offset, left_padding, _idx), the buffers whole.
func (c *BatchKVCache) State() State {
	return State{alias(c.keys), alias(c.values), alias(c.offset), alias(c.leftPadding), c.idx}
}

// SetState is the state setter. (_right_padding is not part of the state;
// upstream's from_state leaves it unset, so finalize raises there; here it is
// None and the cache works.)
func (c *BatchKVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(5) {
		return r.err
	}
	k, v := r.array(0, true), r.array(1, true)
	off, lp, idx := r.array(2, false), r.array(3, false), r.int(4)
	if err := r.pair(0, 1); err != nil {
		return err
	}
	set(&c.keys, alias(k))
	set(&c.values, alias(v))
	set(&c.offset, alias(off))
	set(&c.leftPadding, alias(lp))
	c.idx = idx
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
	if c.keys != nil {
		set(&c.keys, c.keys.Index(bi))
		set(&c.values, c.values.Index(bi))
	}
	set(&c.offset, c.offset.Index(bi))
	set(&c.leftPadding, c.leftPadding.Index(bi))
	lp, err := ints(c.leftPadding)
	if err != nil {
		return fmt.Errorf("BatchKVCache.filter: %w", err)
	}
	if len(lp) == 0 {
		return fmt.Errorf("BatchKVCache.filter: no rows left (min() of an empty sequence)")
	}
	minLeftPad := lp[0]
	for _, x := range lp {
		minLeftPad = min(minLeftPad, x)
	}
	if minLeftPad > 0 {
		if c.keys != nil {
			set(&c.keys, sliceSeq(c.keys, minLeftPad, mlx.None))
			set(&c.values, sliceSeq(c.values, minLeftPad, mlx.None))
		}
		c.idx -= minLeftPad
		addInt(&c.leftPadding, -minLeftPad)
	}
	return firstErr(c.Handles()...)
}

// Extend is BatchKVCache.extend: other's sequences appended to the batch,
// both right-justified at the larger _idx.
func (c *BatchKVCache) Extend(other Cache) error {
	o, ok := other.(*BatchKVCache)
	if !ok {
		return fmt.Errorf("BatchKVCache.extend: cannot extend with %s", other.ClassName())
	}
	if c.keys == nil && o.keys == nil {
		set(&c.leftPadding, mlx.Concatenate([]*mlx.Array{c.leftPadding, o.leftPadding}, 0))
		set(&c.offset, mlx.Concatenate([]*mlx.Array{c.offset, o.offset}, 0))
		return firstErr(c.Handles()...)
	}
	k, v, off, lp, maxIdx := extendPadded(
		batchKV{c.keys, c.values, c.offset, c.leftPadding, c.idx},
		batchKV{o.keys, o.values, o.offset, o.leftPadding, o.idx})
	set(&c.keys, k)
	set(&c.values, v)
	set(&c.offset, off)
	set(&c.leftPadding, lp)
	c.idx = maxIdx
	return firstErr(c.Handles()...)
}

// Extract is BatchKVCache.extract: sequence idx without its padding, as a
// KVCache.
func (c *BatchKVCache) Extract(idx int) (Cache, error) {
	lp, err := ints(c.leftPadding)
	if err != nil {
		return nil, fmt.Errorf("BatchKVCache.extract: %w", err)
	}
	if idx < 0 || idx >= len(lp) {
		return nil, fmt.Errorf("BatchKVCache.extract: index %d out of range for a batch of %d", idx, len(lp))
	}
	if c.keys == nil {
		return nil, fmt.Errorf("BatchKVCache.extract: the cache is empty")
	}
	padding := lp[idx]
	out := NewKVCache()
	row := mlx.Slice(idx, idx+1, 1)
	k := c.keys.Index(row, mlx.Colon, seq(padding, c.idx))
	v := c.values.Index(row, mlx.Colon, seq(padding, c.idx))
	out.keys, out.values = mlx.Contiguous(k), mlx.Contiguous(v)
	k.Free()
	v.Free()
	out.offset = out.keys.Dim(2)
	if err := firstErr(out.keys, out.values); err != nil {
		Free(out)
		return nil, fmt.Errorf("BatchKVCache.extract: %w", err)
	}
	return out, nil
}

// kvDims are H, Dk, Dv and the dtype of the first cache with keys: the
// shape of merge's zero buffers.
func kvDims(keys, values []*mlx.Array) (H, Dk, Dv int, dt mlx.Dtype, ok bool) {
	for i, k := range keys {
		if k == nil {
			continue
		}
		if !ok {
			dt, ok = k.Dtype(), true
		}
		H, Dk, Dv = max(H, k.Dim(1)), max(Dk, k.Dim(3)), max(Dv, values[i].Dim(3))
	}
	return
}

// MergeBatchKVCache is BatchKVCache.merge(caches) (and KVCache.merge, which
// calls it): KVCaches of different lengths left-padded into one batch.
func MergeBatchKVCache(caches []*KVCache) (*BatchKVCache, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("BatchKVCache.merge: no caches")
	}
	lengths := make([]int, len(caches))
	maxLength := 0
	ks, vs := make([]*mlx.Array, len(caches)), make([]*mlx.Array, len(caches))
	for i, c := range caches {
		lengths[i] = c.Size()
		maxLength = max(maxLength, lengths[i])
		ks[i], vs[i] = c.keys, c.values
	}
	if maxLength == 0 {
		return NewBatchKVCache(make([]int32, len(caches))), nil
	}
	const className = "BatchKVCache"
	H, Dk, Dv, dt, ok := kvDims(ks, vs)
	if !ok {
		return nil, fmt.Errorf("%s.merge: no cache holds keys", className)
	}
	padding := make([]int32, len(caches))
	for i, l := range lengths {
		padding[i] = int32(maxLength - l)
	}
	B := len(caches)
	keys := mlx.Zeros(dt, B, H, maxLength, Dk)
	values := mlx.Zeros(dt, B, H, maxLength, Dv)
	for i, c := range caches {
		if c.keys == nil {
			continue
		}
		p := int(padding[i])
		dst := []any{mlx.Slice(i, i+1, 1), mlx.Colon, seq(p, p+c.offset)}
		k, v := sliceSeq(c.keys, mlx.None, c.offset), sliceSeq(c.values, mlx.None, c.offset)
		set(&keys, keys.SetIndex(k, dst...))
		set(&values, values.SetIndex(v, dst...))
		k.Free()
		v.Free()
	}
	out := NewBatchKVCache(padding)
	out.keys, out.values = keys, values
	addInt(&out.offset, keys.Dim(2))
	out.idx = keys.Dim(2)
	if err := firstErr(out.Handles()...); err != nil {
		Free(out)
		return nil, fmt.Errorf("BatchKVCache.merge: %w", err)
	}
	return out, nil
}

func (c *BatchKVCache) Copy() Cache {
	return &BatchKVCache{keys: alias(c.keys), values: alias(c.values), leftPadding: alias(c.leftPadding),
		offset: alias(c.offset), idx: c.idx, rightPadding: alias(c.rightPadding)}
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
	return &BatchRotatingKVCache{maxSize: maxSize, leftPadding: mlx.FromSlice(leftPadding),
		offset: mlx.FromSlice(negInt32s(leftPadding))}
}

func (c *BatchRotatingKVCache) Offset() *mlx.Array      { return alias(c.offset) }
func (c *BatchRotatingKVCache) LeftPadding() *mlx.Array { return alias(c.leftPadding) }
func (c *BatchRotatingKVCache) Idx() int                { return c.idx }
func (c *BatchRotatingKVCache) MaxSize() int            { return c.maxSize }
func (c *BatchRotatingKVCache) Rotated() bool           { return c.rotated }
func (c *BatchRotatingKVCache) ClassName() string       { return "BatchRotatingKVCache" }
func (c *BatchRotatingKVCache) Empty() bool             { return c.keys == nil }
func (c *BatchRotatingKVCache) Size() int               { return min(c.bufOffset, c.maxSize) }
func (c *BatchRotatingKVCache) IsTrimmable() bool       { return c.bufOffset < c.maxSize }
func (c *BatchRotatingKVCache) Handles() []*mlx.Array {
	return nonNil(c.keys, c.values, c.leftPadding, c.offset, c.lengths)
}
func (c *BatchRotatingKVCache) Nbytes() int { return nbytes(c.keys, c.values) }

// trim is BatchRotatingKVCache._trim: drop the first trimSize positions and
// append. It returns a fresh array.
func (c *BatchRotatingKVCache) trim(trimSize int, v, appendV *mlx.Array) *mlx.Array {
	if trimSize > 0 {
		v = sliceSeq(v, trimSize, mlx.None)
		if appendV == nil {
			return v
		}
		defer v.Free()
	}
	if appendV != nil {
		return mlx.Concatenate([]*mlx.Array{v, appendV}, 2)
	}
	return alias(v)
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
	addArr(&c.leftPadding, r, 1)
	addArr(&c.offset, r, -1)
	r.Free()
}

// depends is `keys = mx.depends(keys, (left_padding, offset))`: evaluating
// the keys evaluates the padding and offsets too.
func (c *BatchRotatingKVCache) depends() {
	out, err := mlx.Depends([]*mlx.Array{c.keys}, []*mlx.Array{c.leftPadding, c.offset})
	if err != nil {
		set(&c.keys, mlx.Errorf("depends", "%v", err))
		return
	}
	set(&c.keys, out[0])
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
	c.depends()
	return alias(c.keys), alias(c.values)
}

func (c *BatchRotatingKVCache) updateInPlace(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if c.lengths != nil {
		return errPair(fmt.Errorf("finalize() should be called before deocoding with BatchRotatingKVCache"))
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
	c.depends()
	return c.KeysAndValues()
}

// UpdateAndFetch is BatchRotatingKVCache.update_and_fetch: single tokens go
// into the ring in place, longer updates are concatenated in temporal order.
func (c *BatchRotatingKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return errPair(err)
	}
	if keys.Dim(2) == 1 {
		return c.updateInPlace(keys, values)
	}
	return c.updateConcat(keys, values)
}

// KeysAndValues is BatchRotatingKVCache.keys_and_values: the ring, cut at
// _offset until it has filled.
func (c *BatchRotatingKVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	return headOrAll(c.ClassName(), c.keys, c.values, c.bufOffset)
}

// Prepare is BatchRotatingKVCache.prepare: extra left padding for an empty
// cache; with right padding, the per-sequence end positions (lengths +
// offset) that keep padding from evicting valid positions.
func (c *BatchRotatingKVCache) Prepare(o PrepareOpts) error {
	if o.LeftPadding != nil {
		if c.keys != nil {
			return fmt.Errorf("Left padding can only be added to an empty BatchRotatingKVCache")
		}
		lp := mlx.FromSlice(o.LeftPadding)
		addArr(&c.leftPadding, lp, 1)
		addArr(&c.offset, lp, -1)
		lp.Free()
	}
	if ok, err := maxRight(c.ClassName(), o.RightPadding); err != nil {
		return err
	} else if ok {
		if o.Lengths == nil {
			return fmt.Errorf("BatchRotatingKVCache.prepare: right_padding without lengths (mx.array(None))")
		}
		l := mlx.FromSlice(o.Lengths)
		set(&c.lengths, mlx.Add(l, c.offset))
		l.Free()
	}
	return firstErr(c.Handles()...)
}

// Finalize is BatchRotatingKVCache.finalize.
func (c *BatchRotatingKVCache) Finalize() error {
	if c.lengths != nil {
		c.rollPadded()
		set(&c.lengths, nil)
	}
	return firstErr(c.Handles()...)
}

// State is (keys, values, offset, left_padding, max_size, _offset, _idx,
// rotated), the ring whole.
func (c *BatchRotatingKVCache) State() State {
	return State{alias(c.keys), alias(c.values), alias(c.offset), alias(c.leftPadding),
		c.maxSize, c.bufOffset, c.idx, c.rotated}
}

// SetState is the state setter (_lengths is not part of the state; see
// BatchKVCache.SetState).
func (c *BatchRotatingKVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(8) {
		return r.err
	}
	k, v := r.array(0, true), r.array(1, true)
	off, lp := r.array(2, false), r.array(3, false)
	maxSize, bufOffset, idx, rotated := r.int(4), r.int(5), r.int(6), r.bool(7)
	if err := r.pair(0, 1); err != nil {
		return err
	}
	set(&c.keys, alias(k))
	set(&c.values, alias(v))
	set(&c.offset, alias(off))
	set(&c.leftPadding, alias(lp))
	c.maxSize, c.bufOffset, c.idx, c.rotated = maxSize, bufOffset, idx, rotated
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
	var t temps
	defer t.free()
	leftPadding := c.leftPadding
	window := o.WindowSize
	if window == 0 {
		window = c.maxSize
	}
	offset := min(c.maxSize-1, c.bufOffset)
	rinds := t.add(mlx.Arange(0, float64(offset+n), 1, mlx.Int32))
	linds := rinds
	if offset != 0 {
		linds = t.add(mlx.Arange(float64(offset), float64(offset+n), 1, mlx.Int32))
	}
	linds = t.add(linds.Index(mlx.Colon, mlx.NewAxis))
	rinds = t.add(rinds.Index(mlx.NewAxis))
	mask := t.add(mlx.GreaterEqual(linds, rinds))
	mask = t.add(mlx.LogicalAnd(mask, t.add(mlx.Less(linds, t.add(mlx.Add(rinds, mlx.Int(window)))))))
	gt1 := 0
	if n > 1 {
		gt1 = 1
	}
	if trimSize := c.idx - c.maxSize + gt1; trimSize > 0 {
		leftPadding = t.add(mlx.Subtract(leftPadding, mlx.Int(trimSize)))
	}
	rotated := n == 1 && (c.rotated || c.idx >= c.maxSize)
	if rotated {
		leftPadding = t.add(mlx.Subtract(leftPadding, mlx.Int(1)))
	}
	mask = mlx.LogicalAnd(mask, t.add(mlx.GreaterEqual(rinds, t.add(mlx.ExpandDims(leftPadding, 1, 2, 3)))))
	if rotated {
		idx := c.idx
		if idx >= c.maxSize {
			idx = 0
		}
		m := roll(t.add(mask), idx+1, -1)
		mask = m
	}
	return mlx.MaskArray(mask)
}

// Filter is BatchRotatingKVCache.filter (no shift of the padding here,
// unlike BatchKVCache's).
func (c *BatchRotatingKVCache) Filter(batchIndices []int) error {
	bi := batchIndex(batchIndices)
	defer bi.Free()
	if c.keys != nil {
		set(&c.keys, c.keys.Index(bi))
		set(&c.values, c.values.Index(bi))
	}
	set(&c.offset, c.offset.Index(bi))
	set(&c.leftPadding, c.leftPadding.Index(bi))
	return firstErr(c.Handles()...)
}

// Extend is BatchRotatingKVCache.extend. Like upstream it may put other into
// temporal order as a side effect.
func (c *BatchRotatingKVCache) Extend(other Cache) error {
	o, ok := other.(*BatchRotatingKVCache)
	if !ok {
		return fmt.Errorf("BatchRotatingKVCache.extend: cannot extend with %s", other.ClassName())
	}
	if c.keys == nil && o.keys == nil {
		set(&c.leftPadding, mlx.Concatenate([]*mlx.Array{c.leftPadding, o.leftPadding}, 0))
		set(&c.offset, mlx.Concatenate([]*mlx.Array{c.offset, o.offset}, 0))
		return firstErr(c.Handles()...)
	}
	if c.rotated != o.rotated || c.idx != o.idx {
		c.temporalOrder()
		o.temporalOrder()
	}
	k, v, off, lp, maxIdx := extendPadded(
		batchKV{c.keys, c.values, c.offset, c.leftPadding, c.idx},
		batchKV{o.keys, o.values, o.offset, o.leftPadding, o.idx})
	set(&c.keys, k)
	set(&c.values, v)
	set(&c.offset, off)
	set(&c.leftPadding, lp)
	c.idx = maxIdx
	c.bufOffset = max(c.bufOffset, o.bufOffset)
	return firstErr(c.Handles()...)
}

// Extract is BatchRotatingKVCache.extract: sequence idx in temporal order
// without its padding, as a RotatingKVCache(max_size) (keep 0).
func (c *BatchRotatingKVCache) Extract(idx int) (Cache, error) {
	lp, err := ints(c.leftPadding)
	if err != nil {
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: %w", err)
	}
	offs, err := ints(c.offset)
	if err != nil {
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: %w", err)
	}
	if idx < 0 || idx >= len(lp) || idx >= len(offs) {
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: index %d out of range for a batch of %d", idx, len(lp))
	}
	if c.keys == nil {
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: the cache is empty")
	}
	var t temps
	defer t.free()
	padding := max(0, lp[idx])
	out := NewRotatingKVCache(c.maxSize, 0)
	row := mlx.Slice(idx, idx+1, 1)
	k := t.add(c.keys.Index(row))
	v := t.add(c.values.Index(row))
	cidx := c.idx
	if c.rotated {
		k = t.add(roll(k, -c.idx, 2))
		v = t.add(roll(v, -c.idx, 2))
		cidx = c.maxSize
	}
	out.keys = mlx.Contiguous(t.add(k.Index(mlx.Colon, mlx.Colon, seq(padding, cidx))))
	out.values = mlx.Contiguous(t.add(v.Index(mlx.Colon, mlx.Colon, seq(padding, cidx))))
	out.offset = offs[idx]
	out.idx = out.keys.Dim(2)
	if err := firstErr(out.keys, out.values); err != nil {
		Free(out)
		return nil, fmt.Errorf("BatchRotatingKVCache.extract: %w", err)
	}
	return out, nil
}

// MergeBatchRotatingKVCache is BatchRotatingKVCache.merge(caches) (and
// RotatingKVCache.merge): RotatingKVCaches of one max_size, each in temporal
// order, their last size() positions left-padded into one batch.
func MergeBatchRotatingKVCache(caches []*RotatingKVCache) (*BatchRotatingKVCache, error) {
	if len(caches) == 0 {
		return nil, fmt.Errorf("BatchRotatingKVCache.merge: no caches")
	}
	for _, c := range caches {
		if c.maxSize != caches[0].maxSize {
			return nil, fmt.Errorf("BatchRotatingKVCache can only merge caches with the same maximum size")
		}
	}
	offsets := make([]int32, len(caches))
	lengths := make([]int, len(caches))
	maxLength := 0
	ks, vs := make([]*mlx.Array, len(caches)), make([]*mlx.Array, len(caches))
	for i, c := range caches {
		offsets[i] = int32(c.offset)
		lengths[i] = c.Size()
		maxLength = max(maxLength, lengths[i])
		ks[i], vs[i] = c.keys, c.values
	}
	if maxLength == 0 {
		return NewBatchRotatingKVCache(caches[0].maxSize, make([]int32, len(caches))), nil
	}
	const className = "BatchRotatingKVCache"
	H, Dk, Dv, dt, ok := kvDims(ks, vs)
	if !ok {
		return nil, fmt.Errorf("%s.merge: no cache holds keys", className)
	}
	padding := make([]int32, len(caches))
	for i, l := range lengths {
		padding[i] = int32(maxLength - l)
	}
	B := len(caches)
	keys := mlx.Zeros(dt, B, H, maxLength, Dk)
	values := mlx.Zeros(dt, B, H, maxLength, Dv)
	for i, c := range caches {
		if c.keys == nil {
			continue
		}
		var t temps
		p, l := int(padding[i]), lengths[i]
		dst := []any{mlx.Slice(i, i+1, 1), mlx.Colon, seq(p, p+l)}
		// c._temporal_order(c.keys)[..., -l:, :] (for l == 0 Python's -0 is 0:
		// the whole buffer, which then fails to fit, as upstream).
		k := t.add(sliceSeq(t.add(c.temporalOrder(c.keys)), -l, mlx.None))
		v := t.add(sliceSeq(t.add(c.temporalOrder(c.values)), -l, mlx.None))
		set(&keys, keys.SetIndex(k, dst...))
		set(&values, values.SetIndex(v, dst...))
		t.free()
	}
	out := NewBatchRotatingKVCache(caches[0].maxSize, padding)
	out.keys, out.values = keys, values
	set(&out.offset, mlx.FromSlice(offsets))
	out.idx = keys.Dim(2)
	out.bufOffset = keys.Dim(2)
	if err := firstErr(out.Handles()...); err != nil {
		Free(out)
		return nil, fmt.Errorf("BatchRotatingKVCache.merge: %w", err)
	}
	return out, nil
}

func (c *BatchRotatingKVCache) Copy() Cache {
	return &BatchRotatingKVCache{keys: alias(c.keys), values: alias(c.values), leftPadding: alias(c.leftPadding),
		offset: alias(c.offset), maxSize: c.maxSize, idx: c.idx, bufOffset: c.bufOffset, rotated: c.rotated,
		lengths: alias(c.lengths)}
}

// ---- merge ----

// MergeCaches is type(caches[0]).merge(caches), the call mlx-lm's batch
// generator makes on a layer's caches: KVCache and RotatingKVCache merge
// into their batch classes, ArraysCache and CacheList into their own.
// Upstream also defines merge on the batch classes themselves, where it
// slices with their (B,) offset arrays and fails; those are refused here.
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
