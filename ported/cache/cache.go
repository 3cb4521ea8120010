// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

// Package cache is a hand port of mlx-lm's cache.py: the KV and recurrent
// caches models attend through, the batch caches of batched generation, the
// prompt-cache trie and LRU a server reuses prompts with, and prompt-cache
// files in mlx-lm's own format.
//
// Class and attribute names follow Python (KVCache, RotatingKVCache, ...;
// offset is Offset()). What differs because Go is typed:
//
//   - Every class implements Cache (_BaseCache's interface). The caches
//     attention layers write keys and values into also implement KeyValue
//     (update_and_fetch, keys_and_values); the single-sequence ones are KV
//     (offset is an int), the batch ones BatchKV (offset is a (B,) array).
//     Attention over any of them is ScaledDotProductAttention(..., c, ...),
//     which takes the quantized path for a QuantizedAttention cache, as
//     Python's scaled_dot_product_attention does for hasattr(cache, "bits").
//   - state is a State: Python's tuple of arrays and scalars as a list of
//     *mlx.Array, int, float64, bool, string, nil (None) and nested States.
//   - Nothing here is process-global: a cache belongs to whoever made it (one
//     request, or the batch scheduler), and methods use no mlx.Scope (scopes
//     are process-wide; a cache method must not free arrays that another
//     goroutine creates meanwhile). LRUPromptCache, the one object a server
//     shares between requests, has its own lock.
//
// Lifetime (MLX memory is not Go memory):
//
//   - A cache owns the arrays it holds. It never keeps the caller's handle: it
//     stores a fresh handle to the same data, frees its old arrays when it
//     replaces them, and every array it returns is a fresh handle the caller
//     may (and should) Free. Inside an mlx.Scope, keep the cache's arrays
//     with s.Keep(c.Handles()...) before closing the scope.
//   - State() returns fresh handles too (free them with State.Free);
//     SetState and FromState store their own handles, so the caller keeps
//     ownership of the State it passed.
//   - Free(caches...) releases what caches hold; Copy() is copy.deepcopy (a
//     new cache holding new handles to the same immutable data).
package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Cache is what every class of cache.py provides (_BaseCache's interface).
type Cache interface {
	// ClassName is type(c).__name__, what prompt-cache files record.
	ClassName() string
	// State is Python's state property (fresh handles: State.Free them).
	State() State
	// SetState is the state setter, what from_state calls on an instance
	// made without __init__ (FromState does that); it checks the State's
	// shape and returns an error naming the class and element.
	SetState(s State) error
	IsTrimmable() bool
	// Trim drops up to n tokens from the end and returns how many it dropped
	// (0 for caches that cannot be trimmed; Python has no trim there).
	Trim(n int) int
	// Size is size(): the sequence length, or 0 where upstream does not say.
	Size() int
	Empty() bool
	// Nbytes is the nbytes property: bytes of the arrays the cache holds as
	// Python counts them (allocated buffers, not only the used part).
	Nbytes() int
	// Handles are every array the cache holds, for mlx.Scope.Keep and Free.
	Handles() []*mlx.Array
	// Copy is copy.deepcopy(c).
	Copy() Cache
}

// KeyValue is a cache that attention layers write keys and values into.
type KeyValue interface {
	Cache
	// UpdateAndFetch is update_and_fetch(keys, values): it stores keys and
	// values of shape (B, H, S, D) and returns everything the cache now
	// attends over. Errors come back as error arrays (Err()), as from any op.
	UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array)
	// KeysAndValues is keys_and_values(): what UpdateAndFetch last returned.
	KeysAndValues() (*mlx.Array, *mlx.Array)
}

// KV is a single-sequence KeyValue cache, whose offset is an int:
// KVCache, ConcatenateKVCache, RotatingKVCache, QuantizedKVCache,
// ChunkedKVCache.
type KV interface {
	KeyValue
	Offset() int
}

// BatchKV is a batch KeyValue cache (BatchKVCache, BatchRotatingKVCache):
// offset and left_padding are (B,) int32 arrays, one entry per sequence.
type BatchKV interface {
	KeyValue
	Batch
	// Offset is a fresh handle to the per-sequence offsets.
	Offset() *mlx.Array
	// LeftPadding is a fresh handle to the per-sequence left padding.
	LeftPadding() *mlx.Array
}

