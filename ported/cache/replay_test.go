package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// This file is the Go side of testdata/replay.py: it replays a recorded
// op log on the Go caches and compares, after every op, everything the op
// returned and the full record of every cache the op touched (class, every
// element of tree_flatten(state), nbytes, size, empty, is_trimmable,
// offset). Arrays are compared by dtype, shape and the SHA-256 of their raw
// bytes: bit for bit.

type arrRec struct {
	Dtype string  `json:"dtype"`
	Shape []int   `json:"shape"`
	Sha   string  `json:"sha"`
	Sum   float64 `json:"sum"`
}

type leafRec struct {
	K     string   `json:"k"`
	A     *arrRec  `json:"a"`
	None  bool     `json:"none"`
	Bool  *bool    `json:"bool"`
	Int   *int     `json:"int"`
	Float *float64 `json:"float"`
	Str   *string  `json:"str"`
}

type cacheRec struct {
	Cls       string    `json:"cls"`
	State     []leafRec `json:"state"`
	Size      int       `json:"size"`
	Trimmable bool      `json:"trimmable"`
	Empty     bool      `json:"empty"`
	Nbytes    *int      `json:"nbytes"`
	Offset    *int      `json:"offset"`
	OffsetArr *arrRec   `json:"offset_arr"`
}

type maskRec struct {
	Kind string  `json:"kind"`
	A    *arrRec `json:"a"`
}

type outRec struct {
	A    *arrRec  `json:"a"`
	Q    []arrRec `json:"q"`
	None bool     `json:"none"`
}

type replayOp struct {
	Op     string                     `json:"op"`
	C      string                     `json:"c"`
	Cls    string                     `json:"cls"`
	Args   map[string]json.RawMessage `json:"args"`
	Into   string                     `json:"into"`
	K      string                     `json:"k"`
	V      string                     `json:"v"`
	Q      string                     `json:"q"`
	X      string                     `json:"x"`
	Scale  float64                    `json:"scale"`
	Mask   json.RawMessage            `json:"mask"`
	MaskO  *maskRec                   `json:"mask_out"`
	Out    json.RawMessage            `json:"out"`
	Deq    []arrRec                   `json:"deq"`
	Sdpa   *arrRec                    `json:"sdpa"`
	N      int                        `json:"n"`
	I      int                        `json:"i"`
	Idx    int                        `json:"idx"`
	Kw     map[string]json.RawMessage `json:"kw"`
	Method string                     `json:"method"`
	Cs     []string                   `json:"cs"`
	Trim   bool                       `json:"trimmable"`
	Trimd  int                        `json:"trimmed"`
	GS     int                        `json:"group_size"`
	Bits   int                        `json:"bits"`
	Error  string                     `json:"error"`
	After  map[string]cacheRec        `json:"after"`
}

// replayer replays one op log.
type replayer struct {
	t      *testing.T
	dir    string
	inputs *mlx.Tensors
	caches map[string]Cache
	arrays int            // arrays compared
	counts map[string]int // ops replayed, by kind
	where  string         // the current op, for messages
}

