package cache

import (
	"runtime/debug"
	"testing"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestLongReplayMemoryFlat runs a periodic schedule of cache operations for
// 1600 steps, every cache in it bounded (rotating rings, a chunked window,
// caches trimmed back, an ArraysCache whose states are replaced, a batch
// filtered and extended, an LRU that evicts). MLX's active memory, read at
// the same phase of every period, must not grow, and once the caches are
// freed it must be back where it started. It runs twice: each step in an
// mlx.Scope that keeps only the caches' Handles() (a decode loop), and with
// no scope at all, every returned array freed by hand, with the Go GC off so
// that no finalizer can hide an array a cache forgot to free.
func TestLongReplayMemoryFlat(t *testing.T) {
	t.Run("scoped", func(t *testing.T) { memoryReplay(t, true) })
	t.Run("unscoped", func(t *testing.T) {
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		memoryReplay(t, false)
	})
}

func memoryReplay(t *testing.T, scoped bool) {
	const H, D, period, steps = 2, 32, 40, 1600
	inputs := map[int]*mlx.Array{}
	in := func(B, S int) *mlx.Array { return inputs[B*1000+S] }
	for _, B := range []int{1, 2} {
		for _, S := range []int{1, 5} {
			a := mlx.Normal([]int{B, H, S, D}, mlx.Float32, 0, 1, mlx.RandomKey(uint64(B*1000+S)))
			inputs[B*1000+S] = a
		}
	}
	queries := map[int]*mlx.Array{1: mlx.Transpose(in(1, 1), 0, 2, 1, 3), 5: mlx.Transpose(in(1, 5), 0, 2, 1, 3)}
	conv := mlx.Zeros(mlx.Float32, 1, 3, 8)
	all := []*mlx.Array{conv, queries[1], queries[5]}
	for _, a := range inputs {
		all = append(all, a)
	}
	if err := mlx.Eval(all...); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, a := range all {
			a.Free()
		}
	}()
	if err := mlx.Synchronize(); err != nil {
		t.Fatal(err)
	}
	base0 := mlx.MemoryStats().Active

	rot := NewRotatingKVCache(24, 2)
	kv := NewKVCache()
	q := NewQuantizedKVCache(32, 4)
	ch := NewChunkedKVCache(30)
	ar := NewArraysCache(2, nil)
	brot := NewBatchRotatingKVCache(16, []int32{0, 1})
	lru := NewLRUPromptCache[string](4, NoLimit)
	caches := []Cache{rot, kv, q, ch, ar, brot}
	var atPhase []uint64
	for step := range steps {
		var s *mlx.Scope
		if scoped {
			s = mlx.NewScope()
		}
		var outs temps
		S := 1
		if step%period == 0 {
			S = 5
		}
		for _, c := range []KeyValue{rot, kv, q, ch} {
			if c == ch {
				ch.MaybeTrimFront()
			}
			mask := base.CreateAttentionMask(queries[S], c, base.MaskOpts{})
			outs.add(mask.Array)
			k, v := c.UpdateAndFetch(in(1, S), in(1, S))
			outs.add(ScaledDotProductAttention(in(1, S), k, v, c, 0.25, mask, nil))
			outs.add(k)
			outs.add(v)
		}
		if step%period == period-1 {
			kv.Trim(kv.Offset())
			q.Trim(q.Offset())
		}
		a := ar.Get(0)
		if a == nil {
			a = alias(conv)
		}
		outs.add(a)
		for i, f := range []float64{1, 0.5} {
			x := outs.add(mlx.Multiply(outs.add(mlx.Add(a, mlx.Float(f))), mlx.Float(f)))
			if err := ar.Set(i, x); err != nil {
				t.Fatal(err)
			}
		}
		bk, bv := brot.UpdateAndFetch(in(2, 1), in(2, 1))
		outs.add(bk)
		outs.add(bv)
		if step%period == period/2 {
			// filter down to one row, then extend back with a copy of it
			if err := brot.Filter([]int{1}); err != nil {
				t.Fatal(err)
			}
			cp := brot.Copy()
			if err := brot.Extend(cp); err != nil {
				t.Fatal(err)
			}
			Free(cp)
			// prompt reuse: insert a copy of a cache, fetch it back
			toks := []int{step % 7, step % 5, 1}
			if err := lru.InsertCache("m", toks, []Cache{rot.Copy()}, "assistant"); err != nil {
				t.Fatal(err)
			}
			got, _ := lru.FetchNearestCache("m", toks)
			Free(got...)
		}
		var keep []*mlx.Array
		for _, c := range caches {
			keep = append(keep, c.Handles()...)
		}
		keep = append(keep, lru.Handles()...)
		if err := mlx.Eval(append(keep, nonNil(outs...)...)...); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if scoped {
			s.Keep(keep...)
			s.Close()
		} else {
			outs.free()
		}
		if step%period == period-1 && step >= 4*period {
			// Wait for the streams: buffers of finished work are released
			// asynchronously.
			if err := mlx.Synchronize(); err != nil {
				t.Fatal(err)
			}
			atPhase = append(atPhase, mlx.MemoryStats().Active)
		}
	}
	// A leak grows every period; what moves by a few KiB either way between
	// periods is the allocator, not the caches (measured: ±2 KiB, not
	// growing). One leaked (1, 2, 1, 32) float32 array per step would add
	// 10 KiB per period, 360 KiB over the run.
	const slack = 8 << 10
	for i := 1; i < len(atPhase); i++ {
		if atPhase[i] > atPhase[0]+slack {
			t.Fatalf("active memory grew from %d to %d bytes over %d periods: %v", atPhase[0], atPhase[i], i, atPhase)
		}
	}
	Free(caches...)
	lru.Clear()
	if err := mlx.Synchronize(); err != nil {
		t.Fatal(err)
	}
	if after := mlx.MemoryStats().Active; after > base0 {
		t.Fatalf("after freeing every cache, %d bytes more active than before (%d vs %d)", after-base0, after, base0)
	}
	t.Logf("%d steps: active memory %d..%d bytes at the period ends (%d periods), back to the %d of the inputs after Free",
		steps, minOf(atPhase), maxOf(atPhase), len(atPhase), base0)
}

func minOf(v []uint64) uint64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []uint64) uint64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