// Batch is a cache of batched generation: ArraysCache, CacheList and the
// batch KV caches. mlx-lm's BatchGenerator calls these on every layer.
type Batch interface {
	Cache
	// Prepare is prepare(*, left_padding, lengths, right_padding).
	Prepare(o PrepareOpts) error
	// Finalize is finalize().
	Finalize() error
	// Filter is filter(batch_indices): keep those rows, in that order.
	Filter(batchIndices []int) error
	// Extend is extend(other): other's rows appended (other must be of the
	// same class; it may be put into temporal order, as upstream).
	Extend(other Cache) error
	// Extract is extract(idx): row idx as a single-sequence cache.
	Extract(idx int) (Cache, error)
}

// PrepareOpts are the keyword arguments of prepare(*, left_padding=None,
// lengths=None, right_padding=None); a nil slice is None.
type PrepareOpts struct {
	LeftPadding  []int32
	Lengths      []int32
	RightPadding []int32
}

// Quantizable is a cache with to_quantized (KVCache; the rotating caches
// have one that raises upstream and errors here).
type Quantizable interface {
	Cache
	ToQuantized(groupSize, bits int) (*QuantizedKVCache, error)
}

// Free releases the arrays the caches hold (nil entries are skipped).
func Free(caches ...Cache) {
	for _, c := range caches {
		if c != nil {
			for _, a := range c.Handles() {
				a.Free()
			}
		}
	}
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
// and the cache's handles can be freed independently. alias(nil) is nil.
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

// temps collects the intermediate arrays of one method, freed before it
// returns (explicitly rather than with an mlx.Scope; see the package doc).
type temps []*mlx.Array

func (t *temps) add(a *mlx.Array) *mlx.Array {
	*t = append(*t, a)
	return a
}

// free releases them; a pointer receiver, so that `defer t.free()` frees
// what was added after the defer statement.
func (t *temps) free() {
	for _, a := range *t {
		a.Free()
	}
	*t = nil
}

// firstErr is the first error among arrays (nil ones are skipped).
func firstErr(arrs ...*mlx.Array) error {
	for _, a := range arrs {
		if a != nil {
			if err := a.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// errPair is an error returned by a method whose Python result is a pair.
func errPair(err error) (*mlx.Array, *mlx.Array) {
	e := mlx.Errorf("update_and_fetch", "%v", err)
	return e, alias(e)
}

// checkKV validates update_and_fetch's inputs: two (B, H, S, D) arrays.
func checkKV(class string, keys, values *mlx.Array) error {
	if err := firstErr(keys, values); err != nil {
		return err
	}
	if keys == nil || values == nil {
		return fmt.Errorf("%s.update_and_fetch: keys or values is nil", class)
	}
	if keys.Ndim() != 4 || values.Ndim() != 4 {
		return fmt.Errorf("%s.update_and_fetch: keys and values must be (B, H, S, D), got %v and %v", class, keys.Shape(), values.Shape())
	}
	return nil
}

// CreateAttentionMask is cache.py's module-level create_attention_mask(N,
// offset, return_array, window_size) (base's create_attention_mask, which
// takes the hidden states and a cache, is base.CreateAttentionMask). A
// window always gives an array, even for N == 1.
func CreateAttentionMask(n, offset int, o base.MaskOpts) mlx.AttentionMask {
	switch {
	case o.WindowSize != 0:
		return mlx.MaskArray(base.CreateCausalMask(n, base.CausalMaskOpts{Offset: offset, WindowSize: o.WindowSize}))
	case n == 1:
		return mlx.NoMask
	case o.ReturnArray:
		return mlx.MaskArray(base.CreateCausalMask(n, base.CausalMaskOpts{Offset: offset}))
	}
	return mlx.CausalMask
}

// growAndWrite is the body shared by KVCache, ChunkedKVCache (prev shifted
// by start_position) and BatchKVCache (prev is _idx): grow the buffers in
// steps when prev+S does not fit, then write keys and values at prev.
func growAndWrite(ck, cv **mlx.Array, prev int, keys, values *mlx.Array) {
	ks, vs := keys.Shape(), values.Shape()
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
	set(ck, (*ck).SetIndex(keys, mlx.Ellipsis, seq(prev, prev+S), mlx.Colon))
	set(cv, (*cv).SetIndex(values, mlx.Ellipsis, seq(prev, prev+S), mlx.Colon))
}

// headOrAll is keys_and_values of KVCache and RotatingKVCache: the buffers
// cut at n when n is below their length, else the buffers themselves.
func headOrAll(class string, k, v *mlx.Array, n int) (*mlx.Array, *mlx.Array) {
	if k == nil {
		return errPair(fmt.Errorf("%s.keys_and_values: the cache is empty", class))
	}
	if n < k.Dim(2) {
		return sliceSeq(k, mlx.None, n), sliceSeq(v, mlx.None, n)
	}
	return alias(k), alias(v)
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

// UpdateAndFetch is KVCache.update_and_fetch.
func (c *KVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return errPair(err)
	}
	prev := c.offset
	growAndWrite(&c.keys, &c.values, prev, keys, values)
	c.offset += keys.Dim(2)
	return c.KeysAndValues()
}

// KeysAndValues is KVCache.keys_and_values.
func (c *KVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	return headOrAll(c.ClassName(), c.keys, c.values, c.offset)
}

// State is (keys, values, offset): the whole buffers, as upstream.
func (c *KVCache) State() State { return State{alias(c.keys), alias(c.values), c.offset} }

// SetState is the KVCache.state setter.
func (c *KVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(3) {
		return r.err
	}
	k, v, off := r.array(0, true), r.array(1, true), r.int(2)
	if err := r.pair(0, 1); err != nil {
		return err
	}
	set(&c.keys, alias(k))
	set(&c.values, alias(v))
	c.offset = off
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
	return CreateAttentionMask(n, c.offset, o)
}

// ToQuantized is KVCache.to_quantized (the whole buffers are quantized).
func (c *KVCache) ToQuantized(groupSize, bits int) (*QuantizedKVCache, error) {
	q := NewQuantizedKVCache(groupSize, bits)
	q.offset = c.offset
	if c.keys != nil {
		k, err := mlx.Quantize(c.keys, groupSize, bits, "affine")
		if err != nil {
			return nil, fmt.Errorf("KVCache.to_quantized: %w", err)
		}
		v, err := mlx.Quantize(c.values, groupSize, bits, "affine")
		if err != nil {
			qFree(&k)
			return nil, fmt.Errorf("KVCache.to_quantized: %w", err)
		}
		q.keys, q.values = &k, &v
	}
	return q, nil
}

// Copy is copy.deepcopy.
func (c *KVCache) Copy() Cache {
	return &KVCache{keys: alias(c.keys), values: alias(c.values), offset: c.offset}
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

// UpdateAndFetch is ConcatenateKVCache.update_and_fetch.
func (c *ConcatenateKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return errPair(err)
	}
	if c.keys == nil {
		set(&c.keys, alias(keys))
		set(&c.values, alias(values))
	} else {
		set(&c.keys, mlx.Concatenate([]*mlx.Array{c.keys, keys}, -2))
		set(&c.values, mlx.Concatenate([]*mlx.Array{c.values, values}, -2))
	}
	c.offset = c.keys.Dim(-2)
	return c.KeysAndValues()
}

// KeysAndValues is ConcatenateKVCache.keys_and_values: everything held
// (a trim moves only the offset, as upstream).
func (c *ConcatenateKVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		return errPair(fmt.Errorf("%s.keys_and_values: the cache is empty", c.ClassName()))
	}
	return alias(c.keys), alias(c.values)
}

// State is (keys, values); the offset is not part of it upstream.
func (c *ConcatenateKVCache) State() State { return State{alias(c.keys), alias(c.values)} }

// SetState is the state setter; offset becomes the keys' length. (Upstream
// reads keys.shape of a None and fails for an empty cache; here an empty
// state gives an empty cache.)
func (c *ConcatenateKVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(2) {
		return r.err
	}
	k, v := r.array(0, true), r.array(1, true)
	if err := r.pair(0, 1); err != nil {
		return err
	}
	set(&c.keys, alias(k))
	set(&c.values, alias(v))
	c.offset = 0
	if k != nil {
		c.offset = k.Dim(-2)
	}
	return nil
}

// Trim is ConcatenateKVCache.trim: only the offset moves, as upstream.
func (c *ConcatenateKVCache) Trim(n int) int {
	n = min(c.offset, n)
	c.offset -= n
	return n
}

func (c *ConcatenateKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	return CreateAttentionMask(n, c.offset, o)
}

func (c *ConcatenateKVCache) Copy() Cache {
	return &ConcatenateKVCache{keys: alias(c.keys), values: alias(c.values), offset: c.offset}
}
