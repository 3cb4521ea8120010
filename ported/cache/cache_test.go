package cache

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type stepRec struct {
	Step         int      `json:"step"`
	MaskPlain    string   `json:"mask_plain"`
	MaskArray    string   `json:"mask_array"`
	MaskWin      string   `json:"mask_win"`
	Trimmable    *bool    `json:"trimmable"`
	Trimmed      int      `json:"trimmed"`
	Offset       int      `json:"offset"`
	Meta         []string `json:"meta"`
	Size         int      `json:"size"`
	TrimmableNow bool     `json:"trimmable_now"`
	Checked      bool     `json:"checked"`
}

type spec struct {
	Name string         `json:"name"`
	Cls  string         `json:"cls"`
	Args map[string]int `json:"args"`
}

type cacheCases struct {
	Sizes  []int                `json:"sizes"`
	Trims  map[string]int       `json:"trims"`
	Specs  []spec               `json:"specs"`
	Record map[string][]stepRec `json:"record"`
}

func newFromSpec(s spec) (Cache, error) {
	switch s.Cls {
	case "KVCache":
		return NewKVCache(), nil
	case "ConcatenateKVCache":
		return NewConcatenateKVCache(), nil
	case "RotatingKVCache":
		return NewRotatingKVCache(s.Args["max_size"], s.Args["keep"]), nil
	case "QuantizedKVCache":
		return NewQuantizedKVCache(s.Args["group_size"], s.Args["bits"]), nil
	case "ChunkedKVCache":
		return NewChunkedKVCache(s.Args["chunk_size"]), nil
	}
	return nil, fmt.Errorf("unknown class %s", s.Cls)
}

func maskKind(m mlx.AttentionMask) string {
	switch {
	case m.Causal:
		return "causal"
	case m.Array != nil:
		return "array"
	}
	return "none"
}

type offsetter interface{ Offset() int }

