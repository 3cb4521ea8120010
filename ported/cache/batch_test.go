package cache

import (
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestBatchParity replays testdata/gen_batch.py: BatchKVCache over 2-4
// left-padded sequences (across the 256 growth step, trims, filter, extend,
// extract, prepare with left padding, caches without keys extended and
// filtered, KVCache.merge with an empty member, right-padded prefill and
// finalize) and BatchRotatingKVCache (max_size 16: the ring wraps many
// times; filter, extend by a wrapped batch at another _idx, extract of
// rotated and unrotated states, RotatingKVCache.merge of caches with keep 2,
// wrapped and not, right-padded prefill that wraps, decoding before finalize
// failing as upstream), masks before every update and attention every few
// steps; every returned array and cache state after every op, bit for bit.
// Then prompt-cache files of batch caches, both ways.
func TestBatchParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_batch.py")
	r := newReplayer(t, dir)
	r.run()
	if r.counts["update"] < 350 || r.counts["mask"] < 500 || r.arrays < 3500 {
		t.Fatalf("too little replayed: %v, %d arrays", r.counts, r.arrays)
	}
	n := r.arrays
	r.promptInterop("gen_batch.py", promptNames(t, dir), map[string]string{"model": "tiny", "note": "batch caches"})
	t.Logf("prompt-cache files: %d arrays compared, all bit-identical", r.arrays-n)
}

// TestDynamicRoll compares dynamic_roll with negative and wrapping shifts
// against mx.roll row by row (what dynamic_roll computes): rolling row i of x
// by s is concatenating its last s positions and the rest.
func TestDynamicRoll(t *testing.T) {
	x := mlx.Normal([]int{3, 2, 7, 4}, mlx.Float32, 0, 1, mlx.RandomKey(5))
	defer x.Free()
	for _, sh := range [][]int32{{0, 3, -2}, {9, 1, 6}, {-7, 14, 100}} {
		s := mlx.FromSlice(sh).Index(mlx.Colon, mlx.NewAxis)
		got := DynamicRoll(x, s, 2)
		for i, v := range sh {
			row := x.Index(mlx.Slice(i, i+1, 1))
			want := roll(row, int(v), 2)
			g := got.Index(mlx.Slice(i, i+1, 1))
			gb, err1 := g.Bytes()
			wb, err2 := want.Bytes()
			if err1 != nil || err2 != nil || string(gb) != string(wb) {
				t.Errorf("dynamic_roll shifts %v row %d: differs from a roll by %d (%v %v)", sh, i, v, err1, err2)
			}
			row.Free()
			want.Free()
			g.Free()
		}
		got.Free()
		s.Free()
	}
}

// TestBatchErrors covers the error paths Python raises on, and bad input
// that Python would crash on in other ways.
func TestBatchErrors(t *testing.T) {
	k := mlx.Zeros(mlx.Float32, 2, 1, 3, 4)
	defer k.Free()
	b := NewBatchKVCache([]int32{1, 0})
	defer Free(b)
	kk, vv := b.UpdateAndFetch(k, k)
	kk.Free()
	vv.Free()
	for i, c := range []struct {
		name string
		err  error
	}{
		{"left padding on a non-empty BatchKVCache", b.Prepare(PrepareOpts{LeftPadding: []int32{1, 1}})},
		{"empty right padding", b.Prepare(PrepareOpts{RightPadding: []int32{}})},
		{"filter to no rows", b.Filter(nil)},
		{"extend with another class", b.Extend(NewArraysCache(1, nil))},
	} {
		if c.err == nil {
			t.Errorf("%d: %s did not fail", i, c.name)
		}
	}
	if _, err := b.Extract(5); err == nil {
		t.Error("extract out of range did not fail")
	}
	r := NewBatchRotatingKVCache(8, []int32{0, 0})
	defer Free(r)
	if err := r.Prepare(PrepareOpts{RightPadding: []int32{1, 0}}); err == nil {
		t.Error("right padding without lengths did not fail")
	}
	if err := r.Prepare(PrepareOpts{Lengths: []int32{2, 3}, RightPadding: []int32{1, 0}}); err != nil {
		t.Fatal(err)
	}
	kk, vv = r.UpdateAndFetch(k, k)
	kk.Free()
	vv.Free()
	one := k.Index(mlx.Ellipsis, mlx.Slice(0, 1, 1), mlx.Colon)
	defer one.Free()
	if kk, vv := r.UpdateAndFetch(one, one); kk.Err() == nil || vv.Err() == nil {
		t.Error("decoding before finalize() did not fail")
	}
	if _, err := r.ToQuantized(64, 4); err == nil {
		t.Error("BatchRotatingKVCache.to_quantized did not fail")
	}
	if _, err := MergeCaches([]Cache{b, b}); err == nil {
		t.Error("merging batch caches did not fail")
	}
	if _, err := MergeCaches(nil); err == nil {
		t.Error("merging no caches did not fail")
	}
	if e := DynamicRoll(k, mlx.Int(1), -1); e.Err() == nil {
		t.Error("dynamic_roll with a negative axis did not fail")
	}
	for _, c := range []KeyValue{NewKVCache(), NewBatchKVCache([]int32{0})} {
		kk, vv := c.UpdateAndFetch(mlx.Zeros(mlx.Float32, 2, 3), k)
		if kk.Err() == nil || vv.Err() == nil {
			t.Errorf("%s: 2-D keys did not fail", c.ClassName())
		}
		if kk, _ := c.KeysAndValues(); kk.Err() == nil {
			t.Errorf("%s: keys_and_values of an empty cache did not fail", c.ClassName())
		}
	}
}
