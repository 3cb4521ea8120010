package py

import (
	"errors"
	"testing"

	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/ported/rope"
	"github.com/hf2go/hf2go/runtime/mlx"
)

func same(t *testing.T, what string, a, b *mlx.Array) {
	t.Helper()
	ab, err1 := a.Bytes()
	bb, err2 := b.Bytes()
	if err1 != nil || err2 != nil || string(ab) != string(bb) {
		t.Errorf("%s: differ (%v %v)", what, err1, err2)
	}
}

func raises(t *testing.T, kind string, f func()) {
	t.Helper()
	var err error
	func() {
		defer Recover(&err)
		f()
	}()
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != kind {
		t.Errorf("want %s, got %v", kind, err)
	}
}

// TestCacheShims: the calls generated code makes today (Offset,
// UpdateAndFetch, SDPA) give what the cache methods give, quantized caches
// included, and raise AttributeError where Python would.
func TestCacheShims(t *testing.T) {
	x := mlx.Normal([]int{1, 2, 5, 32}, mlx.Float32, 0, 1, mlx.RandomKey(1))
	q := mlx.Normal([]int{1, 4, 5, 32}, mlx.Float32, 0, 1, mlx.RandomKey(2))
	defer x.Free()
	defer q.Free()
	for _, mk := range []func() cache.KV{
		func() cache.KV { return cache.NewKVCache() },
		func() cache.KV { return cache.NewQuantizedKVCache(32, 4) },
		func() cache.KV { return cache.NewRotatingKVCache(4, 0) },
	} {
		a, b := mk(), mk()
		ka, va := UpdateAndFetch(a, x, x)
		kb, vb := b.UpdateAndFetch(x, x)
		same(t, a.ClassName()+" keys", ka, kb)
		same(t, a.ClassName()+" values", va, vb)
		if Offset(a) != b.Offset() || Offset(a) != 5 {
			t.Errorf("%s: offset %d", a.ClassName(), Offset(a))
		}
		oa := SDPA(q, ka, va, a, 0.125, mlx.CausalMask, nil)
		ob := cache.ScaledDotProductAttention(q, kb, vb, b, 0.125, mlx.CausalMask, nil)
		same(t, a.ClassName()+" attention", oa, ob)
		if o := CacheOffset(a); o.IsArray() || o.Int != 5 {
			t.Errorf("%s: CacheOffset %+v", a.ClassName(), o)
		}
		cache.Free(a, b)
	}
	// No cache: the plain path.
	o := SDPA(q, x, x, nil, 0.125, mlx.NoMask, nil)
	same(t, "no cache", o, mlx.ScaledDotProductAttention(q, x, x, 0.125, mlx.NoMask, nil))
	ar := cache.NewArraysCache(2, nil)
	raises(t, "AttributeError", func() { Offset(ar) })
	raises(t, "AttributeError", func() { UpdateAndFetch(ar, x, x) })
	raises(t, "AttributeError", func() { CacheOffset(ar) })
	raises(t, "AttributeError", func() { Offset(nil) })

	// A batch cache's offset goes to RoPE as an array.
	r := rope.NewRoPE(32, false, 10000, 1)
	bc := cache.NewBatchKVCache([]int32{2, 0})
	defer cache.Free(bc)
	x2 := mlx.Normal([]int{2, 2, 3, 32}, mlx.Float32, 0, 1, mlx.RandomKey(3))
	defer x2.Free()
	off := CacheOffset(bc)
	if !off.IsArray() {
		t.Fatal("a batch cache's offset is not an array")
	}
	same(t, "RoPE with a batch offset", RoPE(r, x2, off), r.ForwardArray(x2, off.Array))
	same(t, "RoPE with an int offset", RoPE(r, x2, cache.Offset{Int: 3}), r.Forward(x2, 3))
	off.Free()
}
