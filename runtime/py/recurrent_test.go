package py

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestCacheSlots: `a, b, c, d = cache` of an ArraysCache gives its entries
// (None as nil), CacheSlotsOf reads them as arrays, and a cache of another
// size or a None raises what Python raises.
func TestCacheSlots(t *testing.T) {
	ac := cache.NewArraysCache(4, nil)
	x := mlx.Ones(mlx.Float32, 2)
	if err := ac.Set(2, x); err != nil {
		t.Fatal(err)
	}
	got := CacheSlotsOf[*mlx.Array](ac, 4)
	if got[0] != nil || got[1] != nil || got[3] != nil || got[2] == nil {
		t.Fatalf("CacheSlotsOf: %v", got)
	}
	same(t, "entry 2", got[2], x)
	if s := CacheSlots(ac, 4); s[0] != nil || s[2] == nil {
		t.Fatalf("CacheSlots: %v", s)
	}
	raises(t, "ValueError", func() { CacheSlots(ac, 3) })
	raises(t, "ValueError", func() { CacheSlots(ac, 5) })
	raises(t, "TypeError", func() { CacheSlots(nil, 2) })
	raises(t, "TypeError", func() { CacheSlots((*cache.ArraysCache)(nil), 2) })
	raises(t, "TypeError", func() { CacheSlotsOf[cache.Cache](ac, 4) })
}

// TestContainsAnyAnyAt: membership and indexing of config values held as
// any follow Python (2 in [1, 2.0], a dict's keys, a substring; negative
// indices; errors for other types and out of range).
func TestContainsAnyAnyAt(t *testing.T) {
	list := []any{1.0, 2.0, 4.0}
	for _, c := range []struct {
		v, x any
		want bool
	}{
		{list, 2, true}, {list, 3, false}, {list, 4.0, true}, {list, "2", false},
		{map[string]any{"kda_layers": list}, "kda_layers", true}, {map[string]any{}, "a", false},
		{"full_attention", "attention", true}, {[]int{1, 3}, 3, true}, {[]int{1, 3}, 2, false},
	} {
		if got := ContainsAny(c.v, c.x); got != c.want {
			t.Errorf("%v in %v: %v, want %v", c.x, c.v, got, c.want)
		}
	}
	raises(t, "TypeError", func() { ContainsAny(nil, 1) })
	raises(t, "TypeError", func() { ContainsAny(3, 1) })
	if AnyAt(list, 0) != 1.0 || AnyAt(list, -1) != 4.0 {
		t.Errorf("AnyAt: %v %v", AnyAt(list, 0), AnyAt(list, -1))
	}
	raises(t, "IndexError", func() { AnyAt(list, 3) })
	raises(t, "TypeError", func() { AnyAt(map[string]any{}, 0) })
}

// TestNoneSlotsIsAList checks the list of Nones a model stands where a
// layer's cache goes: it reads None and stores what is assigned, as a list
// does, but has none of a cache's attributes (hasattr False, advance the
// AttributeError of a list), while an ArraysCache has advance.
func TestNoneSlotsIsAList(t *testing.T) {
	l := NoneSlots(2)
	if CacheItem(l, 1) != nil {
		t.Fatal("an empty entry is not None")
	}
	a := mlx.Zeros(mlx.Float32, 2)
	SetCacheItem(l, 1, a)
	if got, ok := CacheItem(l, 1).(*mlx.Array); !ok || got == nil || got.Dim(0) != 2 {
		t.Fatal("the entry assigned is not read back")
	}
	for _, name := range []string{"advance", "make_mask", "offset", "lengths", "keys"} {
		if CacheHasAttr(l, name) {
			t.Errorf("hasattr([None, None], %q) is true", name)
		}
	}
	if !CacheHasAttr(cache.NewArraysCache(1, nil), "advance") {
		t.Error("hasattr(ArraysCache, 'advance') is false")
	}
	defer func() {
		e, ok := recover().(*Error)
		if !ok || e.Kind != "AttributeError" || !strings.Contains(e.Msg, "'list'") {
			t.Errorf("advance on a list: %v, want AttributeError of a list", e)
		}
	}()
	CacheAdvance(l, 1)
}
