package cache

import (
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestCacheParity replays testdata/gen_cache.py: 200 steps (80% single-token
// decodes, prefills of 2-19 tokens, trims at three steps) through KVCache,
// ConcatenateKVCache, RotatingKVCache (max 32 keep 0, max 24 keep 4, bf16
// max 20 keep 2), QuantizedKVCache (4 and 8 bits), ChunkedKVCache and a bf16
// KVCache, with make_mask (plain, return_array, window 16) before updates,
// scaled_dot_product_attention over the fetched keys every fifth step (GQA,
// the quantized path for the quantized caches), keys_and_values,
// from_state, deepcopy (then both copies continue), to_quantized (then the
// quantized cache continues), and checks every returned array and the whole
// state after every op, bit for bit. Then the prompt-cache files, both ways.
func TestCacheParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_cache.py")
	r := newReplayer(t, dir)
	r.run()
	if r.counts["update"] < 1800 || r.counts["mask"] < 2000 || r.arrays < 12000 {
		t.Fatalf("too little replayed: %v, %d arrays", r.counts, r.arrays)
	}
	n := r.arrays
	r.promptInterop("gen_cache.py", promptNames(t, dir), map[string]string{"model": "tiny", "note": "written by mlx-lm"})
	t.Logf("prompt-cache files: %d arrays compared, all bit-identical", r.arrays-n)
}

func TestTrimAndMake(t *testing.T) {
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
		z := mlx.Zeros(mlx.Float32, 1, 1, 5, 4)
		k, v := c.(*KVCache).UpdateAndFetch(z, z)
		k.Free()
		v.Free()
		z.Free()
	}
	if n := TrimPromptCache(kv, 3); n != 3 || kv[1].(*KVCache).Offset() != 2 {
		t.Fatalf("trim: %d", n)
	}
	if n := TrimPromptCache(append(kv, NewArraysCache(2, nil)), 1); n != 0 {
		t.Fatalf("trim with an untrimmable cache: %d", n)
	}
	Free(kv...)
}

type layers int

func (l layers) NumLayers() int { return int(l) }
