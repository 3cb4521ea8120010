package cache

import (
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
)

// TestArraysParity replays testdata/gen_arrays.py: ArraysCache as the
// recurrent models use it (states read, written and advanced step by step,
// create_ssm_mask's make_mask), batched (merge with a None entry, prepare
// with lengths, left_padding and lengths together, finalize, filter, extend
// with None entries and one-sided padding, extract, merge of empty caches)
// and CacheList for hybrid layers ((ArraysCache, KVCache) merged, prepared
// with right padding, finalized, extended, filtered, extracted;
// (KVCache, KVCache) trimmed), from_state and deepcopy included; every
// result and state after every op, bit for bit. Then prompt-cache files with
// None entries and CacheLists, both ways.
func TestArraysParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_arrays.py")
	r := newReplayer(t, dir)
	r.run()
	if r.counts["set"] < 30 || r.counts["merge"] < 5 || r.arrays < 300 {
		t.Fatalf("too little replayed: %v, %d arrays", r.counts, r.arrays)
	}
	n := r.arrays
	r.promptInterop("gen_arrays.py", promptNames(t, dir), map[string]string{"model": "tiny", "note": "recurrent caches"})
	t.Logf("prompt-cache files: %d arrays compared, all bit-identical", r.arrays-n)
}
