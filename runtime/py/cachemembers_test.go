package py

import (
	"math"
	"testing"

	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestCacheMembers: a CacheList gives its members in order, the cache of
// empty entries standing for (None, None) gives two Nones, None stays None,
// and an entry that holds an array or a class that is no sequence raises
// Python's TypeError.
func TestCacheMembers(t *testing.T) {
	a, b := cache.NewKVCache(), cache.NewKVCache()
	got := CacheMembers(cache.NewCacheList(a, b))
	if len(got) != 2 || got[0] != cache.Cache(a) || got[1] != cache.Cache(b) {
		t.Fatalf("CacheList members: %v", got)
	}
	if got := CacheMembers(NoneSlots(2)); len(got) != 2 || got[0] != nil || got[1] != nil {
		t.Fatalf("(None, None): %v", got)
	}
	if got := CacheMembers(nil); got != nil {
		t.Fatalf("None: %v", got)
	}
	raises(t, "TypeError", func() { CacheMembers(a) })
	ac := cache.NewArraysCache(2, nil)
	if err := ac.Set(0, mlx.Ones(mlx.Float32, 2)); err != nil {
		t.Fatal(err)
	}
	raises(t, "TypeError", func() { CacheMembers(ac) })
}

// TestCacheBuffers: cache.keys / cache.values of a KVCache read and replace
// the buffers and keep the offset; other classes are refused.
func TestCacheBuffers(t *testing.T) {
	kv := cache.NewKVCache()
	k := mlx.Ones(mlx.Float32, 1, 1, 3, 2)
	kv.UpdateAndFetch(k, k)
	z := mlx.ZerosLike(CacheKeys(kv))
	SetCacheValues(kv, z)
	if kv.Offset() != 3 {
		t.Fatalf("offset %d after setting values, want 3", kv.Offset())
	}
	same(t, "values", CacheValues(kv), z)
	raises(t, "AttributeError", func() { CacheKeys(nil) })
	raises(t, "NotImplementedError", func() { CacheKeys(cache.NewArraysCache(2, nil)) })
}

// TestSumArraysSetAt: sum() of arrays starts at the int 0 (so -0.0 becomes
// 0.0, as 0 + -0.0 does in Python) and adds left to right; no arrays is an
// error; xs[-1] = v counts from the end, out of range is IndexError.
func TestSumArraysSetAt(t *testing.T) {
	neg := mlx.Negative(mlx.Zeros(mlx.Float32, 1))
	for name, a := range map[string]*mlx.Array{"-0.0": neg, "sum([-0.0])": SumArrays([]*mlx.Array{neg})} {
		b, err := a.Bytes()
		if err != nil || len(b) != 4 {
			t.Fatalf("%s: %v %v", name, b, err)
		}
		if got, want := math.Signbit(float64(math.Float32frombits(uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24))), name == "-0.0"; got != want {
			t.Fatalf("%s: sign bit %v, want %v", name, got, want)
		}
	}
	raises(t, "TypeError", func() { SumArrays(nil) })
	xs := []int{1, 2, 3}
	SetAt(xs, -1, 9)
	if xs[2] != 9 {
		t.Fatalf("xs[-1] = 9: %v", xs)
	}
	raises(t, "IndexError", func() { SetAt(xs, -4, 0) })
}
