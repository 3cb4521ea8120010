// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 71aa0126d28fd463ad1bfabba8e9b3770557e4dd

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// QuantizedKVCache is cache.QuantizedKVCache: keys and values stored as
// mx.quantize (packed, scales, biases) tuples, grown in steps of 256.
type QuantizedKVCache struct {
	keys, values *mlx.Quantized
	offset       int
	groupSize    int
	bits         int
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
func (c *QuantizedKVCache) StateKeys() []string {
	return []string{"0.0", "0.1", "0.2", "1.0", "1.1", "1.2"}
}

func qArrays(q *mlx.Quantized) []*mlx.Array {
	if q == nil {
		return nil
	}
	return []*mlx.Array{q.Weight, q.Scales, q.Biases}
}

func (c *QuantizedKVCache) Handles() []*mlx.Array {
	return nonNil(append(qArrays(c.keys), qArrays(c.values)...)...)
}
func (c *QuantizedKVCache) Nbytes() int { return nbytes(c.Handles()...) }

func qMap(q *mlx.Quantized, f func(*mlx.Array) *mlx.Array) *mlx.Quantized {
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

// UpdateAndFetch is QuantizedKVCache.update_and_fetch: it quantizes the new
// keys and values into the buffers and returns the tuples up to offset.
func (c *QuantizedKVCache) UpdateAndFetch(keys, values *mlx.Array) (mlx.Quantized, mlx.Quantized, error) {
	if err := keys.Err(); err != nil {
		return mlx.Quantized{}, mlx.Quantized{}, err
	}
	if err := values.Err(); err != nil {
		return mlx.Quantized{}, mlx.Quantized{}, err
	}
	ks := keys.Shape()
	if len(ks) != 4 || values.Ndim() != 4 {
		return mlx.Quantized{}, mlx.Quantized{}, fmt.Errorf("QuantizedKVCache: keys and values must be (B, H, S, D), got %v and %v", ks, values.Shape())
	}
	B, H, S, Dk := ks[0], ks[1], ks[2], ks[3]
	Dv := values.Dim(-1)
	prev := c.offset
	if c.keys == nil || prev+S > c.keys.Weight.Dim(-2) {
		elPerInt := 8 * 4 / c.bits // mx.uint32.size == 4
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
	c.offset += S
	qk, err := mlx.Quantize(keys, c.groupSize, c.bits, "affine")
	if err != nil {
		return mlx.Quantized{}, mlx.Quantized{}, err
	}
	qv, err := mlx.Quantize(values, c.groupSize, c.bits, "affine")
	if err != nil {
		return mlx.Quantized{}, mlx.Quantized{}, err
	}
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
	head := func(x *mlx.Array) *mlx.Array { return sliceSeq(x, mlx.None, c.offset) }
	return *qMap(c.keys, head), *qMap(c.values, head), nil
}

// State is QuantizedKVCache.state: the two tuples, cut at offset.
func (c *QuantizedKVCache) State() []*mlx.Array {
	if c.keys == nil {
		return nil
	}
	f := alias
	if c.offset != c.keys.Weight.Dim(2) {
		f = func(x *mlx.Array) *mlx.Array { return sliceSeq(x, mlx.None, c.offset) }
	}
	return append(qArrays(qMap(c.keys, f)), qArrays(qMap(c.values, f))...)
}

// SetState takes the six arrays in StateKeys order. As upstream, offset comes
// from the meta_state, not from the arrays.
func (c *QuantizedKVCache) SetState(s []*mlx.Array) error {
	if len(s) != 6 {
		return fmt.Errorf("QuantizedKVCache: state has %d arrays, want 6", len(s))
	}
	qSet(&c.keys, &mlx.Quantized{Weight: alias(s[0]), Scales: alias(s[1]), Biases: alias(s[2])})
	qSet(&c.values, &mlx.Quantized{Weight: alias(s[3]), Scales: alias(s[4]), Biases: alias(s[5])})
	return nil
}

// MetaState is (offset, group_size, bits) as strings.
func (c *QuantizedKVCache) MetaState() []string {
	return []string{fmt.Sprint(c.offset), fmt.Sprint(c.groupSize), fmt.Sprint(c.bits)}
}

func (c *QuantizedKVCache) SetMetaState(m []string) error {
	v, err := parseInts(m, 3, c.ClassName())
	if err != nil {
		return err
	}
	c.offset, c.groupSize, c.bits = v[0], v[1], v[2]
	return nil
}

func (c *QuantizedKVCache) Trim(n int) int {
	n = min(c.offset, n)
	c.offset -= n
	return n
}

func (c *QuantizedKVCache) MakeMask(n int, o base.MaskOpts) mlx.AttentionMask {
	return createAttentionMask(n, c.offset, o)
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
func (c *ChunkedKVCache) StateKeys() []string   { return seqKeys(2) }

// MaybeTrimFront is maybe_trim_front: keep the cache below the chunk size.
func (c *ChunkedKVCache) MaybeTrimFront() {
	if c.keys != nil && c.keys.Dim(2) >= c.chunkSize {
		c.startPosition += c.keys.Dim(2) - c.chunkSize
		set(&c.keys, sliceSeq(c.keys, -c.chunkSize, mlx.None))
		set(&c.values, sliceSeq(c.values, -c.chunkSize, mlx.None))
	}
}

// UpdateAndFetch is ChunkedKVCache.update_and_fetch.
func (c *ChunkedKVCache) UpdateAndFetch(keys, values *mlx.Array) (*mlx.Array, *mlx.Array) {
	k, v, end := growAndWrite(&c.keys, &c.values, c.offset-c.startPosition, keys, values)
	c.offset = end + c.startPosition
	return k, v
}

// State is ChunkedKVCache.state. Upstream compares offset (not offset minus
// start_position) with the buffer length; kept as is.
func (c *ChunkedKVCache) State() []*mlx.Array {
	if c.keys == nil {
		return nil
	}
	if c.offset == c.keys.Dim(2) {
		return []*mlx.Array{alias(c.keys), alias(c.values)}
	}
	return []*mlx.Array{sliceSeq(c.keys, mlx.None, c.offset), sliceSeq(c.values, mlx.None, c.offset)}
}

func (c *ChunkedKVCache) SetState(s []*mlx.Array) error {
	if len(s) != 2 {
		return fmt.Errorf("ChunkedKVCache: state has %d arrays, want 2", len(s))
	}
	set(&c.keys, alias(s[0]))
	set(&c.values, alias(s[1]))
	c.offset = c.keys.Dim(2)
	return nil
}

func (c *ChunkedKVCache) MetaState() []string {
	return []string{fmt.Sprint(c.chunkSize), fmt.Sprint(c.startPosition)}
}

func (c *ChunkedKVCache) SetMetaState(m []string) error {
	v, err := parseInts(m, 2, c.ClassName())
	if err != nil {
		return err
	}
	c.chunkSize, c.startPosition = v[0], v[1]
	return nil
}

func (c *ChunkedKVCache) Trim(n int) int {
	n = min(c.offset-c.startPosition, n)
	c.offset -= n
	return n
}
