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

// TestCacheShims: cache.offset (OffsetOf) is the int of the
// single-sequence caches (quantized and rotating included) and the array of
// a batch cache, AttributeError for a cache without one; RoPE takes either.
func TestCacheShims(t *testing.T) {
	x := mlx.Normal([]int{1, 2, 5, 32}, mlx.Float32, 0, 1, mlx.RandomKey(1))
	defer x.Free()
	for _, mk := range []func() cache.KV{
		func() cache.KV { return cache.NewKVCache() },
		func() cache.KV { return cache.NewQuantizedKVCache(32, 4) },
		func() cache.KV { return cache.NewRotatingKVCache(4, 0) },
	} {
		a := mk()
		a.UpdateAndFetch(x, x)
		if o, ok := OffsetOf(a).(int); !ok || o != 5 {
			t.Errorf("%s: offset %v", a.ClassName(), OffsetOf(a))
		}
		cache.Free(a)
	}
	ar := cache.NewArraysCache(2, nil)
	raises(t, "AttributeError", func() { OffsetOf(ar) })
	raises(t, "AttributeError", func() { OffsetOf(nil) })

	// A batch cache's offset goes to RoPE as an array.
	r := rope.NewRoPE(32, false, 10000, 1)
	bc := cache.NewBatchKVCache([]int32{2, 0})
	defer cache.Free(bc)
	x2 := mlx.Normal([]int{2, 2, 3, 32}, mlx.Float32, 0, 1, mlx.RandomKey(3))
	defer x2.Free()
	off, ok := OffsetOf(bc).(*mlx.Array)
	if !ok {
		t.Fatal("a batch cache's offset is not an array")
	}
	same(t, "RoPE with a batch offset", RoPE(r, x2, off), r.ForwardArray(x2, off))
	same(t, "RoPE with an int offset", RoPE(r, x2, 3), r.Forward(x2, 3))
	raises(t, "TypeError", func() { RoPE(r, x2, 2.5) })
	off.Free()
}
