// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// This file holds what mlx-lm's server reuses prompt caches with: TokenBuffer
// (a growing token array, as a KVCache grows), PromptTrie (token sequences
// per model, with nearest-prefix search) and LRUPromptCache (prompt caches
// kept by token sequence, evicted least recently used first, by count and by
// bytes).

// ---- TokenBuffer ----

// TokenBuffer is cache.TokenBuffer: an int32 token array grown in steps of
// 256 positions.
type TokenBuffer struct {
	buffer *mlx.Array
	size   int
}

// NewTokenBuffer is TokenBuffer(tokens) (nil is None: no tokens).
func NewTokenBuffer(tokens []int32) *TokenBuffer {
	if tokens == nil {
		tokens = []int32{}
	}
	return &TokenBuffer{buffer: mlx.FromSlice(tokens), size: len(tokens)}
}

// UpdateAndFetch is update_and_fetch(tokens): tokens (1-D, cast to int32)
// appended, and every token so far returned (a fresh handle).
func (b *TokenBuffer) UpdateAndFetch(tokens *mlx.Array) *mlx.Array {
	if err := firstErr(tokens); err != nil {
		return mlx.Errorf("TokenBuffer.update_and_fetch", "%v", err)
	}
	if tokens == nil || tokens.Ndim() != 1 {
		return mlx.Errorf("TokenBuffer.update_and_fetch", "tokens must be a 1-D array")
	}
	start := b.size
	end := start + tokens.Dim(0)
	newSize := (end + step - 1) / step * step
	if n := b.buffer.Size(); newSize > n {
		z := mlx.Zeros(mlx.Int32, newSize-n)
		set(&b.buffer, mlx.Concatenate([]*mlx.Array{b.buffer, z}, 0))
		z.Free()
	}
	set(&b.buffer, b.buffer.SetIndex(tokens, mlx.Slice(start, end, 1)))
	b.size = end
	return b.buffer.Index(mlx.Slice(mlx.None, end, 1))
}

// State is the state property: the whole buffer (a fresh handle).
func (b *TokenBuffer) State() *mlx.Array { return alias(b.buffer) }

// Tokens is the tokens property: the tokens so far (a fresh handle).
func (b *TokenBuffer) Tokens() *mlx.Array { return b.buffer.Index(mlx.Slice(mlx.None, b.size, 1)) }

// Len is the number of tokens held (Python's _size).
func (b *TokenBuffer) Len() int { return b.size }

// Handles are the arrays the buffer holds.
func (b *TokenBuffer) Handles() []*mlx.Array { return nonNil(b.buffer) }

// ---- PromptTrie ----

// PromptTrieResult is cache.PromptTrieResult. Exact, Shorter and Longer are
// nil for None; an exact match of the empty sequence is an empty non-nil
// slice.
type PromptTrieResult[M comparable] struct {
	Model        M
	Exact        []int // the tokens themselves, when they hold a value
	Shorter      []int // the longest prefix (of length >= 2) with a value
	Longer       []int // the shortest sequence with a value that extends the common prefix
	CommonPrefix int   // how far the tokens follow a path of the trie
}

// trieNode is one dict of Python's nested dicts: children in insertion
// order (which decides search's ties, as dict order does upstream) and the
// "__value__" entry.
type trieNode[V any] struct {
	order    []int
	children map[int]*trieNode[V]
	value    V
	hasValue bool
}

func (n *trieNode[V]) child(tok int) *trieNode[V] { return n.children[tok] }

// size is len(node): its children plus its value.
func (n *trieNode[V]) size() int {
	s := len(n.children)
	if n.hasValue {
		s++
	}
	return s
}

func (n *trieNode[V]) addChild(tok int) *trieNode[V] {
	if c, ok := n.children[tok]; ok {
		return c
	}
	if n.children == nil {
		n.children = map[int]*trieNode[V]{}
	}
	c := &trieNode[V]{}
	n.children[tok] = c
	n.order = append(n.order, tok)
	return c
}

func (n *trieNode[V]) delChild(tok int) {
	delete(n.children, tok)
	if i := slices.Index(n.order, tok); i >= 0 {
		n.order = slices.Delete(n.order, i, i+1)
	}
}

// PromptTrie is cache.PromptTrie: values keyed by (model, token sequence).
// It is a plain data structure, not safe for concurrent use on its own
// (LRUPromptCache locks around it).
type PromptTrie[M comparable, V any] struct {
	trie  map[M]*trieNode[V]
	order []M // models in insertion order
}

// NewPromptTrie is PromptTrie().
func NewPromptTrie[M comparable, V any]() *PromptTrie[M, V] {
	return &PromptTrie[M, V]{trie: map[M]*trieNode[V]{}}
}

