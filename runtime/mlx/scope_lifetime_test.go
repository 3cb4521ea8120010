package mlx_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// activeAfterGC collects garbage until MLX's active memory stops falling
// (cleanups run asynchronously after a GC) and returns it.
func activeAfterGC() uint64 {
	last := mlx.MemoryStats().Active
	for range 50 {
		runtime.GC()
		time.Sleep(2 * time.Millisecond)
		now := mlx.MemoryStats().Active
		if now == last {
			return now
		}
		last = now
	}
	return last
}

// big makes one 4 MiB array (and no other).
func big(t *testing.T) *mlx.Array {
	a := mlx.FromSlice(make([]float32, 1<<20))
	if err := a.Err(); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestScopeLifetimes checks who frees an array's MLX memory in each case:
// the scope at Close (not kept), the cleanup once unreachable (created
// outside any scope, kept out of the outermost scope, or left in an inner
// scope that an outer Close dropped), and never while still reachable.
func TestScopeLifetimes(t *testing.T) {
	const mib4 = 4 << 20
	base := activeAfterGC()
	grown := func(what string, want uint64) {
		t.Helper()
		got := activeAfterGC() - base
		if got != want {
			t.Errorf("%s: %d bytes above baseline, want %d", what, got, want)
		}
	}

	s := mlx.NewScope()
	_ = big(t)
	s.Close()
	grown("not kept, after Close", 0)

	s = mlx.NewScope()
	kept := big(t)
	s.Keep(kept)
	s.Close()
	grown("kept out of the outermost scope, still referenced", mib4)
	runtime.KeepAlive(kept)
	kept = nil
	grown("kept out of the outermost scope, unreachable", 0)

	func() {
		outside := big(t)
		runtime.KeepAlive(outside)
	}()
	grown("created outside any scope, unreachable", 0)

	outer := mlx.NewScope()
	mid := mlx.NewScope()
	k2 := big(t)
	mid.Keep(k2)
	grown("kept into the enclosing scope", mib4)
	inner := mlx.NewScope()
	left := big(t)
	_ = inner // inner and its array are left open
	outer.Close()
	if !left.Valid() {
		t.Error("an array of an inner scope left open was freed by the outer Close")
	}
	if k2.Valid() {
		t.Error("an array kept into the outer scope survived its Close")
	}
	grown("array of a dropped inner scope, still referenced", mib4)
	runtime.KeepAlive(left)
	left = nil
	grown("array of a dropped inner scope, unreachable", 0)
	_ = mid
}
