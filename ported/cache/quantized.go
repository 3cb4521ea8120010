// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// QuantizedKVCache is cache.QuantizedKVCache: keys and values stored as
// mx.quantize (packed, scales, biases) tuples, grown in steps of 256.
//
// Python's update_and_fetch returns the tuples, which flow untouched into
// scaled_dot_product_attention's quantized branch. Here UpdateAndFetchQuantized
// returns the tuples; UpdateAndFetch (the KeyValue method every model calls)
// returns them dequantized, lazily, so nothing is computed unless a model
// reads them; ScaledDotProductAttention over this cache then runs the
// quantized attention on the tuples the cache holds, exactly as Python does.
type QuantizedKVCache struct {
	keys, values *mlx.Quantized
	offset       int
	groupSize    int
	bits         int
	// fetched are the arrays UpdateAndFetch / KeysAndValues handed out last:
	// attention checks it is given those (a model that transforms its keys
	// after the fetch would fail in Python, where they are tuples).
	fetched [2]*mlx.Array
}

// NewQuantizedKVCache is QuantizedKVCache(group_size, bits) (Python's
// defaults: 64, 8).
func NewQuantizedKVCache(groupSize, bits int) *QuantizedKVCache {
	return &QuantizedKVCache{groupSize: groupSize, bits: bits}
}

func (c *QuantizedKVCache) Offset() int         { return c.offset }
func (c *QuantizedKVCache) QuantGroupSize() int { return c.groupSize }
func (c *QuantizedKVCache) QuantBits() int      { return c.bits }
func (c *QuantizedKVCache) ClassName() string   { return "QuantizedKVCache" }
func (c *QuantizedKVCache) Empty() bool         { return c.keys == nil }
func (c *QuantizedKVCache) Size() int           { return 0 } // _BaseCache.size
func (c *QuantizedKVCache) IsTrimmable() bool   { return true }

func qArrays(q *mlx.Quantized) []*mlx.Array {
	if q == nil {
		return nil
	}
	return []*mlx.Array{q.Weight, q.Scales, q.Biases}
}

func (c *QuantizedKVCache) Handles() []*mlx.Array {
	return nonNil(append(qArrays(c.keys), qArrays(c.values)...)...)
}

// Nbytes is the nbytes property (0 for an empty cache, where upstream's
// tree_reduce over (None, None) raises).
func (c *QuantizedKVCache) Nbytes() int { return nbytes(c.Handles()...) }

func qMap(q *mlx.Quantized, f func(*mlx.Array) *mlx.Array) *mlx.Quantized {
	if q == nil {
		return nil
	}
	return &mlx.Quantized{Weight: f(q.Weight), Scales: f(q.Scales), Biases: f(q.Biases)}
}

func qFree(q *mlx.Quantized) {
	if q != nil {
		q.Weight.Free()
		q.Scales.Free()
		q.Biases.Free()
	}
}

func qSet(slot **mlx.Quantized, q *mlx.Quantized) {
	if *slot != nil && *slot != q {
		qFree(*slot)
	}
	*slot = q
}

func qState(q *mlx.Quantized) any {
	if q == nil {
		return nil
	}
	return State{alias(q.Weight), alias(q.Scales), alias(q.Biases)}
}

