package cache

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type lruLog struct {
	TokenBuffer []struct {
		Op        string  `json:"op"`
		Tokens    []int32 `json:"tokens"`
		X         string  `json:"x"`
		Out       *arrRec `json:"out"`
		State     arrRec  `json:"state"`
		TokensOut arrRec  `json:"tokens_out"`
	} `json:"token_buffer"`
	Trie []struct {
		Op     string   `json:"op"`
		Model  string   `json:"model"`
		Tokens []int    `json:"tokens"`
		Value  *int     `json:"value"`
		Prev   *int     `json:"prev"`
		OK     bool     `json:"ok"`
		Values [][2]int `json:"values"`
		Result *trieRes `json:"result"`
	} `json:"trie"`
	LRU []lruOp `json:"lru"`
}

type trieRes struct {
	Model        string `json:"model"`
	Exact        []int  `json:"exact"`
	Shorter      []int  `json:"shorter"`
	Longer       []int  `json:"longer"`
	CommonPrefix int    `json:"common_prefix"`
}

type lruOp struct {
	Op        string `json:"op"`
	MaxSize   *int   `json:"max_size"`
	MaxBytes  *int   `json:"max_bytes"`
	Model     string `json:"model"`
	Tokens    []int  `json:"tokens"`
	CacheType string `json:"cache_type"`
	Cache     struct {
		Kind   string   `json:"kind"`
		N      int      `json:"n"`
		Inputs []string `json:"inputs"`
	} `json:"cache"`
	Caches *[]cacheRec                `json:"caches"`
	Rest   []int                      `json:"rest"`
	Kw     map[string]json.RawMessage `json:"kw"`
	Len    int                        `json:"len"`
	Nbytes int                        `json:"nbytes"`
	Stats  map[string]struct {
		NSequences int `json:"n_sequences"`
		NBytes     int `json:"n_bytes"`
	} `json:"stats"`
}

// sameInts compares token lists with Python's None (nil) kept apart from [].
func sameInts(a, b []int) bool { return (a == nil) == (b == nil) && slices.Equal(a, b) }

// TestPromptReuseParity runs testdata/gen_lru.py once and replays its
// TokenBuffer, PromptTrie and LRUPromptCache logs.
func TestPromptReuseParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_lru.py")
	var log lruLog
	readJSON(t, filepath.Join(dir, "lru.json"), &log)
	t.Run("TokenBuffer", func(t *testing.T) { tokenBufferParity(t, dir, log) })
	t.Run("PromptTrie", func(t *testing.T) { promptTrieParity(t, log) })
	t.Run("LRUPromptCache", func(t *testing.T) { lruParity(t, dir, log) })
}

// tokenBufferParity: update_and_fetch across the 256 growth step, the state
// (the whole buffer) and tokens, bit for bit.
func tokenBufferParity(t *testing.T, dir string, log lruLog) {
	r := newReplayer(t, dir)
	var tb *TokenBuffer
	for i, o := range log.TokenBuffer {
		r.where = fmt.Sprintf("TokenBuffer op %d (%s)", i, o.Op)
		switch o.Op {
		case "new":
			tb = NewTokenBuffer(o.Tokens)
		case "update":
			got := tb.UpdateAndFetch(r.input(o.X))
			r.arr("update_and_fetch", got, *o.Out)
			got.Free()
		}
		s, tk := tb.State(), tb.Tokens()
		r.arr("state", s, o.State)
		r.arr("tokens", tk, o.TokensOut)
		s.Free()
		tk.Free()
	}
	if r.arrays < 30 {
		t.Fatalf("only %d arrays compared", r.arrays)
	}
	t.Logf("TokenBuffer: %d arrays compared, all bit-identical", r.arrays)
}