// Add is add(model, tokens, value): it returns the value it replaced.
func (t *PromptTrie[M, V]) Add(model M, tokens []int, value V) (prev V, replaced bool) {
	cur, ok := t.trie[model]
	if !ok {
		cur = &trieNode[V]{}
		t.trie[model] = cur
		t.order = append(t.order, model)
	}
	for _, tok := range tokens {
		cur = cur.addChild(tok)
	}
	prev, replaced = cur.value, cur.hasValue
	cur.value, cur.hasValue = value, true
	return prev, replaced
}

// walk is the node at tokens, or nil.
func (t *PromptTrie[M, V]) walk(model M, tokens []int) *trieNode[V] {
	cur := t.trie[model]
	for _, tok := range tokens {
		if cur == nil {
			return nil
		}
		cur = cur.child(tok)
	}
	return cur
}

// Get is get(model, tokens); ok is false where Python raises KeyError.
func (t *PromptTrie[M, V]) Get(model M, tokens []int) (v V, ok bool) {
	n := t.walk(model, tokens)
	if n == nil || !n.hasValue {
		return v, false
	}
	return n.value, true
}

// Pop is pop(model, tokens): the value removed, and the nodes left empty on
// its path pruned. ok is false (and nothing changes) where Python raises
// KeyError.
func (t *PromptTrie[M, V]) Pop(model M, tokens []int) (v V, ok bool) {
	root := t.trie[model]
	if root == nil {
		return v, false
	}
	path := []*trieNode[V]{root}
	for _, tok := range tokens {
		c := path[len(path)-1].child(tok)
		if c == nil {
			return v, false
		}
		path = append(path, c)
	}
	last := path[len(path)-1]
	if !last.hasValue {
		return v, false
	}
	v = last.value
	var zero V
	last.value, last.hasValue = zero, false
	for i := len(tokens); i > 0; i-- {
		if path[i].size() > 0 {
			break
		}
		path[i-1].delChild(tokens[i-1])
	}
	return v, true
}

// PrefixValue is one value pop_prefixes removed, at tokens[:Len].
type PrefixValue[V any] struct {
	Len   int
	Value V
}

// PopPrefixes is pop_prefixes(model, tokens): the values at every proper
// prefix of tokens (the empty one included), removed; the nodes stay.
func (t *PromptTrie[M, V]) PopPrefixes(model M, tokens []int) []PrefixValue[V] {
	var out []PrefixValue[V]
	cur := t.trie[model]
	var zero V
	for i, tok := range tokens {
		if cur == nil {
			break // Python raises KeyError here, after popping what it passed
		}
		if cur.hasValue {
			out = append(out, PrefixValue[V]{i, cur.value})
			cur.value, cur.hasValue = zero, false
		}
		cur = cur.child(tok)
	}
	return out
}

func prefixOf(tokens []int, n int) []int { return append([]int{}, tokens[:n]...) }

type trieFrame[V any] struct {
	node  *trieNode[V]
	extra []int
}

// Search is search(model, tokens): an exact match, else the longest prefix
// with a value (Shorter; upstream reports it only from two tokens on), the
// shortest value below the deepest node the tokens reach (Longer), and how
// many tokens matched a path (CommonPrefix).
func (t *PromptTrie[M, V]) Search(model M, tokens []int) PromptTrieResult[M] {
	res := PromptTrieResult[M]{Model: model}
	cur, ok := t.trie[model]
	if !ok {
		return res
	}
	if len(tokens) == 0 && cur.hasValue {
		res.Exact = []int{}
		return res
	}
	lastIndex, index := -1, 0
	for index < len(tokens) {
		next := cur.child(tokens[index])
		if next == nil {
			break
		}
		cur = next
		if cur.hasValue {
			lastIndex = index
		}
		index++
	}
	if lastIndex == len(tokens)-1 && len(tokens)-1 >= 0 {
		res.Exact = prefixOf(tokens, len(tokens))
		return res
	}
	if lastIndex > 0 {
		res.Shorter = prefixOf(tokens, lastIndex+1)
	}
	res.CommonPrefix = index
	if index > 0 {
		var best []int
		found := false
		stack := []trieFrame[V]{{cur, []int{}}}
		for len(stack) > 0 {
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.node.hasValue {
				if !found || len(f.extra) < len(best) {
					best, found = f.extra, true
				}
			} else if !found || len(f.extra) < len(best) {
				for _, tok := range f.node.order {
					extra := append(append(make([]int, 0, len(f.extra)+1), f.extra...), tok)
					stack = append(stack, trieFrame[V]{f.node.children[tok], extra})
				}
			}
		}
		if found {
			res.Longer = append(prefixOf(tokens, index), best...)
		}
	}
	return res
}

// ---- LRUPromptCache ----

