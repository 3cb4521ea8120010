// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d
//
// From cache.py: PromptTrie, LRUPromptCache.

package engine

import (
	"slices"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/ported/cache"
)

// The engine serves one model, so the `model` level of PromptTrie's dict is
// dropped. TODO(cache helper): use ported/cache's LRUPromptCache once it is
// ported at 0.32.2; this file follows the same code line by line.

type trieNode struct {
	next  map[int32]*trieNode
	value *cacheEntry
}

func newTrieNode() *trieNode { return &trieNode{next: map[int32]*trieNode{}} }

type promptTrie struct{ root *trieNode }

// add is PromptTrie.add: it returns the previous value at tokens.
func (t *promptTrie) add(tokens []int32, v *cacheEntry) *cacheEntry {
	cur := t.root
	for _, tok := range tokens {
		n := cur.next[tok]
		if n == nil {
			n = newTrieNode()
			cur.next[tok] = n
		}
		cur = n
	}
	prev := cur.value
	cur.value = v
	return prev
}

func (t *promptTrie) get(tokens []int32) *cacheEntry {
	cur := t.root
	for _, tok := range tokens {
		cur = cur.next[tok]
	}
	return cur.value
}

// pop is PromptTrie.pop: the value goes, and the nodes left empty.
func (t *promptTrie) pop(tokens []int32) *cacheEntry {
	path := []*trieNode{t.root}
	for _, tok := range tokens {
		path = append(path, path[len(path)-1].next[tok])
	}
	v := path[len(path)-1].value
	path[len(path)-1].value = nil
	for i := len(tokens); i > 0; i-- {
		node := path[i]
		if len(node.next) > 0 || node.value != nil {
			break
		}
		delete(path[i-1].next, tokens[i-1])
	}
	return v
}

type prefixValue struct {
	n int
	v *cacheEntry
}

// popPrefixes is PromptTrie.pop_prefixes: the values at proper prefixes of
// tokens (lengths 0 .. len-1), removed.
func (t *promptTrie) popPrefixes(tokens []int32) []prefixValue {
	var out []prefixValue
	cur := t.root
	for i, tok := range tokens {
		if cur.value != nil {
			out = append(out, prefixValue{i, cur.value})
			cur.value = nil
		}
		cur = cur.next[tok]
	}
	return out
}

type searchResult struct {
	exact, shorter, longer []int32 // nil is None
	commonPrefix           int
}

// search is PromptTrie.search.
func (t *promptTrie) search(tokens []int32) searchResult {
	cur := t.root
	if len(tokens) == 0 && cur.value != nil {
		return searchResult{exact: []int32{}}
	}
	last, index := -1, 0
	for index < len(tokens) && cur.next[tokens[index]] != nil {
		cur = cur.next[tokens[index]]
		if cur.value != nil {
			last = index
		}
		index++
	}
	if last == len(tokens)-1 && last >= 0 {
		return searchResult{exact: tokens}
	}
	var r searchResult
	if last > 0 {
		r.shorter = tokens[:last+1]
	}
	r.commonPrefix = index
	if index > 0 {
		// The shortest continuation holding a value (a DFS that prunes
		// branches no shorter than the best so far).
		type item struct {
			n     *trieNode
			extra []int32
		}
		var best []int32
		found := false
		stack := []item{{cur, nil}}
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if it.n.value != nil {
				if !found || len(it.extra) < len(best) {
					best, found = it.extra, true
				}
			} else if !found || len(it.extra) < len(best) {
				for tok, c := range it.n.next {
					stack = append(stack, item{c, append(slices.Clone(it.extra), tok)})
				}
			}
		}
		r.longer = append(slices.Clone(tokens[:index]), best...)
	}
	return r
}

type cacheEntry struct {
	caches []cache.Cache
	nbytes int64
	typ    string
}

type lruKey struct {
	tokens []int32
}

// cacheOrder is LRUPromptCache.CacheOrder: one LRU per cache type, evicted
// assistant first, then user, then system, keeping the longer of adjacent
// queues shortest.
type cacheOrder struct {
	ordering []string
	lrus     map[string][][]int32
}

func newCacheOrder() *cacheOrder {
	o := &cacheOrder{ordering: []string{"assistant", "user", "system"}, lrus: map[string][][]int32{}}
	return o
}

func (o *cacheOrder) len() int {
	n := 0
	for _, l := range o.lrus {
		n += len(l)
	}
	return n
}

