package cache

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// batchOp is one entry of testdata/gen_batch.py's ops.json.
type batchOp struct {
	Op           string   `json:"op"`
	C            string   `json:"c"`
	Chk          bool     `json:"chk"`
	N            int      `json:"n"`
	Window       int      `json:"window"`
	LeftPadding  []int32  `json:"left_padding"`
	Lengths      []int32  `json:"lengths"`
	RightPadding []int32  `json:"right_padding"`
	Indices      []int    `json:"indices"`
	Other        string   `json:"other"`
	Into         string   `json:"into"`
	Cs           []string `json:"cs"`
	Error        bool     `json:"error"`
	MaxSize      int      `json:"max_size"`
	Keep         int      `json:"keep"`
	Trimmed      int      `json:"trimmed"`
	// check: idx is _idx (null for KVCache); extract: the batch index.
	Idx       *int     `json:"idx"`
	Meta      []string `json:"meta"`
	Trimmable bool     `json:"trimmable"`
	Empty     bool     `json:"empty"`
	BufOffset *int     `json:"buf_offset"`
	Rotated   *bool    `json:"rotated"`
	Offset    *int     `json:"offset"`
	Cls       string   `json:"cls"`
	// check of an ArraysCache: whether left_padding / lengths are set.
	HasLeftPadding bool `json:"left_padding_set"`
	HasLengths     bool `json:"lengths_set"`
}

// batchReplay replays ops.json on Go caches and compares with mlx-lm.
type batchReplay struct {
	t      *testing.T
	ts     *mlx.Tensors
	chk    *paritytest.Checker
	caches map[string]Cache
	checks int
}

func (r *batchReplay) get(name string) *mlx.Array { return paritytest.Get(r.t, r.ts, name) }

func cacheIdx(c Cache) (int, bool) {
	switch x := c.(type) {
	case *BatchKVCache:
		return x.Idx(), true
	case *BatchRotatingKVCache:
		return x.Idx(), true
	case *RotatingKVCache:
		return x.idx, true
	}
	return 0, false
}