// NoLimit is trim_to's None: no bound.
const NoLimit = math.MaxInt

// CacheTypes are the cache types of LRUPromptCache in eviction order
// (CacheOrder's default ordering).
var CacheTypes = []string{"assistant", "user", "system"}

type lruEntry struct {
	promptCache []Cache
	nbytes      int
	cacheType   string
}

type lruKey[M comparable] struct {
	model  M
	tokens []int
}

// cacheOrder is LRUPromptCache.CacheOrder: one LRU queue per cache type.
type cacheOrder[M comparable] struct {
	ordering []string
	lrus     map[string][]lruKey[M]
}

func newCacheOrder[M comparable]() cacheOrder[M] {
	o := cacheOrder[M]{ordering: CacheTypes, lrus: map[string][]lruKey[M]{}}
	for _, k := range o.ordering {
		o.lrus[k] = nil
	}
	return o
}

func (o *cacheOrder[M]) len() int {
	n := 0
	for _, q := range o.lrus {
		n += len(q)
	}
	return n
}

func (o *cacheOrder[M]) push(model M, tokens []int, cacheType string) {
	o.lrus[cacheType] = append(o.lrus[cacheType], lruKey[M]{model, tokens})
}

// remove drops the first (model, tokens) entry of the first type holding it.
func (o *cacheOrder[M]) remove(model M, tokens []int) {
	for _, ct := range o.ordering {
		q := o.lrus[ct]
		for i, k := range q {
			if k.model == model && slices.Equal(k.tokens, tokens) {
				o.lrus[ct] = slices.Delete(q, i, i+1)
				return
			}
		}
	}
}

// pop is CacheOrder.pop: from the first type, in order, that is non-empty
// and at least as long as the next one; else from the last.
func (o *cacheOrder[M]) pop() (lruKey[M], bool) {
	i := 0
	var b string
	for i+1 < len(o.ordering) {
		a := o.ordering[i]
		b = o.ordering[i+1]
		if qa := o.lrus[a]; len(qa) > 0 && len(qa) >= len(o.lrus[b]) {
			o.lrus[a] = qa[1:]
			return qa[0], true
		}
		i++
	}
	if q := o.lrus[b]; len(q) > 0 {
		o.lrus[b] = q[1:]
		return q[0], true
	}
	return lruKey[M]{}, false // IndexError upstream
}

// LRUPromptCache is cache.LRUPromptCache: prompt caches by (model, token
// sequence), at most maxSize of them and maxBytes in all. It owns the caches
// inserted into it and frees them when it drops them; FetchNearestCache
// returns copies the caller owns. It is safe for concurrent use (a server
// shares one between requests); the methods lock.
type LRUPromptCache[M comparable] struct {
	mu           sync.Mutex
	maxSize      int
	maxBytes     int
	trie         *PromptTrie[M, *lruEntry]
	lru          cacheOrder[M]
	nBytes       int
	nBytesByType map[string]int
}

// NewLRUPromptCache is LRUPromptCache(max_size, max_bytes) (Python's
// defaults: 10 and 1 << 63, which is NoLimit here).
func NewLRUPromptCache[M comparable](maxSize, maxBytes int) *LRUPromptCache[M] {
	l := &LRUPromptCache[M]{maxSize: maxSize, maxBytes: maxBytes, trie: NewPromptTrie[M, *lruEntry](),
		lru: newCacheOrder[M](), nBytesByType: map[string]int{}}
	for _, k := range l.lru.ordering {
		l.nBytesByType[k] = 0
	}
	return l
}

// Len is len(lru): the number of prompt caches held.
func (l *LRUPromptCache[M]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.len()
}

// Nbytes is the nbytes property: the bytes of every cache held.
func (l *LRUPromptCache[M]) Nbytes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.nBytes
}

func copyCaches(cs []Cache) []Cache {
	out := make([]Cache, len(cs))
	for i, c := range cs {
		out[i] = c.Copy()
	}
	return out
}

// FetchNearestCache is fetch_nearest_cache(model, tokens): a copy of the
// prompt cache that serves tokens best, trimmed where it ran past them, and
// the tokens still to process; (nil, tokens) when nothing helps.
func (l *LRUPromptCache[M]) FetchNearestCache(model M, tokens []int) ([]Cache, []int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rest := func(n int) []int { return append([]int{}, tokens[n:]...) }
	res := l.trie.Search(model, tokens)
	if res.Exact != nil {
		e, _ := l.trie.Get(res.Model, res.Exact)
		return copyCaches(e.promptCache), []int{}
	}
	shortLength := len(res.Shorter)
	if res.Longer != nil && res.CommonPrefix > shortLength {
		e, _ := l.trie.Get(res.Model, res.Longer)
		if CanTrimPromptCache(e.promptCache) {
			c := copyCaches(e.promptCache)
			prefix := min(len(tokens)-1, res.CommonPrefix)
			TrimPromptCache(c, len(res.Longer)-prefix)
			return c, rest(prefix)
		}
	}
	if shortLength > 0 {
		e, _ := l.trie.Get(res.Model, res.Shorter)
		return copyCaches(e.promptCache), rest(shortLength)
	}
	return nil, rest(0)
}