// promptTrieParity replays 600 random add / pop / pop_prefixes / get /
// search operations over two models and a three-token alphabet (so paths
// share prefixes and search's ties are decided by insertion order).
func promptTrieParity(t *testing.T, log lruLog) {
	trie := NewPromptTrie[string, int]()
	counts := map[string]int{}
	for i, o := range log.Trie {
		p := fmt.Sprintf("trie op %d (%s %s %v)", i, o.Op, o.Model, o.Tokens)
		counts[o.Op]++
		switch o.Op {
		case "add":
			prev, ok := trie.Add(o.Model, o.Tokens, *o.Value)
			if ok != (o.Prev != nil) || (ok && prev != *o.Prev) {
				t.Errorf("%s: replaced %v %v, want %v", p, prev, ok, o.Prev)
			}
		case "pop":
			v, ok := trie.Pop(o.Model, o.Tokens)
			if ok != o.OK || (ok && v != *o.Value) {
				t.Errorf("%s: %v %v, want %v %v", p, v, ok, o.Value, o.OK)
			}
		case "pop_prefixes":
			vals := trie.PopPrefixes(o.Model, o.Tokens)
			if o.OK {
				var got [][2]int
				for _, v := range vals {
					got = append(got, [2]int{v.Len, v.Value})
				}
				if fmt.Sprint(got) != fmt.Sprint(o.Values) {
					t.Errorf("%s: %v, want %v", p, got, o.Values)
				}
			}
		case "get":
			v, ok := trie.Get(o.Model, o.Tokens)
			if ok != o.OK || (ok && v != *o.Value) {
				t.Errorf("%s: %v %v, want %v %v", p, v, ok, o.Value, o.OK)
			}
		case "search":
			res := trie.Search(o.Model, o.Tokens)
			w := o.Result
			if res.Model != w.Model || !sameInts(res.Exact, w.Exact) || !sameInts(res.Shorter, w.Shorter) ||
				!sameInts(res.Longer, w.Longer) || res.CommonPrefix != w.CommonPrefix {
				t.Errorf("%s: %+v, want %+v", p, res, *w)
			}
		}
	}
	if counts["search"] < 200 || counts["pop"] < 40 {
		t.Fatalf("too little replayed: %v", counts)
	}
	t.Logf("PromptTrie: %v operations, all results equal", counts)
}

// lruCache builds the prompt cache gen_lru.py's make_cache built.
func (r *replayer) lruCache(o lruOp) []Cache {
	var out []Cache
	in := o.Cache.Inputs
	for layer := range 2 {
		switch o.Cache.Kind {
		case "arrays":
			c := NewArraysCache(2, nil)
			for j := range 2 {
				if err := c.Set(j, r.input(in[2*layer+j])); err != nil {
					r.t.Fatal(err)
				}
			}
			out = append(out, c)
		default:
			var c KV = NewKVCache()
			if o.Cache.Kind == "rot" {
				c = NewRotatingKVCache(12, 2)
			}
			k, v := c.UpdateAndFetch(r.input(in[2*layer]), r.input(in[2*layer+1]))
			k.Free()
			v.Free()
			out = append(out, c)
		}
	}
	return out
}