func (r *batchReplay) check(i int, o batchOp) {
	t := r.t
	p := fmt.Sprintf("%d(%s %s)", i, o.Op, o.C)
	c := r.caches[o.C]
	r.checks++
	if !c.Empty() {
		st := c.State()
		for j, k := range c.StateKeys() {
			r.chk.Close(p+"/state/"+k, st[j], r.get(fmt.Sprintf("%d/state/%s", i, k)))
		}
	}
	if c.ClassName() != o.Cls {
		t.Errorf("%s: class %s, want %s", p, c.ClassName(), o.Cls)
	}
	switch x := c.(type) {
	case *ArraysCache:
		if (x.LeftPadding != nil) != o.HasLeftPadding || (x.Lengths != nil) != o.HasLengths {
			t.Errorf("%s: left_padding set %v lengths set %v, want %v %v", p, x.LeftPadding != nil, x.Lengths != nil, o.HasLeftPadding, o.HasLengths)
		}
		if x.LeftPadding != nil && o.HasLeftPadding {
			r.chk.Close(p+"/left_padding", x.LeftPadding, r.get(fmt.Sprintf("%d/left_padding", i)))
		}
		if x.Lengths != nil && o.HasLengths {
			r.chk.Close(p+"/lengths", x.Lengths, r.get(fmt.Sprintf("%d/lengths", i)))
		}
	case *BatchKVCache:
		r.chk.Close(p+"/offset", x.offset, r.get(fmt.Sprintf("%d/offset", i)))
		r.chk.Close(p+"/left_padding", x.leftPadding, r.get(fmt.Sprintf("%d/left_padding", i)))
	case *BatchRotatingKVCache:
		r.chk.Close(p+"/offset", x.offset, r.get(fmt.Sprintf("%d/offset", i)))
		r.chk.Close(p+"/left_padding", x.leftPadding, r.get(fmt.Sprintf("%d/left_padding", i)))
		if o.BufOffset == nil || x.bufOffset != *o.BufOffset || o.Rotated == nil || x.rotated != *o.Rotated {
			t.Errorf("%s: _offset %d rotated %v, want %v %v", p, x.bufOffset, x.rotated, deref(o.BufOffset), o.Rotated != nil && *o.Rotated)
		}
	}
	if m := c.MetaState(); !slices.Equal(m, o.Meta) && !(len(m) == 0 && len(o.Meta) == 0) {
		t.Errorf("%s: meta_state %v, want %v", p, m, o.Meta)
	}
	if idx, ok := cacheIdx(c); ok != (o.Idx != nil) || (ok && idx != *o.Idx) {
		t.Errorf("%s: _idx %d (%v), want %v", p, idx, ok, deref(o.Idx))
	}
	if o.Offset != nil {
		if off := c.(offsetter).Offset(); off != *o.Offset {
			t.Errorf("%s: offset %d, want %d", p, off, *o.Offset)
		}
	}
	if c.IsTrimmable() != o.Trimmable || c.Empty() != o.Empty {
		t.Errorf("%s: trimmable %v empty %v, want %v %v", p, c.IsTrimmable(), c.Empty(), o.Trimmable, o.Empty)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func (r *batchReplay) step(i int, o batchOp) {
	t := r.t
	p := fmt.Sprintf("%d(%s %s)", i, o.Op, o.C)
	c := r.caches[o.C]
	switch o.Op {
	case "new_batch":
		r.caches[o.C] = NewBatchKVCache(o.LeftPadding)
	case "new_rot_batch":
		r.caches[o.C] = NewBatchRotatingKVCache(o.MaxSize, o.LeftPadding)
	case "new_kv":
		r.caches[o.C] = NewKVCache()
	case "new_rot":
		r.caches[o.C] = NewRotatingKVCache(o.MaxSize, o.Keep)
	case "new_arrays":
		if o.Cls == "MambaCache" {
			r.caches[o.C] = NewMambaCache(o.LeftPadding)
		} else {
			r.caches[o.C] = NewArraysCache(o.N, o.LeftPadding)
		}
	case "set":
		c.(*ArraysCache).Set(o.N, r.get(fmt.Sprintf("%d/in", i)))
	case "new_cachelist":
		var ms []Cache
		for _, n := range o.Cs {
			ms = append(ms, r.caches[n])
		}
		r.caches[o.C] = NewCacheList(ms...)
	case "member":
		r.caches[o.Into] = c.(*CacheList).Get(o.N)
	case "update":
		k, v := c.(KV).UpdateAndFetch(r.get(fmt.Sprintf("%d/in/k", i)), r.get(fmt.Sprintf("%d/in/v", i)))
		if o.Chk {
			r.chk.Close(p+"/k", k, r.get(fmt.Sprintf("%d/k", i)))
			r.chk.Close(p+"/v", v, r.get(fmt.Sprintf("%d/v", i)))
		} else if err := mlx.Eval(k, v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	case "mask":
		m := c.(base.MaskMaker).MakeMask(o.N, base.MaskOpts{WindowSize: o.Window})
		if m.Array == nil {
			t.Errorf("%s: mask %s, want an array", p, maskKind(m))
		} else {
			r.chk.Close(fmt.Sprintf("%s/mask(n=%d,w=%d)", p, o.N, o.Window), m.Array, r.get(fmt.Sprintf("%d/mask", i)))
		}
	case "trim":
		if got := c.Trim(o.N); got != o.Trimmed {
			t.Errorf("%s: trimmed %d, want %d", p, got, o.Trimmed)
		}
	case "prepare":
		po := PrepareOpts{LeftPadding: o.LeftPadding, Lengths: o.Lengths, RightPadding: o.RightPadding}
		var err error
		switch x := c.(type) {
		case *BatchKVCache:
			err = x.Prepare(po)
		case *BatchRotatingKVCache:
			err = x.Prepare(po)
		case *CacheList:
			err = x.Prepare(po)
		default:
			t.Fatalf("%s: no prepare on %T", p, c)
		}
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	case "finalize":
		switch x := c.(type) {
		case *BatchKVCache:
			x.Finalize()
		case *BatchRotatingKVCache:
			x.Finalize()
		case *CacheList:
			if err := x.Finalize(); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		default:
			t.Fatalf("%s: no finalize on %T", p, c)
		}
	case "filter":
		if err := c.(interface{ Filter([]int) error }).Filter(o.Indices); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	case "extend":
		if err := extendCache(c, r.caches[o.Other]); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	case "extract":
		var out Cache
		var err error
		switch x := c.(type) {
		case *BatchKVCache:
			out, err = x.Extract(*o.Idx)
		case *BatchRotatingKVCache:
			out, err = x.Extract(*o.Idx)
		case *ArraysCache:
			out, err = x.Extract(*o.Idx)
		case *CacheList:
			out, err = x.Extract(*o.Idx)
		default:
			t.Fatalf("%s: no extract on %T", p, c)
		}
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		r.caches[o.Into] = out
	case "merge":
		var cs []Cache
		for _, n := range o.Cs {
			cs = append(cs, r.caches[n])
		}
		out, err := MergeCaches(cs)
		if (err != nil) != o.Error {
			t.Fatalf("%s: merge error %v, Python raised: %v", p, err, o.Error)
		}
		if err == nil {
			r.caches[o.Into] = out
		}
	case "check":
		r.check(i, o)
	default:
		t.Fatalf("%s: unknown op", p)
	}
}

// TestBatchParity replays testdata/gen_batch.py's scenarios (BatchKVCache
// and BatchRotatingKVCache over 2-4 left-padded sequences, 300+ mixed
// prefill/decode updates, masks, trim, prepare/finalize with right padding,
// filter, extend, extract, merge of KVCaches and RotatingKVCaches) op by op
// and compares every recorded array and attribute.
func TestBatchParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_batch.py")
	raw, err := os.ReadFile(filepath.Join(dir, "ops.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ops []batchOp
	if err := json.Unmarshal(raw, &ops); err != nil {
		t.Fatal(err)
	}
	r := &batchReplay{t: t, ts: paritytest.Load(t, filepath.Join(dir, "batch.safetensors")),
		chk: &paritytest.Checker{T: t, Tol: 0}, caches: map[string]Cache{}}
	counts := map[string]int{}
	for i, o := range ops {
		counts[o.Op]++
		// Each op in its own scope: whatever a cache holds and does not list in
		// Handles would be freed here and fail a later op.
		s := mlx.NewScope()
		r.step(i, o)
		for _, c := range r.caches {
			s.Keep(c.Handles()...)
		}
		s.Close()
		if t.Failed() {
			// The first divergence is what matters; later ops would repeat it.
			t.Fatalf("stopping at op %d of %d", i, len(ops))
		}
	}
	if counts["update"] < 300 || counts["mask"] < 200 || r.checks < 150 {
		t.Fatalf("too little replayed: %v", counts)
	}
	t.Logf("replayed %d ops: %v", len(ops), counts)
	r.chk.Report(1400)

	// dynamic_roll on its own, with negative and wrapping shifts.
	x := r.get("roll/x")
	for j, sh := range [][]int32{{0, 3, -2}, {9, 1, 6}} {
		s := mlx.FromSlice(sh).Index(mlx.Colon, mlx.NewAxis)
		r.chk.Close(fmt.Sprintf("dynamic_roll/%d", j), DynamicRoll(x, s, 2), r.get(fmt.Sprintf("roll/%d", j)))
	}

	// Prompt-cache files of batch caches: mlx-lm's file loaded in Go must give
	// what mlx-lm loads from it, and mlx-lm must load Go's file the same way.
	loaded, meta, err := LoadPromptCache(filepath.Join(dir, "py_prompt.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	pchk := &paritytest.Checker{T: t, Tol: 0}
	compareBatchPromptCache(t, pchk, loaded, meta, dir)
	goFile := filepath.Join(dir, "go_prompt.safetensors")
	if err := SavePromptCache(goFile, loaded, meta); err != nil {
		t.Fatal(err)
	}
	rerun := paritytest.GenerateIn(t, "gen_batch.py", dir, goFile)
	compareBatchPromptCache(t, pchk, loaded, meta, rerun)
	pchk.Report(2 * 5 * 4)
}

func compareBatchPromptCache(t *testing.T, chk *paritytest.Checker, got []Cache, meta map[string]string, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "loaded.json"))
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Caches []struct {
			Cls  string   `json:"cls"`
			Meta []string `json:"meta"`
			Idx  *int     `json:"idx"`
		} `json:"caches"`
		Metadata map[string]string `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	ts := paritytest.Load(t, filepath.Join(dir, "loaded.safetensors"))
	if len(got) != len(info.Caches) {
		t.Fatalf("%d caches, Python has %d", len(got), len(info.Caches))
	}
	if fmt.Sprint(meta) != fmt.Sprint(info.Metadata) {
		t.Errorf("metadata %v, Python's %v", meta, info.Metadata)
	}
	for i, c := range got {
		want := info.Caches[i]
		if c.ClassName() != want.Cls {
			t.Errorf("cache %d: class %s, want %s", i, c.ClassName(), want.Cls)
		}
		if m := c.MetaState(); fmt.Sprint(m) != fmt.Sprint(want.Meta) && !(len(m) == 0 && len(want.Meta) == 0) {
			t.Errorf("cache %d: meta %v, want %v", i, m, want.Meta)
		}
		if idx, ok := cacheIdx(c); !ok || want.Idx == nil || idx != *want.Idx {
			t.Errorf("cache %d: _idx %d, want %v", i, idx, deref(want.Idx))
		}
		st := c.State()
		for j, k := range c.StateKeys() {
			name := fmt.Sprintf("%d.%s", i, k)
			chk.Close("prompt/"+name, st[j], paritytest.Get(t, ts, name))
		}
	}
}

// TestBatchErrors covers the error paths Python raises on.
func TestBatchErrors(t *testing.T) {
	k := mlx.Zeros(mlx.Float32, 2, 1, 3, 4)
	defer k.Free()
	b := NewBatchKVCache([]int32{1, 0})
	b.UpdateAndFetch(k, k)
	if err := b.Prepare(PrepareOpts{LeftPadding: []int32{1, 1}}); err == nil {
		t.Error("left padding added to a non-empty BatchKVCache")
	}
	r := NewBatchRotatingKVCache(8, []int32{0, 0})
	if err := r.Prepare(PrepareOpts{Lengths: []int32{2, 3}, RightPadding: []int32{1, 0}}); err != nil {
		t.Fatal(err)
	}
	r.UpdateAndFetch(k, k)
	one := k.Index(mlx.Ellipsis, mlx.Slice(0, 1, 1), mlx.Colon)
	defer one.Free()
	if kk, _ := r.UpdateAndFetch(one, one); kk.Err() == nil {
		t.Error("decoding before finalize() did not fail")
	}
	if _, err := r.ToQuantized(64, 4); err == nil {
		t.Error("BatchRotatingKVCache.to_quantized did not fail")
	}
	if _, err := MergeBatchKVCache([]*KVCache{NewKVCache()}); err == nil {
		t.Error("merging caches without keys did not fail")
	}
	if e := DynamicRoll(k, mlx.Int(1), -1); e.Err() == nil {
		t.Error("dynamic_roll with a negative axis did not fail")
	}
}