// UpdateAndFetchQuantized is QuantizedKVCache.update_and_fetch: it quantizes
// the new keys and values into the buffers and returns the tuples up to
// offset (fresh handles).
func (c *QuantizedKVCache) UpdateAndFetchQuantized(keys, values *mlx.Array) (mlx.Quantized, mlx.Quantized, error) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return mlx.Quantized{}, mlx.Quantized{}, err
	}
	ks := keys.Shape()
	B, H, S, Dk := ks[0], ks[1], ks[2], ks[3]
	Dv := values.Dim(-1)
	if c.bits <= 0 || c.groupSize <= 0 {
		return mlx.Quantized{}, mlx.Quantized{}, fmt.Errorf("QuantizedKVCache: bits %d and group_size %d must be positive", c.bits, c.groupSize)
	}
	prev := c.offset
	if c.keys == nil || prev+S > c.keys.Weight.Dim(-2) {
		elPerInt := 8 * 4 / c.bits // 8 * mx.uint32.size // bits
		newSteps := (step + S - 1) / step * step
		if c.keys != nil {
			if prev%step != 0 {
				cut := func(x *mlx.Array) *mlx.Array { return sliceSeq(x, mlx.None, prev) }
				qSet(&c.keys, qMap(c.keys, cut))
				qSet(&c.values, qMap(c.values, cut))
			}
			expand := func(x *mlx.Array) *mlx.Array {
				z := mlx.Zeros(x.Dtype(), B, H, newSteps, x.Dim(-1))
				defer z.Free()
				return mlx.Concatenate([]*mlx.Array{x, z}, -2)
			}
			qSet(&c.keys, qMap(c.keys, expand))
			qSet(&c.values, qMap(c.values, expand))
		} else {
			initQuant := func(dim int) *mlx.Quantized {
				return &mlx.Quantized{
					Weight: mlx.Zeros(mlx.Uint32, B, H, newSteps, dim/elPerInt),
					Scales: mlx.Zeros(keys.Dtype(), B, H, newSteps, dim/c.groupSize),
					Biases: mlx.Zeros(keys.Dtype(), B, H, newSteps, dim/c.groupSize),
				}
			}
			qSet(&c.keys, initQuant(Dk))
			qSet(&c.values, initQuant(Dv))
		}
	}
	qk, err := mlx.Quantize(keys, c.groupSize, c.bits, "affine")
	if err != nil {
		return mlx.Quantized{}, mlx.Quantized{}, fmt.Errorf("QuantizedKVCache.update_and_fetch: %w", err)
	}
	qv, err := mlx.Quantize(values, c.groupSize, c.bits, "affine")
	if err != nil {
		qFree(&qk)
		return mlx.Quantized{}, mlx.Quantized{}, fmt.Errorf("QuantizedKVCache.update_and_fetch: %w", err)
	}
	c.offset += S
	write := func(dst *mlx.Quantized, src mlx.Quantized) *mlx.Quantized {
		w := func(d, s *mlx.Array) *mlx.Array {
			return d.SetIndex(s, mlx.Ellipsis, seq(prev, c.offset), mlx.Colon)
		}
		return &mlx.Quantized{Weight: w(dst.Weight, src.Weight), Scales: w(dst.Scales, src.Scales), Biases: w(dst.Biases, src.Biases)}
	}
	qSet(&c.keys, write(c.keys, qk))
	qSet(&c.values, write(c.values, qv))
	qFree(&qk)
	qFree(&qv)
	k, v := c.KeysAndValuesQuantized()
	return k, v, firstErr(append(qArrays(&k), qArrays(&v)...)...)
}

// KeysAndValuesQuantized is QuantizedKVCache.keys_and_values: the tuples up
// to offset (fresh handles; zero tuples for an empty cache).
func (c *QuantizedKVCache) KeysAndValuesQuantized() (mlx.Quantized, mlx.Quantized) {
	if c.keys == nil {
		return mlx.Quantized{}, mlx.Quantized{}
	}
	f := alias
	if c.offset != c.keys.Weight.Dim(2) {
		f = func(x *mlx.Array) *mlx.Array { return sliceSeq(x, mlx.None, c.offset) }
	}
	return *qMap(c.keys, f), *qMap(c.values, f)
}

// dequantized is the tuples as arrays (lazy: computed only if read).
func (c *QuantizedKVCache) dequantized(k, v mlx.Quantized) (*mlx.Array, *mlx.Array) {
	dk := mlx.Dequantize(k.Weight, k.Scales, k.Biases, c.groupSize, c.bits, "affine", -1)
	dv := mlx.Dequantize(v.Weight, v.Scales, v.Biases, c.groupSize, c.bits, "affine", -1)
	qFree(&k)
	qFree(&v)
	c.fetched = [2]*mlx.Array{dk, dv}
	return dk, dv
}

