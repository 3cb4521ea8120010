package py

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type stepCache struct {
	Offset int
	Last   *mlx.Array
	Other  *mlx.Array
}

// TestLocalCache checks py.LocalCache, a model's own cache class as a
// cache.Cache: Handles are its array fields, State is fresh handles (freeing
// them leaves the cache's arrays usable), Copy shares no handle, and a cache
// of another class passed to the forward pass raises TypeError.
func TestLocalCache(t *testing.T) {
	ops := &LocalCacheOps[*stepCache]{Name: "StepCache",
		State: func(c *stepCache) []*mlx.Array { return []*mlx.Array{c.Last, c.Other} },
		Empty: func(c *stepCache) bool { return c.Offset == 0 }}
	c := &stepCache{Offset: 3, Last: mlx.FromSlice([]float32{1, 2}, 2)}
	caches := WrapCaches([]*stepCache{c}, ops)
	lc := caches[0]
	if lc.ClassName() != "StepCache" || lc.Empty() || lc.IsTrimmable() || lc.Trim(2) != 0 {
		t.Fatal("protocol members")
	}
	if h := lc.Handles(); len(h) != 1 || h[0] != c.Last {
		t.Fatalf("Handles = %v, want the one array field set", h)
	}
	s := lc.State()
	if len(s) != 2 || s[1] != nil || s[0] == c.Last {
		t.Fatalf("State = %v, want a fresh handle and None", s)
	}
	s.Free()
	cp := lc.Copy().(*LocalCache[*stepCache])
	if cp.V == c || cp.V.Last == c.Last || cp.V.Offset != 3 {
		t.Fatal("Copy shares the instance or its handles")
	}
	if got, err := mlx.ToSlice[float32](c.Last); err != nil || got[1] != 2 {
		t.Fatalf("the cache's array after freeing its State: %v %v", got, err)
	}
	// A field the instance replaced since the last Handles is freed there.
	old := c.Last
	c.Last = mlx.FromSlice([]float32{3}, 1)
	if h := lc.Handles(); len(h) != 1 || h[0] != c.Last || old.Valid() && old.Err() == nil && func() bool { _, err := mlx.ToSlice[float32](old); return err == nil }() {
		t.Fatal("the replaced array is not freed at the next Handles, or the new one is not held")
	}
	if UnwrapCaches[*stepCache](caches)[0] != c {
		t.Fatal("UnwrapCaches")
	}
	err := func() (err error) {
		defer Recover(&err)
		UnwrapCaches[*stepCache]([]cache.Cache{cache.NewKVCache()})
		return nil
	}()
	if err == nil || !strings.Contains(err.Error(), "TypeError") {
		t.Fatalf("a KVCache given to the model: %v, want TypeError", err)
	}
}