func newReplayer(t *testing.T, dir string) *replayer {
	return &replayer{t: t, dir: dir, inputs: paritytest.Load(t, filepath.Join(dir, "inputs.safetensors")),
		caches: map[string]Cache{}, counts: map[string]int{}}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// recOf is replay.py's arr_rec for a Go array.
func recOf(a *mlx.Array) (arrRec, error) {
	if a == nil {
		return arrRec{}, fmt.Errorf("nil array")
	}
	if err := a.Err(); err != nil {
		return arrRec{}, err
	}
	b, err := a.Bytes()
	if err != nil {
		return arrRec{}, err
	}
	h := sha256.Sum256(b)
	r := arrRec{Dtype: a.Dtype().String(), Shape: a.Shape(), Sha: hex.EncodeToString(h[:])}
	if v, err := paritytest.AsFloat64s(a); err == nil {
		for _, x := range v {
			r.Sum += x
		}
	}
	return r, nil
}

// arr compares an array with its record, bit for bit.
func (r *replayer) arr(what string, got *mlx.Array, want arrRec) {
	r.t.Helper()
	g, err := recOf(got)
	if err != nil {
		r.t.Errorf("%s %s: %v (want %s %v)", r.where, what, err, want.Dtype, want.Shape)
		return
	}
	r.arrays++
	wd, err := mlx.DtypeFromString(want.Dtype)
	if err != nil {
		r.t.Errorf("%s %s: %v", r.where, what, err)
		return
	}
	if g.Dtype != wd.String() || !slices.Equal(g.Shape, want.Shape) || g.Sha != want.Sha {
		r.t.Errorf("%s %s: got %s %v sha %.12s sum %.9g, want %s %v sha %.12s sum %.9g", r.where, what,
			g.Dtype, g.Shape, g.Sha, g.Sum, want.Dtype, want.Shape, want.Sha, want.Sum)
	}
}

// leafKind describes a state leaf for messages.
func (l leafRec) kind() string {
	switch {
	case l.A != nil:
		return "array"
	case l.None:
		return "None"
	case l.Bool != nil:
		return fmt.Sprintf("bool %v", *l.Bool)
	case l.Int != nil:
		return fmt.Sprintf("int %d", *l.Int)
	case l.Float != nil:
		return fmt.Sprintf("float %v", *l.Float)
	case l.Str != nil:
		return fmt.Sprintf("str %q", *l.Str)
	}
	return "?"
}

// state compares a Go State with tree_flatten(state) as Python recorded it.
func (r *replayer) state(what string, s State, want []leafRec) {
	r.t.Helper()
	got := treeFlatten("", s, nil)
	if len(got) != len(want) {
		var gk, wk []string
		for _, g := range got {
			gk = append(gk, g.key)
		}
		for _, w := range want {
			wk = append(wk, w.K)
		}
		r.t.Errorf("%s %s: state keys %v, want %v", r.where, what, gk, wk)
		return
	}
	for i, g := range got {
		w := want[i]
		p := what + " state " + w.K
		if g.key != w.K {
			r.t.Errorf("%s %s: key %s, want %s", r.where, p, g.key, w.K)
			continue
		}
		bad := func() { r.t.Errorf("%s %s: %v (%T), want %s", r.where, p, g.value, g.value, w.kind()) }
		switch v := g.value.(type) {
		case *mlx.Array:
			switch {
			case v == nil && !w.None, v != nil && w.A == nil:
				bad()
			case v != nil:
				r.arr(p, v, *w.A)
			}
		case nil:
			if !w.None {
				bad()
			}
		case int:
			if w.Int == nil || *w.Int != v {
				bad()
			}
		case bool:
			if w.Bool == nil || *w.Bool != v {
				bad()
			}
		case float64:
			if w.Float == nil || *w.Float != v {
				bad()
			}
		case string:
			if w.Str == nil || *w.Str != v {
				bad()
			}
		default:
			bad()
		}
	}
}

// cache compares a Go cache with Python's record of it.
func (r *replayer) cache(name string, c Cache, want cacheRec) {
	r.t.Helper()
	if c == nil {
		r.t.Errorf("%s %s: no Go cache", r.where, name)
		return
	}
	if c.ClassName() != want.Cls {
		r.t.Errorf("%s %s: class %s, want %s", r.where, name, c.ClassName(), want.Cls)
		return
	}
	s := c.State()
	r.state(name, s, want.State)
	s.Free()
	if c.Size() != want.Size || c.IsTrimmable() != want.Trimmable || c.Empty() != want.Empty {
		r.t.Errorf("%s %s: size %d trimmable %v empty %v, want %d %v %v", r.where, name,
			c.Size(), c.IsTrimmable(), c.Empty(), want.Size, want.Trimmable, want.Empty)
	}
	if want.Nbytes != nil && c.Nbytes() != *want.Nbytes {
		r.t.Errorf("%s %s: nbytes %d, want %d", r.where, name, c.Nbytes(), *want.Nbytes)
	}
	switch x := c.(type) {
	case KV:
		if want.Offset == nil || x.Offset() != *want.Offset {
			r.t.Errorf("%s %s: offset %d, want %v", r.where, name, x.Offset(), want.Offset)
		}
	case BatchKV:
		if want.OffsetArr == nil {
			r.t.Errorf("%s %s: an array offset, Python has none", r.where, name)
		} else {
			o := x.Offset()
			r.arr(name+" offset", o, *want.OffsetArr)
			o.Free()
		}
	default:
		if want.Offset != nil || want.OffsetArr != nil {
			r.t.Errorf("%s %s: no offset, Python has one", r.where, name)
		}
	}
}

func (r *replayer) input(name string) *mlx.Array {
	r.t.Helper()
	return paritytest.Get(r.t, r.inputs, name)
}

func (r *replayer) get(name string) Cache {
	r.t.Helper()
	c, ok := r.caches[name]
	if !ok {
		r.t.Fatalf("%s: no cache %q", r.where, name)
	}
	return c
}

// out compares returned arrays (or quantized tuples) with their records.
func (r *replayer) outs(what string, got [][]*mlx.Array, raw json.RawMessage) {
	r.t.Helper()
	var want []outRec
	if err := json.Unmarshal(raw, &want); err != nil {
		r.t.Fatalf("%s: %v", r.where, err)
	}
	if len(want) != len(got) {
		r.t.Fatalf("%s %s: %d results, want %d", r.where, what, len(got), len(want))
	}
	for i, w := range want {
		p := fmt.Sprintf("%s[%d]", what, i)
		switch {
		case w.A != nil && len(got[i]) == 1:
			r.arr(p, got[i][0], *w.A)
		case len(w.Q) > 0 && len(got[i]) == len(w.Q):
			for j := range w.Q {
				r.arr(fmt.Sprintf("%s.%d", p, j), got[i][j], w.Q[j])
			}
		default:
			r.t.Errorf("%s %s: %d arrays, want %+v", r.where, p, len(got[i]), w)
		}
	}
}

func (r *replayer) mask(what string, m mlx.AttentionMask, want maskRec) {
	r.t.Helper()
	got := "none"
	switch {
	case m.Causal:
		got = "causal"
	case m.Array != nil:
		got = "array"
	}
	if got != want.Kind {
		r.t.Errorf("%s %s: mask %s, want %s", r.where, what, got, want.Kind)
		return
	}
	if got == "array" {
		r.arr(what, m.Array, *want.A)
	}
}

// maskOpts reads make_mask's keywords (return_array, window_size=None).
func maskOpts(t *testing.T, kw map[string]json.RawMessage) base.MaskOpts {
	var o base.MaskOpts
	if v, ok := kw["return_array"]; ok {
		if err := json.Unmarshal(v, &o.ReturnArray); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok := kw["window_size"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &o.WindowSize); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func argInt(t *testing.T, args map[string]json.RawMessage, k string, def int) int {
	v, ok := args[k]
	if !ok || string(v) == "null" {
		return def
	}
	var n int
	if err := json.Unmarshal(v, &n); err != nil {
		t.Fatalf("arg %s: %v", k, err)
	}
	return n
}

func argInts(t *testing.T, args map[string]json.RawMessage, k string) []int32 {
	v, ok := args[k]
	if !ok || string(v) == "null" {
		return nil
	}
	var n []int32
	if err := json.Unmarshal(v, &n); err != nil {
		t.Fatalf("arg %s: %v", k, err)
	}
	return n
}

func (r *replayer) newCache(o replayOp) Cache {
	t := r.t
	switch o.Cls {
	case "KVCache":
		return NewKVCache()
	case "ConcatenateKVCache":
		return NewConcatenateKVCache()
	case "RotatingKVCache":
		return NewRotatingKVCache(argInt(t, o.Args, "max_size", 0), argInt(t, o.Args, "keep", 0))
	case "QuantizedKVCache":
		return NewQuantizedKVCache(argInt(t, o.Args, "group_size", 64), argInt(t, o.Args, "bits", 8))
	case "ChunkedKVCache":
		return NewChunkedKVCache(argInt(t, o.Args, "chunk_size", 0))
	case "ArraysCache":
		return NewArraysCache(argInt(t, o.Args, "size", 0), argInts(t, o.Args, "left_padding"))
	case "BatchKVCache":
		return NewBatchKVCache(argInts(t, o.Args, "left_padding"))
	case "BatchRotatingKVCache":
		return NewBatchRotatingKVCache(argInt(t, o.Args, "max_size", 0), argInts(t, o.Args, "left_padding"))
	case "CacheList":
		var names []string
		if err := json.Unmarshal(o.Args["members"], &names); err != nil {
			t.Fatal(err)
		}
		var ms []Cache
		for _, n := range names {
			ms = append(ms, r.get(n))
		}
		return NewCacheList(ms...)
	}
	t.Fatalf("%s: unknown class %s", r.where, o.Cls)
	return nil
}

// wantErr checks that Go failed where Python raised (and not elsewhere).
func (r *replayer) wantErr(o replayOp, err error) bool {
	r.t.Helper()
	if (err != nil) != (o.Error != "") {
		r.t.Errorf("%s: Go error %v, Python error %q", r.where, err, o.Error)
	}
	return err != nil
}

func (r *replayer) update(o replayOp) {
	t := r.t
	c := r.get(o.C)
	kv, ok := c.(KeyValue)
	if !ok {
		t.Fatalf("%s: %s is not a KeyValue cache", r.where, c.ClassName())
	}
	// The mask comes first, as in a model: make_mask sees the cache before
	// the update.
	var mask mlx.AttentionMask
	if o.Q != "" {
		switch m := string(o.Mask); {
		case m == "null" || m == "":
		case m == `"causal"`:
			mask = mlx.CausalMask
		default:
			var kw map[string]json.RawMessage
			if err := json.Unmarshal(o.Mask, &kw); err != nil {
				t.Fatal(err)
			}
			mask = c.(base.MaskMaker).MakeMask(r.input(o.K).Dim(2), maskOpts(t, kw))
			r.mask("sdpa mask", mask, *o.MaskO)
		}
	}
	k, v := kv.UpdateAndFetch(r.input(o.K), r.input(o.V))
	if r.wantErr(o, firstErr(k, v)) {
		return
	}
	if q, ok := c.(*QuantizedKVCache); ok {
		qk, qv := q.KeysAndValuesQuantized()
		r.outs("update_and_fetch", [][]*mlx.Array{qArrays(&qk), qArrays(&qv)}, o.Out)
		if len(o.Deq) != 2 {
			t.Fatalf("%s: no dequantized records", r.where)
		}
		r.arr("dequantized keys", k, o.Deq[0])
		r.arr("dequantized values", v, o.Deq[1])
	} else {
		r.outs("update_and_fetch", [][]*mlx.Array{{k}, {v}}, o.Out)
	}
	if o.Q == "" {
		return
	}
	out := ScaledDotProductAttention(r.input(o.Q), k, v, c, o.Scale, mask, nil)
	r.arr("scaled_dot_product_attention", out, *o.Sdpa)
}

func (r *replayer) call(o replayOp) {
	t := r.t
	c := r.get(o.C)
	var err error
	switch o.Method {
	case "maybe_trim_front":
		c.(*ChunkedKVCache).MaybeTrimFront()
	case "advance":
		c.(*ArraysCache).Advance(argInt(t, o.Kw, "N", 0))
	case "prepare":
		err = c.(Batch).Prepare(PrepareOpts{LeftPadding: argInts(t, o.Kw, "left_padding"),
			Lengths: argInts(t, o.Kw, "lengths"), RightPadding: argInts(t, o.Kw, "right_padding")})
	case "finalize":
		err = c.(Batch).Finalize()
	case "filter":
		var bi []int
		if e := json.Unmarshal(o.Kw["batch_indices"], &bi); e != nil {
			t.Fatal(e)
		}
		err = c.(Batch).Filter(bi)
	case "extend":
		var other string
		if e := json.Unmarshal(o.Kw["other"], &other); e != nil {
			t.Fatal(e)
		}
		err = c.(Batch).Extend(r.get(other))
	default:
		t.Fatalf("%s: unknown method", r.where)
	}
	r.wantErr(o, err)
}

func (r *replayer) step(i int, o replayOp) {
	t := r.t
	r.where = fmt.Sprintf("op %d (%s %s %s)", i, o.Op, o.C, o.Method)
	r.counts[o.Op]++
	switch o.Op {
	case "new":
		r.caches[o.C] = r.newCache(o)
	case "alias":
		r.caches[o.Into] = r.get(o.C)
	case "update":
		r.update(o)
	case "kav":
		c := r.get(o.C)
		if q, ok := c.(*QuantizedKVCache); ok {
			k, v := q.KeysAndValuesQuantized()
			r.outs("keys_and_values", [][]*mlx.Array{qArrays(&k), qArrays(&v)}, o.Out)
		} else {
			k, v := c.(KeyValue).KeysAndValues()
			r.outs("keys_and_values", [][]*mlx.Array{{k}, {v}}, o.Out)
		}
	case "mask":
		var want maskRec
		if err := json.Unmarshal(o.Out, &want); err != nil {
			t.Fatal(err)
		}
		r.mask(fmt.Sprintf("make_mask(%d)", o.N), r.get(o.C).(base.MaskMaker).MakeMask(o.N, maskOpts(t, o.Kw)), want)
	case "trim":
		c := r.get(o.C)
		got := 0
		if c.IsTrimmable() != o.Trim {
			t.Errorf("%s: is_trimmable %v, want %v", r.where, c.IsTrimmable(), o.Trim)
		}
		if c.IsTrimmable() {
			got = c.Trim(o.N)
		}
		if got != o.Trimd {
			t.Errorf("%s: trimmed %d, want %d", r.where, got, o.Trimd)
		}
	case "call":
		r.call(o)
	case "set":
		if err := r.get(o.C).(*ArraysCache).Set(o.I, r.input(o.X)); err != nil {
			t.Errorf("%s: %v", r.where, err)
		}
	case "get":
		var want outRec
		if err := json.Unmarshal(o.Out, &want); err != nil {
			t.Fatal(err)
		}
		got := r.get(o.C).(*ArraysCache).Get(o.I)
		switch {
		case (got == nil) != want.None:
			t.Errorf("%s: got %v, want None %v", r.where, got, want.None)
		case got != nil:
			r.arr("cache[i]", got, *want.A)
		}
	case "extract":
		out, err := r.get(o.C).(Batch).Extract(o.Idx)
		if !r.wantErr(o, err) {
			r.caches[o.Into] = out
		}
	case "merge":
		var cs []Cache
		for _, n := range o.Cs {
			cs = append(cs, r.get(n))
		}
		out, err := MergeCaches(cs)
		if !r.wantErr(o, err) {
			r.caches[o.Into] = out
		}
	case "to_quantized":
		out, err := r.get(o.C).(Quantizable).ToQuantized(o.GS, o.Bits)
		if !r.wantErr(o, err) {
			r.caches[o.Into] = out
		}
	case "from_state":
		c := r.get(o.C)
		s := c.State()
		out, err := FromState(c.ClassName(), s)
		s.Free()
		if err != nil {
			t.Fatalf("%s: %v", r.where, err)
		}
		r.caches[o.Into] = out
	case "deepcopy":
		r.caches[o.Into] = r.get(o.C).Copy()
	case "check":
	default:
		t.Fatalf("%s: unknown op", r.where)
	}
	names := make([]string, 0, len(o.After))
	for n := range o.After {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r.cache(n, r.get(n), o.After[n])
	}
}

// run replays OUTDIR/ops.json. Each op runs in its own mlx.Scope that keeps
// only what the caches list in Handles(): an array a cache holds but does not
// list would be freed and fail a later op.
func (r *replayer) run() {
	var ops []replayOp
	readJSON(r.t, filepath.Join(r.dir, "ops.json"), &ops)
	for i, o := range ops {
		s := mlx.NewScope()
		r.step(i, o)
		for _, c := range r.caches {
			s.Keep(c.Handles()...)
		}
		s.Close()
		if r.t.Failed() {
			// The first divergence is what matters; later ops would repeat it.
			r.t.Fatalf("stopping at op %d of %d", i, len(ops))
		}
	}
	r.t.Logf("replayed %d ops %v: %d arrays compared, all bit-identical", len(ops), r.counts, r.arrays)
}

// ---- prompt-cache files ----

type loadedRecs struct {
	Caches   []cacheRec        `json:"caches"`
	Metadata map[string]string `json:"metadata"`
}

// comparePromptFiles checks that two prompt-cache files hold the same
// tensors (names, dtypes, shapes, bytes) and metadata: Go's file is what
// mlx-lm's save_prompt_cache writes.
func (r *replayer) comparePromptFiles(gotPath, wantPath string) {
	t := r.t
	got, err := mlx.LoadSafetensors(gotPath)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Free()
	want := paritytest.Load(t, wantPath)
	if !slices.Equal(got.Names(), want.Names()) {
		t.Fatalf("tensors %v, mlx-lm wrote %v", got.Names(), want.Names())
	}
	for _, n := range want.Names() {
		w, err := recOf(want.Arrays[n])
		if err != nil {
			t.Fatal(err)
		}
		r.arr("file tensor "+n, got.Arrays[n], w)
	}
	if fmt.Sprint(got.Metadata) != fmt.Sprint(want.Metadata) {
		t.Errorf("file metadata %v, mlx-lm wrote %v", got.Metadata, want.Metadata)
	}
}

// compareLoaded compares Go caches (and metadata) with Python's records of
// what load_prompt_cache gave.
func (r *replayer) compareLoaded(what string, got []Cache, meta map[string]string, want loadedRecs) {
	r.where = what
	if len(got) != len(want.Caches) {
		r.t.Fatalf("%s: %d caches, Python loaded %d", what, len(got), len(want.Caches))
	}
	if fmt.Sprint(meta) != fmt.Sprint(want.Metadata) {
		r.t.Errorf("%s: metadata %v, Python's %v", what, meta, want.Metadata)
	}
	for i, c := range got {
		r.cache(fmt.Sprintf("cache %d", i), c, want.Caches[i])
	}
}

// promptInterop is the prompt-cache file test of a replay: mlx-lm's file,
// loaded in Go, gives the caches mlx-lm loads from it; Go's file of its own
// replayed caches is the same file (same tensors and metadata); and mlx-lm
// loads Go's file as it loads its own.
func (r *replayer) promptInterop(script string, names []string, meta map[string]string) {
	t := r.t
	var pyLoaded loadedRecs
	readJSON(t, filepath.Join(r.dir, "py_loaded.json"), &pyLoaded)
	loaded, gotMeta, err := LoadPromptCache(filepath.Join(r.dir, "py_prompt.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer Free(loaded...)
	r.compareLoaded("Go load of mlx-lm's file", loaded, gotMeta, pyLoaded)

	var own []Cache
	for _, n := range names {
		own = append(own, r.get(n))
	}
	goFile := filepath.Join(r.dir, "go_prompt.safetensors")
	if err := SavePromptCache(goFile, own, meta); err != nil {
		t.Fatal(err)
	}
	r.where = "Go's file"
	r.comparePromptFiles(goFile, filepath.Join(r.dir, "py_prompt.safetensors"))

	paritytest.GenerateIn(t, script, r.dir, goFile)
	var goLoaded loadedRecs
	readJSON(t, filepath.Join(r.dir, "go_loaded.json"), &goLoaded)
	r.compareLoaded("mlx-lm load of Go's file", loaded, gotMeta, goLoaded)
}

func promptNames(t *testing.T, dir string) []string {
	raw, err := os.ReadFile(filepath.Join(dir, "prompt_names.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(raw)), "\n")
}