// drop frees an entry's caches unless they are (also) in keep.
func drop(e *lruEntry, keep []Cache) {
	for _, c := range e.promptCache {
		if !slices.Contains(keep, c) {
			Free(c)
		}
	}
}

// evict is one eviction: the LRU's choice popped from the trie and freed.
func (l *LRUPromptCache[M]) evict(keep []Cache) bool {
	k, ok := l.lru.pop()
	if !ok {
		return false
	}
	if e, ok := l.trie.Pop(k.model, k.tokens); ok {
		l.nBytes -= e.nbytes
		l.nBytesByType[e.cacheType] -= e.nbytes
		drop(e, keep)
	}
	return true
}

// InsertCache is insert_cache(model, tokens, prompt_cache, cache_type=...):
// the LRU takes ownership of promptCache. For trimmable caches the entries
// at prefixes of tokens are dropped (the new one can be trimmed to them);
// then entries are evicted to meet max_size (one) and max_bytes.
func (l *LRUPromptCache[M]) InsertCache(model M, tokens []int, promptCache []Cache, cacheType string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.nBytesByType[cacheType]; !ok {
		return fmt.Errorf("LRUPromptCache.insert_cache: unknown cache_type %q (want one of %v)", cacheType, l.lru.ordering)
	}
	tokens = slices.Clone(tokens)
	if tokens == nil {
		tokens = []int{}
	}
	n := 0
	for _, c := range promptCache {
		n += c.Nbytes()
	}
	entry := &lruEntry{promptCache: promptCache, nbytes: n, cacheType: cacheType}
	l.nBytes += entry.nbytes
	l.nBytesByType[cacheType] += entry.nbytes
	if prev, ok := l.trie.Add(model, tokens, entry); ok {
		l.nBytes -= prev.nbytes
		l.nBytesByType[prev.cacheType] -= prev.nbytes
		l.lru.remove(model, tokens)
		drop(prev, promptCache)
	}
	l.lru.push(model, tokens, cacheType)
	if CanTrimPromptCache(promptCache) {
		for _, p := range l.trie.PopPrefixes(model, tokens) {
			l.nBytes -= p.Value.nbytes
			l.nBytesByType[p.Value.cacheType] -= p.Value.nbytes
			l.lru.remove(model, tokens[:p.Len])
			drop(p.Value, promptCache)
		}
	}
	if l.lru.len() > l.maxSize {
		l.evict(nil)
	}
	for l.nBytes > l.maxBytes {
		if !l.evict(nil) {
			break
		}
	}
	return nil
}

// TrimTo is trim_to(n_sequences=..., n_bytes=...): evict until at most
// nSequences caches and nBytes bytes remain (NoLimit for None; negative
// values count as 0, as upstream's max(0, n)).
func (l *LRUPromptCache[M]) TrimTo(nSequences, nBytes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	nSequences, nBytes = max(0, nSequences), max(0, nBytes)
	for l.lru.len() > nSequences {
		if !l.evict(nil) {
			break
		}
	}
	for l.nBytes > nBytes {
		if !l.evict(nil) {
			break
		}
	}
}

// CacheTypeStats is one entry of stats_by_type().
type CacheTypeStats struct {
	Type       string
	NSequences int
	NBytes     int
}

// StatsByType is stats_by_type(), in CacheTypes order.
func (l *LRUPromptCache[M]) StatsByType() []CacheTypeStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]CacheTypeStats, 0, len(l.lru.ordering))
	for _, ct := range l.lru.ordering {
		out = append(out, CacheTypeStats{Type: ct, NSequences: len(l.lru.lrus[ct]), NBytes: l.nBytesByType[ct]})
	}
	return out
}

// Handles are the arrays of every cache held (for mlx.Scope.Keep: caches
// inserted while a scope is open must be kept past its Close).
func (l *LRUPromptCache[M]) Handles() []*mlx.Array {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*mlx.Array
	for _, ct := range l.lru.ordering {
		for _, k := range l.lru.lrus[ct] {
			if e, ok := l.trie.Get(k.model, k.tokens); ok {
				for _, c := range e.promptCache {
					out = append(out, c.Handles()...)
				}
			}
		}
	}
	return out
}

// Clear drops (and frees) every cache held.
func (l *LRUPromptCache[M]) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.evict(nil) {
	}
}
