package engine

import (
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/ported/cache"
)

// The prompt cache is ported/cache's LRUPromptCache (cache.py at 0.32.2),
// created as server.py does: LRUPromptCache(prompt_cache_size), with
// prompt_cache_bytes applied by trim_to after each insert. An engine serves
// one model, so the trie's model key is a single value.

type modelKey struct{}

type promptCache struct {
	l *cache.LRUPromptCache[modelKey]
}

func newPromptCache(maxSize int) *promptCache {
	return &promptCache{l: cache.NewLRUPromptCache[modelKey](maxSize, cache.NoLimit)}
}

func toInts(tokens []int32) []int {
	out := make([]int, len(tokens))
	for i, t := range tokens {
		out[i] = int(t)
	}
	return out
}

func toInt32s(tokens []int) []int32 {
	out := make([]int32, len(tokens))
	for i, t := range tokens {
		out[i] = int32(t)
	}
	return out
}

func (p *promptCache) len() int      { return p.l.Len() }
func (p *promptCache) nbytes() int64 { return int64(p.l.Nbytes()) }

// fetchNearest is fetch_nearest_cache: a copy (the caller's) of the cache
// of the best usable prefix and the tokens still to process, or (nil,
// tokens).
func (p *promptCache) fetchNearest(tokens []int32) ([]cache.Cache, []int32) {
	cs, rest := p.l.FetchNearestCache(modelKey{}, toInts(tokens))
	if cs == nil {
		return nil, tokens
	}
	return cs, toInt32s(rest)
}

// insert is insert_cache; the caches now belong to the prompt cache (freed
// here if it refuses them).
func (p *promptCache) insert(tokens []int32, cs []cache.Cache, typ string) error {
	if err := p.l.InsertCache(modelKey{}, toInts(tokens), cs, typ); err != nil {
		generate.FreeCache(cs)
		return err
	}
	return nil
}

// trimBytes is trim_to(n_bytes=n) (n < 0 counts as 0, as upstream).
func (p *promptCache) trimBytes(n int64) { p.l.TrimTo(cache.NoLimit, int(max(0, n))) }

func (p *promptCache) clear() { p.l.Clear() }