func (o *cacheOrder) push(tokens []int32, typ string) { o.lrus[typ] = append(o.lrus[typ], tokens) }

func (o *cacheOrder) remove(tokens []int32) {
	for _, typ := range o.ordering {
		l := o.lrus[typ]
		for i, t := range l {
			if slices.Equal(t, tokens) {
				o.lrus[typ] = slices.Delete(l, i, i+1)
				return
			}
		}
	}
}

func (o *cacheOrder) pop() []int32 {
	i := 0
	var b string
	for i+1 < len(o.ordering) {
		a := o.ordering[i]
		b = o.ordering[i+1]
		if len(o.lrus[a]) > 0 && len(o.lrus[a]) >= len(o.lrus[b]) {
			t := o.lrus[a][0]
			o.lrus[a] = o.lrus[a][1:]
			return t
		}
		i++
	}
	t := o.lrus[b][0]
	o.lrus[b] = o.lrus[b][1:]
	return t
}

// promptCache is LRUPromptCache for one model.
type promptCache struct {
	maxSize  int
	maxBytes int64
	trie     *promptTrie
	lru      *cacheOrder
	nbytes   int64
}

func newPromptCache(maxSize int, maxBytes int64) *promptCache {
	if maxBytes <= 0 {
		maxBytes = 1<<63 - 1
	}
	return &promptCache{maxSize: maxSize, maxBytes: maxBytes, trie: &promptTrie{root: newTrieNode()}, lru: newCacheOrder()}
}

func (p *promptCache) len() int { return p.lru.len() }

// fetchNearest is fetch_nearest_cache: a copy of the cache of the longest
// usable prefix and the tokens still to process, or (nil, tokens).
func (p *promptCache) fetchNearest(tokens []int32) ([]cache.Cache, []int32) {
	r := p.trie.search(tokens)
	if r.exact != nil {
		cs, err := cloneCaches(p.trie.get(r.exact).caches)
		if err != nil {
			return nil, tokens
		}
		return cs, tokens[len(tokens):]
	}
	short := len(r.shorter)
	if r.longer != nil && r.commonPrefix > short {
		e := p.trie.get(r.longer)
		if cache.CanTrimPromptCache(e.caches) {
			cs, err := cloneCaches(e.caches)
			if err == nil {
				prefix := min(len(tokens)-1, r.commonPrefix)
				cache.TrimPromptCache(cs, len(r.longer)-prefix)
				return cs, tokens[prefix:]
			}
		}
	}
	if short > 0 {
		cs, err := cloneCaches(p.trie.get(r.shorter).caches)
		if err == nil {
			return cs, tokens[short:]
		}
	}
	return nil, tokens
}

func entryBytes(cs []cache.Cache) int64 {
	var n int64
	for _, c := range cs {
		n += int64(c.Nbytes())
	}
	return n
}

func (p *promptCache) drop(e *cacheEntry) {
	p.nbytes -= e.nbytes
	generate.FreeCache(e.caches)
}

// insert is insert_cache; the cache now belongs to the prompt cache.
func (p *promptCache) insert(tokens []int32, cs []cache.Cache, typ string) {
	e := &cacheEntry{caches: cs, nbytes: entryBytes(cs), typ: typ}
	p.nbytes += e.nbytes
	if prev := p.trie.add(tokens, e); prev != nil {
		p.drop(prev)
		p.lru.remove(tokens)
	}
	p.lru.push(tokens, typ)
	if cache.CanTrimPromptCache(cs) {
		for _, pv := range p.trie.popPrefixes(tokens) {
			p.drop(pv.v)
			p.lru.remove(tokens[:pv.n])
		}
	}
	if p.lru.len() > p.maxSize {
		p.drop(p.trie.pop(p.lru.pop()))
	}
	for p.nbytes > p.maxBytes && p.lru.len() > 0 {
		p.drop(p.trie.pop(p.lru.pop()))
	}
}

// trimTo is trim_to(n_sequences, n_bytes); a negative bound is None.
func (p *promptCache) trimTo(nSequences int, nBytes int64) {
	if nSequences >= 0 {
		for p.lru.len() > nSequences {
			p.drop(p.trie.pop(p.lru.pop()))
		}
	}
	nBytes = max(0, nBytes)
	for p.nbytes > nBytes && p.lru.len() > 0 {
		p.drop(p.trie.pop(p.lru.pop()))
	}
}

func (p *promptCache) clear() { p.trimTo(0, 0) }