// lruParity replays 520 random insert_cache /
// fetch_nearest_cache / trim_to operations on two LRUPromptCaches (one
// bounded by count, one by count and bytes) with KVCache, RotatingKVCache
// and ArraysCache prompt caches of three cache types, and compares every
// fetched cache (state, offset, ... bit for bit), the tokens left to
// process, len, nbytes and stats_by_type after every op.
func lruParity(t *testing.T, dir string, log lruLog) {
	r := newReplayer(t, dir)
	var lru *LRUPromptCache[string]
	counts := map[string]int{}
	hits := 0
	for i, o := range log.LRU {
		r.where = fmt.Sprintf("LRU op %d (%s %s %v)", i, o.Op, o.Model, o.Tokens)
		counts[o.Op]++
		s := mlx.NewScope()
		switch o.Op {
		case "new":
			if lru != nil {
				lru.Clear()
			}
			maxBytes := NoLimit
			if o.MaxBytes != nil {
				maxBytes = *o.MaxBytes
			}
			lru = NewLRUPromptCache[string](*o.MaxSize, maxBytes)
			s.Close()
			continue
		case "insert":
			if err := lru.InsertCache(o.Model, o.Tokens, r.lruCache(o), o.CacheType); err != nil {
				t.Fatalf("%s: %v", r.where, err)
			}
		case "fetch":
			caches, rest := lru.FetchNearestCache(o.Model, o.Tokens)
			if (caches == nil) != (o.Caches == nil) {
				t.Fatalf("%s: caches %v, Python's %v", r.where, caches != nil, o.Caches != nil)
			}
			if caches != nil {
				hits++
				want := *o.Caches
				if len(caches) != len(want) {
					t.Fatalf("%s: %d caches, want %d", r.where, len(caches), len(want))
				}
				for j, c := range caches {
					r.cache(fmt.Sprintf("fetched %d", j), c, want[j])
				}
				Free(caches...)
			}
			if !slices.Equal(rest, o.Rest) {
				t.Errorf("%s: rest %v, want %v", r.where, rest, o.Rest)
			}
		case "trim_to":
			n, b := NoLimit, NoLimit
			if v, ok := o.Kw["n_sequences"]; ok {
				json.Unmarshal(v, &n)
			}
			if v, ok := o.Kw["n_bytes"]; ok {
				json.Unmarshal(v, &b)
			}
			lru.TrimTo(n, b)
		}
		// Each op in its own scope: the LRU's caches survive it only if it
		// lists them all in Handles.
		s.Keep(lru.Handles()...)
		s.Close()
		if lru.Len() != o.Len || lru.Nbytes() != o.Nbytes {
			t.Errorf("%s: len %d nbytes %d, want %d %d", r.where, lru.Len(), lru.Nbytes(), o.Len, o.Nbytes)
		}
		for _, st := range lru.StatsByType() {
			w := o.Stats[st.Type]
			if st.NSequences != w.NSequences || st.NBytes != w.NBytes {
				t.Errorf("%s: stats %+v, want %+v", r.where, st, w)
			}
		}
		if t.Failed() {
			t.Fatalf("stopping at op %d", i)
		}
	}
	lru.Clear()
	if lru.Len() != 0 || lru.Nbytes() != 0 {
		t.Errorf("after Clear: len %d nbytes %d", lru.Len(), lru.Nbytes())
	}
	if counts["fetch"] < 200 || hits < 60 {
		t.Fatalf("too little replayed: %v, %d hits", counts, hits)
	}
	t.Logf("LRUPromptCache: %v operations (%d fetch hits), %d arrays compared, all bit-identical", counts, hits, r.arrays)
}

// TestLRUPromptCacheConcurrent: one LRU shared by goroutines (as a server
// shares it between requests), under the race detector.
func TestLRUPromptCacheConcurrent(t *testing.T) {
	lru := NewLRUPromptCache[string](8, NoLimit)
	defer lru.Clear()
	k := mlx.Zeros(mlx.Float32, 1, 1, 4, 8)
	defer k.Free()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				toks := []int{g, i % 7, i % 3}
				c := NewKVCache()
				kk, vv := c.UpdateAndFetch(k, k)
				kk.Free()
				vv.Free()
				if err := lru.InsertCache("m", toks, []Cache{c}, "user"); err != nil {
					t.Error(err)
					return
				}
				got, _ := lru.FetchNearestCache("m", toks[:2])
				Free(got...)
				lru.TrimTo(6, NoLimit)
				_ = lru.StatsByType()
			}
		}()
	}
	wg.Wait()
	if lru.Len() > 8 {
		t.Errorf("len %d > max_size", lru.Len())
	}
	if err := lru.InsertCache("m", []int{1}, nil, "nope"); err == nil {
		t.Error("an unknown cache type was accepted")
	}
}