// UpdateAndFetch is update_and_fetch for callers that hold arrays (every
// generated model): the returned tuples, dequantized lazily. Attention over
// them goes through ScaledDotProductAttention, which uses the tuples.
func (c *QuantizedKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	k, v, err := c.UpdateAndFetchQuantized(keys, values)
	if err != nil {
		qFree(&k)
		qFree(&v)
		return errPair(err)
	}
	return c.dequantized(k, v)
}

// KeysAndValues is keys_and_values as arrays (dequantized lazily).
func (c *QuantizedKVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		return errPair(fmt.Errorf("%s.keys_and_values: the cache is empty", c.ClassName()))
	}
	return c.dequantized(c.KeysAndValuesQuantized())
}

// QuantizedAttention is base.scaled_dot_product_attention's
// hasattr(cache, "bits") branch: quantized_scaled_dot_product_attention over
// the tuples this cache holds. keys and values must be the arrays its last
// UpdateAndFetch (or KeysAndValues) returned: they stand for those tuples.
func (c *QuantizedKVCache) QuantizedAttention(queries, keys, values *mlx.Array, scale float64, mask mlx.AttentionMask, sinks *mlx.Array) *mlx.Array {
	if err := firstErr(queries, keys, values); err != nil {
		return mlx.Errorf("scaled_dot_product_attention", "%v", err)
	}
	if sinks != nil {
		return mlx.Errorf("scaled_dot_product_attention", "Quantized SDPA does not support attention sinks.")
	}
	if c.keys == nil || keys != c.fetched[0] || values != c.fetched[1] {
		return mlx.Errorf("scaled_dot_product_attention", "QuantizedKVCache: attention needs the keys and values its update_and_fetch returned (in Python they are quantized tuples)")
	}
	k, v := c.KeysAndValuesQuantized()
	defer qFree(&k)
	defer qFree(&v)
	return base.QuantizedScaledDotProductAttention(queries, k, v, scale, mask, c.groupSize, c.bits)
}

// State is (keys, values, offset, group_size, bits), the tuples whole.
func (c *QuantizedKVCache) State() State {
	return State{qState(c.keys), qState(c.values), c.offset, c.groupSize, c.bits}
}

func readQuant(r *stateReader, i int) *mlx.Quantized {
	if r.err != nil || i >= len(r.s) {
		return nil
	}
	if r.s[i] == nil {
		return nil
	}
	if a, ok := r.s[i].(*mlx.Array); ok && a == nil {
		return nil
	}
	t := stateReader{class: r.class, s: r.list(i)}
	if r.err != nil {
		return nil
	}
	if !t.len(3) {
		r.fail("element %d: %v", i, t.err)
		return nil
	}
	q := &mlx.Quantized{Weight: t.array(0, false), Scales: t.array(1, false), Biases: t.array(2, false)}
	if t.err != nil {
		r.fail("element %d: %v", i, t.err)
		return nil
	}
	return q
}

// SetState is the state setter.
func (c *QuantizedKVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(5) {
		return r.err
	}
	k, v := readQuant(&r, 0), readQuant(&r, 1)
	off, gs, bits := r.int(2), r.int(3), r.int(4)
	if r.err == nil && (k == nil) != (v == nil) {
		r.fail("keys and values: one is None, the other is not")
	}
	if r.err != nil {
		return r.err
	}
	qSet(&c.keys, qMap(k, alias))
	qSet(&c.values, qMap(v, alias))
	c.offset, c.groupSize, c.bits = off, gs, bits
	c.fetched = [2]*mlx.Array{}
	return nil
}

func (c *QuantizedKVCache) Trim(n int) int {
	n = min(c.offset, n)
	c.offset -= n
	return n
}

func (c *QuantizedKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	return CreateAttentionMask(n, c.offset, o)
}

