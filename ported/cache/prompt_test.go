package cache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestLoadPromptCacheBadFiles: files that are not prompt caches of mlx-lm
// 0.32's layout, or whose states do not fit their classes, are errors that
// name the file and the problem; never a crash or a half-built cache.
func TestLoadPromptCacheBadFiles(t *testing.T) {
	dir := t.TempDir()
	k := mlx.Zeros(mlx.Float32, 1, 1, 4, 8)
	i32 := func(v int32) *mlx.Array { return mlx.FromSlice([]int32{v}, []int{}...) }
	none := func() *mlx.Array { return mlx.FromSlice([]float32{}) }
	str := func(s string) *mlx.Array {
		var cps []int32
		for _, r := range s {
			cps = append(cps, r)
		}
		return mlx.FromSlice(cps)
	}
	kvMeta := map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.2", "2.1.1": "scalar"}
	cases := []struct {
		name   string
		arrays map[string]*mlx.Array
		meta   map[string]string
		want   string
	}{
		{"0.30 layout (meta_state)", map[string]*mlx.Array{"0.0": k, "0.1": k},
			map[string]string{"0.0": "", "1.model": "x", "2.0": "KVCache"}, "not an mlx-lm >= 0.32 prompt cache"},
		{"no metadata", map[string]*mlx.Array{"0.0": k}, nil, "no scalars list"},
		{"unknown class", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": i32(4)},
			map[string]string{"1.0": "Evil", "2.0": "", "2.1.0": "0.2", "2.1.1": "scalar"}, `unknown cache class "Evil"`},
		{"MambaCache", map[string]*mlx.Array{"0.0.0": k, "0.1": none(), "0.2": none()},
			map[string]string{"1.0": "MambaCache", "2.0": ""}, "MambaCache was removed"},
		{"offset is a str", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": str("four")},
			map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.2", "2.1.1": "string"}, "element 2 is str, want an int"},
		{"offset not listed as a scalar", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": i32(4)},
			map[string]string{"1.0": "KVCache", "2.0": ""}, "element 2 is array, want an int"},
		{"too few elements", map[string]*mlx.Array{"0.0": k, "0.2": i32(4)}, kvMeta, "element 1 is list, want an array"},
		{"two elements for three", map[string]*mlx.Array{"0.0": k, "0.1": k},
			map[string]string{"1.0": "KVCache", "2.0": ""}, "2 elements, want 3"},
		{"keys without values", map[string]*mlx.Array{"0.0": k, "0.1": none(), "0.2": i32(4)},
			map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.2", "2.1.1": "scalar", "2.2.0": "0.1", "2.2.1": "none"},
			"one is None"},
		{"scalars name a missing tensor", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": i32(4)},
			map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.9", "2.1.1": "scalar"}, `tensor "0.9"`},
		{"unknown scalar kind", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": i32(4)},
			map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.2", "2.1.1": "pickle"}, "Unknown type pickle"},
		{"half a scalars entry", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": i32(4)},
			map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.2"}, "incomplete"},
		{"a class index gap", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": i32(4)},
			map[string]string{"1.1": "KVCache", "2.0": ""}, "no class for cache 0"},
		{"huge list index", map[string]*mlx.Array{"999999999.0": k},
			map[string]string{"1.0": "KVCache", "2.0": ""}, "too large"},
		{"tensor names not indices", map[string]*mlx.Array{"layer.keys": k},
			map[string]string{"1.0": "KVCache", "2.0": ""}, "not cache indices"},
		{"a CacheList member of no class", map[string]*mlx.Array{"0.0.0.0": k, "0.0.0.1": k, "0.0.0.2": i32(1)},
			map[string]string{"1.0": "CacheList", "2.0": "", "2.1.0": "0.0.0.2", "2.1.1": "scalar"}, "want 2"},
		{"code point out of range", map[string]*mlx.Array{"0.0": k, "0.1": k, "0.2": mlx.FromSlice([]int32{-5})},
			map[string]string{"1.0": "KVCache", "2.0": "", "2.1.0": "0.2", "2.1.1": "string"}, "out of range"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".safetensors")
		if err := mlx.SaveSafetensors(path, c.arrays, c.meta); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		caches, _, err := LoadPromptCache(path)
		if err == nil {
			t.Errorf("%s: loaded %d caches", c.name, len(caches))
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("%s: error %q, want it to name the file and say %q", c.name, err, c.want)
		}
	}
	// Not a safetensors file at all, and no file.
	junk := filepath.Join(dir, "junk.safetensors")
	if err := os.WriteFile(junk, []byte("\x10\x00\x00\x00\x00\x00\x00\x00{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{junk, filepath.Join(dir, "missing.safetensors")} {
		if _, _, err := LoadPromptCache(p); err == nil {
			t.Errorf("%s loaded", p)
		}
	}
	// A state that cannot be written is an error, and no file appears.
	out := filepath.Join(dir, "bad_out.safetensors")
	if err := SavePromptCache(out, []Cache{&badState{}}, nil); err == nil {
		t.Error("an unserializable state was saved")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a file was left behind: %v", err)
	}
}

// badState is a cache whose state holds something save_prompt_cache cannot
// serialize.
type badState struct{ ArraysCache }

func (badState) State() State { return State{[]int{1}} }