// TestParity replays mlx-lm's 320-step schedule (decodes mixed with
// prefills of 2..19 tokens, trims at three steps) through every cache and
// compares returned keys/values, state, offset, meta_state, size,
// trimmability and masks at the checkpoints Python recorded.
func TestParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_cache.py")
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs cacheCases
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs.Sizes) < 300 {
		t.Fatalf("only %d steps", len(cs.Sizes))
	}
	ts := paritytest.Load(t, filepath.Join(dir, "cache.safetensors"))
	chk := &paritytest.Checker{T: t, Tol: 1e-5}
	for _, sp := range cs.Specs {
		c, err := newFromSpec(sp)
		if err != nil {
			t.Fatal(err)
		}
		recs := cs.Record[sp.Name]
		if len(recs) != len(cs.Sizes) {
			t.Fatalf("%s: %d records for %d steps", sp.Name, len(recs), len(cs.Sizes))
		}
		for i, s := range cs.Sizes {
			r := recs[i]
			p := fmt.Sprintf("%s/%d", sp.Name, i)
			if ch, ok := c.(*ChunkedKVCache); ok {
				ch.MaybeTrimFront()
			}
			if mm, ok := c.(base.MaskMaker); ok && r.Checked {
				for _, mc := range []struct {
					name, want string
					o          base.MaskOpts
				}{{"plain", r.MaskPlain, base.MaskOpts{}}, {"array", r.MaskArray, base.MaskOpts{ReturnArray: true}},
					{"win", r.MaskWin, base.MaskOpts{WindowSize: 16}}} {
					m := mm.MakeMask(s, mc.o)
					if got := maskKind(m); got != mc.want {
						t.Errorf("%s mask_%s: %s, want %s", p, mc.name, got, mc.want)
					} else if got == "array" {
						chk.Close(p+"/mask_"+mc.name, m.Array, paritytest.Get(t, ts, p+"/mask_"+mc.name))
					}
				}
			}
			k := paritytest.Get(t, ts, fmt.Sprintf("in/%d/k", i))
			v := paritytest.Get(t, ts, fmt.Sprintf("in/%d/v", i))
			var outs []*mlx.Array
			var outNames []string
			switch cc := c.(type) {
			case *QuantizedKVCache:
				qk, qv, err := cc.UpdateAndFetch(k, v)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				outs = append(qArrays(&qk), qArrays(&qv)...)
				outNames = []string{"k0", "k1", "k2", "v0", "v1", "v2"}
			case KV:
				ko, vo := cc.UpdateAndFetch(k, v)
				outs, outNames = []*mlx.Array{ko, vo}, []string{"k", "v"}
			}
			if n, ok := cs.Trims[strconv.Itoa(i)]; ok {
				if c.IsTrimmable() != *r.Trimmable {
					t.Errorf("%s: is_trimmable %v, want %v", p, c.IsTrimmable(), *r.Trimmable)
				}
				got := 0
				if c.IsTrimmable() {
					got = c.Trim(n)
				}
				if got != r.Trimmed {
					t.Errorf("%s: trimmed %d, want %d", p, got, r.Trimmed)
				}
			}
			if !r.Checked {
				for _, o := range outs {
					if err := o.Err(); err != nil {
						t.Fatalf("%s: %v", p, err)
					}
				}
				// Evaluate like the Python loop does, so graphs stay small.
				if err := mlx.Eval(c.Handles()...); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				continue
			}
			for j, o := range outs {
				chk.Close(p+"/"+outNames[j], o, paritytest.Get(t, ts, p+"/"+outNames[j]))
			}
			state := c.State()
			keys := c.StateKeys()
			for j, a := range state {
				chk.Close(p+"/state/"+keys[j], a, paritytest.Get(t, ts, p+"/state/"+keys[j]))
			}
			if off := c.(offsetter).Offset(); off != r.Offset {
				t.Errorf("%s: offset %d, want %d", p, off, r.Offset)
			}
			if m := c.MetaState(); !slices.Equal(m, r.Meta) && !(len(m) == 0 && len(r.Meta) == 0) {
				t.Errorf("%s: meta_state %v, want %v", p, m, r.Meta)
			}
			if c.Size() != r.Size || c.IsTrimmable() != r.TrimmableNow {
				t.Errorf("%s: size %d trimmable %v, want %d %v", p, c.Size(), c.IsTrimmable(), r.Size, r.TrimmableNow)
			}
		}
	}
	chk.Report(200)

	// Prompt-cache files: mlx-lm's file loaded in Go must give what mlx-lm
	// itself loads from it.
	loaded, meta, err := LoadPromptCache(filepath.Join(dir, "py_prompt.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	pchk := &paritytest.Checker{T: t, Tol: 0}
	comparePromptCache(t, pchk, loaded, meta, dir)

	// And the reverse: Go writes the caches it loaded, mlx-lm loads the file.
	goFile := filepath.Join(dir, "go_prompt.safetensors")
	if err := SavePromptCache(goFile, loaded, meta); err != nil {
		t.Fatal(err)
	}
	// Reuse the out dir for Python's view of the Go file (overwrites loaded.*).
	rerun := paritytest.GenerateIn(t, "gen_cache.py", dir, goFile)
	comparePromptCache(t, pchk, loaded, meta, rerun)
	pchk.Report(2 * 14)
}

type loadedInfo struct {
	Caches []struct {
		Cls    string   `json:"cls"`
		Meta   []string `json:"meta"`
		Offset *int     `json:"offset"`
	} `json:"caches"`
	Metadata map[string]string `json:"metadata"`
}

// comparePromptCache compares Go caches with what Python's load_prompt_cache
// produced (dir/loaded.json, dir/loaded.safetensors).
func comparePromptCache(t *testing.T, chk *paritytest.Checker, got []Cache, meta map[string]string, dir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "loaded.json"))
	if err != nil {
		t.Fatal(err)
	}
	var info loadedInfo
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
		if o, ok := c.(offsetter); ok && want.Offset != nil && o.Offset() != *want.Offset {
			t.Errorf("cache %d: offset %d, want %d", i, o.Offset(), *want.Offset)
		}
		for j, a := range c.State() {
			name := fmt.Sprintf("%d.%s", i, c.StateKeys()[j])
			chk.Close("prompt/"+name, a, paritytest.Get(t, ts, name))
		}
	}
}

func TestTrimAndMake(t *testing.T) {
	type model struct{ LayerCounter }
	caches, err := MakePromptCache(layers(3), 0)
	if err != nil || len(caches) != 3 || caches[0].ClassName() != "KVCache" {
		t.Fatalf("MakePromptCache: %v %v", caches, err)
	}
	caches, _ = MakePromptCache(layers(2), 64)
	if r := caches[1].(*RotatingKVCache); r.MaxSize() != 64 || r.Keep() != 4 {
		t.Fatalf("rotating cache %+v", r)
	}
	if _, err := MakePromptCache(struct{}{}, 0); err == nil {
		t.Fatal("a model without layers gave no error")
	}
	kv := []Cache{NewKVCache(), NewKVCache()}
	for _, c := range kv {
		c.(*KVCache).UpdateAndFetch(mlx.Zeros(mlx.Float32, 1, 1, 5, 4), mlx.Zeros(mlx.Float32, 1, 1, 5, 4))
	}
	if n := TrimPromptCache(kv, 3); n != 3 || kv[1].(*KVCache).Offset() != 2 {
		t.Fatalf("trim: %d", n)
	}
	if n := TrimPromptCache(append(kv, NewMambaCache(nil)), 1); n != 0 {
		t.Fatalf("trim with an untrimmable cache: %d", n)
	}
	if _, err := newByClass("CacheList"); err == nil {
		t.Fatal("CacheList restored although Python cannot")
	}
}

type layers int

func (l layers) NumLayers() int { return int(l) }