func (c *QuantizedKVCache) Copy() Cache {
	return &QuantizedKVCache{keys: qMap(c.keys, alias), values: qMap(c.values, alias), offset: c.offset,
		groupSize: c.groupSize, bits: c.bits}
}

// ---- ChunkedKVCache ----

// ChunkedKVCache is cache.ChunkedKVCache (llama4's chunked attention).
// Upstream has no make_mask on it, so neither does the port.
type ChunkedKVCache struct {
	keys, values  *mlx.Array
	offset        int
	chunkSize     int
	startPosition int
}

// NewChunkedKVCache is ChunkedKVCache(chunk_size).
func NewChunkedKVCache(chunkSize int) *ChunkedKVCache { return &ChunkedKVCache{chunkSize: chunkSize} }

func (c *ChunkedKVCache) Offset() int           { return c.offset }
func (c *ChunkedKVCache) StartPosition() int    { return c.startPosition }
func (c *ChunkedKVCache) ClassName() string     { return "ChunkedKVCache" }
func (c *ChunkedKVCache) Empty() bool           { return c.keys == nil }
func (c *ChunkedKVCache) Size() int             { return 0 } // _BaseCache.size
func (c *ChunkedKVCache) IsTrimmable() bool     { return true }
func (c *ChunkedKVCache) Handles() []*mlx.Array { return nonNil(c.keys, c.values) }
func (c *ChunkedKVCache) Nbytes() int           { return nbytes(c.keys, c.values) }

// MaybeTrimFront is maybe_trim_front: keep at most chunk_size valid
// positions, dropping the oldest.
func (c *ChunkedKVCache) MaybeTrimFront() {
	if c.keys == nil {
		return
	}
	valid := c.offset - c.startPosition
	if valid > c.chunkSize {
		trim := valid - c.chunkSize
		c.startPosition += trim
		set(&c.keys, sliceSeq(c.keys, trim, valid))
		set(&c.values, sliceSeq(c.values, trim, valid))
	}
}

// UpdateAndFetch is ChunkedKVCache.update_and_fetch.
func (c *ChunkedKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	if err := checkKV(c.ClassName(), keys, values); err != nil {
		return errPair(err)
	}
	growAndWrite(&c.keys, &c.values, c.offset-c.startPosition, keys, values)
	c.offset += keys.Dim(2)
	return c.KeysAndValues()
}

// KeysAndValues is ChunkedKVCache.keys_and_values.
func (c *ChunkedKVCache) KeysAndValues() (*mlx.Array, *mlx.Array) {
	if c.keys == nil {
		return errPair(fmt.Errorf("%s.keys_and_values: the cache is empty", c.ClassName()))
	}
	end := c.offset - c.startPosition
	return sliceSeq(c.keys, mlx.None, end), sliceSeq(c.values, mlx.None, end)
}

// State is (keys, values, offset, chunk_size, start_position).
func (c *ChunkedKVCache) State() State {
	return State{alias(c.keys), alias(c.values), c.offset, c.chunkSize, c.startPosition}
}

func (c *ChunkedKVCache) SetState(s State) error {
	r := stateReader{class: c.ClassName(), s: s}
	if !r.len(5) {
		return r.err
	}
	k, v := r.array(0, true), r.array(1, true)
	off, cs, sp := r.int(2), r.int(3), r.int(4)
	if err := r.pair(0, 1); err != nil {
		return err
	}
	set(&c.keys, alias(k))
	set(&c.values, alias(v))
	c.offset, c.chunkSize, c.startPosition = off, cs, sp
	return nil
}

func (c *ChunkedKVCache) Trim(n int) int {
	n = min(c.offset-c.startPosition, n)
	c.offset -= n
	return n
}

func (c *ChunkedKVCache) Copy() Cache {
	return &ChunkedKVCache{keys: alias(c.keys), values: alias(c.values), offset: c.offset,
		chunkSize: c.chunkSize, startPosition: c.startPosition}
}
