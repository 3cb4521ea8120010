package tokenizer

import (
	"bytes"
	"container/heap"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

type mergeInfo struct {
	rank  int
	newID int
}

// bpeModel is HF's models::bpe::BPE without dropout (inference only).
type bpeModel struct {
	vocab        map[string]int
	vocabR       []string // id -> token; ids are dense in practice
	hasID        []bool   // distinguishes a hole in the ids from an empty token
	merges       map[uint64]mergeInfo
	unkID        int // -1 when there is no unk token
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	prefix       string // continuing_subword_prefix
	suffix       string // end_of_word_suffix
	byteIDs      [256]int

	// The cache turns repeated words (most of real text) into one map lookup.
	// It is bounded by clearing when full: simple, and never unbounded.
	mu    sync.Mutex
	cache map[string][]int
}

const (
	bpeCacheCap     = 10000
	bpeCacheMaxWord = 256 // bytes; like HF, long words are not cached
)

func (m *bpeModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.vocabR) || !m.hasID[id] {
		return "", false
	}
	return m.vocabR[id], true
}

func pairKey(a, b int) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// rawModel is decoded together with the rest of tokenizer.json: decoding it
// from a RawMessage later would validate the (tens of MB of) vocabulary and
// merges JSON again, which dominated load time.
type rawModel struct {
	Type         string          `json:"type"`
	Dropout      *float64        `json:"dropout"`
	UnkToken     *string         `json:"unk_token"`
	Prefix       *string         `json:"continuing_subword_prefix"`
	Suffix       *string         `json:"end_of_word_suffix"`
	FuseUnk      bool            `json:"fuse_unk"`
	ByteFallback bool            `json:"byte_fallback"`
	IgnoreMerges bool            `json:"ignore_merges"`
	Vocab        map[string]int  `json:"vocab"`
	Merges       json.RawMessage `json:"merges"`
}

func buildBPE(file string, v *rawModel) (*bpeModel, error) {
	if v.Dropout != nil && *v.Dropout > 0 {
		return nil, &configError{file: file, key: "model.dropout", msg: "> 0 is not supported (inference is deterministic)"}
	}
	m := &bpeModel{
		vocab:        v.Vocab,
		unkID:        -1,
		fuseUnk:      v.FuseUnk,
		byteFallback: v.ByteFallback,
		ignoreMerges: v.IgnoreMerges,
		cache:        make(map[string][]int),
	}
	maxID := -1
	for t, id := range v.Vocab {
		if id < 0 || id > 1<<26 {
			return nil, &configError{file: file, key: "model.vocab", msg: fmt.Sprintf("token %q has unusable id %d", t, id)}
		}
		maxID = max(maxID, id)
	}
	m.vocabR = make([]string, maxID+1)
	m.hasID = make([]bool, maxID+1)
	for t, id := range v.Vocab {
		m.vocabR[id], m.hasID[id] = t, true
	}
	if v.Prefix != nil {
		m.prefix = *v.Prefix
	}
	if v.Suffix != nil {
		m.suffix = *v.Suffix
	}
	if v.UnkToken != nil {
		id, ok := v.Vocab[*v.UnkToken]
		if !ok {
			return nil, &configError{file: file, key: "model.unk_token", msg: fmt.Sprintf("%q is not in model.vocab", *v.UnkToken)}
		}
		m.unkID = id
	}
	for b := 0; b < 256; b++ {
		id, ok := v.Vocab[fmt.Sprintf("<0x%02X>", b)]
		if !ok {
			id = -1
		}
		m.byteIDs[b] = id
	}
	pairs, err := parseMerges(file, v.Merges)
	if err != nil {
		return nil, err
	}
	m.merges = make(map[uint64]mergeInfo, len(pairs))
	for rank, p := range pairs {
		a, okA := v.Vocab[p[0]]
		b, okB := v.Vocab[p[1]]
		if !okA || !okB {
			return nil, &configError{file: file, key: fmt.Sprintf("model.merges[%d]", rank), msg: fmt.Sprintf("uses a token not in model.vocab: %q %q", p[0], p[1])}
		}
		second := p[1]
		if m.prefix != "" {
			second = strings.TrimPrefix(second, m.prefix)
		}
		nid, ok := v.Vocab[p[0]+second]
		if !ok {
			return nil, &configError{file: file, key: fmt.Sprintf("model.merges[%d]", rank), msg: fmt.Sprintf("merge result %q is not in model.vocab", p[0]+second)}
		}
		k := pairKey(a, b)
		if _, dup := m.merges[k]; !dup { // the first (lowest-rank) occurrence wins
			m.merges[k] = mergeInfo{rank, nid}
		}
	}
	return m, nil
}

// parseMerges accepts both serializations: legacy "a b" strings and, since
// tokenizers 0.20, ["a", "b"] pairs (needed when tokens contain spaces).
func parseMerges(file string, raw json.RawMessage) ([][2]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	// Peek at the first element's kind rather than trying one form and then
	// the other: each attempt is a full pass over hundreds of thousands of merges.
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		trimmed = bytes.TrimLeft(trimmed[1:], " \t\r\n")
	}
	if len(trimmed) > 0 && trimmed[0] == '"' {
		var strs []string
		if err := json.Unmarshal(raw, &strs); err != nil {
			return nil, &configError{file: file, key: "model.merges", msg: "is not a list of \"a b\" strings: " + err.Error()}
		}
		out := make([][2]string, len(strs))
		for i, s := range strs {
			a, b, ok := strings.Cut(s, " ")
			if !ok || strings.Contains(b, " ") {
				return nil, &configError{file: file, key: fmt.Sprintf("model.merges[%d]", i), msg: fmt.Sprintf("%q is not two space-separated tokens", s)}
			}
			out[i] = [2]string{a, b}
		}
		return out, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, &configError{file: file, key: "model.merges", msg: "is neither a list of \"a b\" strings nor of [a, b] pairs"}
	}
	return pairs, nil
}

func (m *bpeModel) tokenize(word string, out []int) []int {
	if word == "" {
		return out
	}
	if m.ignoreMerges {
		if id, ok := m.vocab[word]; ok {
			return append(out, id)
		}
	}
	cacheable := len(word) < bpeCacheMaxWord
	if cacheable {
		m.mu.Lock()
		ids, ok := m.cache[word]
		m.mu.Unlock()
		if ok {
			return append(out, ids...)
		}
	}
	ids := m.mergeWord(m.initialSymbols(word))
	if cacheable {
		m.mu.Lock()
		if len(m.cache) >= bpeCacheCap {
			m.cache = make(map[string][]int)
		}
		m.cache[word] = ids
		m.mu.Unlock()
	}
	return append(out, ids...)
}

// initialSymbols is BPE::merge_word before merging: one symbol per char, with
// byte fallback and unk fusing exactly as HF does them (including its quirk of
// emitting byte-fallback ids before a pending unk).
func (m *bpeModel) initialSymbols(w string) []int {
	syms := make([]int, 0, len(w))
	unk, unkPending := -1, false
	for i, r := range w {
		size := utf8.RuneLen(r)
		s := w[i : i+size]
		if i > 0 && m.prefix != "" {
			s = m.prefix + s
		}
		if i+size == len(w) && m.suffix != "" {
			s += m.suffix
		}
		if id, ok := m.vocab[s]; ok {
			if unkPending {
				syms = append(syms, unk)
				unkPending = false
			}
			syms = append(syms, id)
			continue
		}
		if m.byteFallback {
			all := true
			for j := 0; j < len(s); j++ {
				if m.byteIDs[s[j]] < 0 {
					all = false
					break
				}
			}
			if all {
				for j := 0; j < len(s); j++ {
					syms = append(syms, m.byteIDs[s[j]])
				}
				continue
			}
		}
		if m.unkID >= 0 {
			if unkPending && !m.fuseUnk {
				syms = append(syms, unk)
			}
			unk, unkPending = m.unkID, true
		}
	}
	if unkPending {
		syms = append(syms, unk)
	}
	return syms
}

type mergeCand struct{ rank, pos, newID int }

type mergeHeap []mergeCand

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeCand)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeWord applies merges lowest rank first, leftmost on ties, with a heap
// so that long words (whitespace runs, unspaced CJK under SentencePiece) are
// O(n log n) rather than quadratic.
func (m *bpeModel) mergeWord(ids []int) []int {
	n := len(ids)
	if n < 2 {
		return ids
	}
	prev := make([]int, n)
	next := make([]int, n)
	alive := make([]bool, n)
	h := make(mergeHeap, 0, n)
	for i := range ids {
		prev[i], next[i], alive[i] = i-1, i+1, true
		if i+1 < n {
			if mi, ok := m.merges[pairKey(ids[i], ids[i+1])]; ok {
				h = append(h, mergeCand{mi.rank, i, mi.newID})
			}
		}
	}
	next[n-1] = -1
	heap.Init(&h)
	for h.Len() > 0 {
		top := heap.Pop(&h).(mergeCand)
		p := top.pos
		if !alive[p] || next[p] < 0 {
			continue
		}
		r := next[p]
		mi, ok := m.merges[pairKey(ids[p], ids[r])]
		if !ok || mi.newID != top.newID {
			continue // stale candidate: a neighbour has merged since
		}
		ids[p] = top.newID
		alive[r] = false
		next[p] = next[r]
		if next[r] >= 0 {
			prev[next[r]] = p
		}
		if q := prev[p]; q >= 0 {
			if mi, ok := m.merges[pairKey(ids[q], ids[p])]; ok {
				heap.Push(&h, mergeCand{mi.rank, q, mi.newID})
			}
		}
		if q := next[p]; q >= 0 {
			if mi, ok := m.merges[pairKey(ids[p], ids[q])]; ok {
				heap.Push(&h, mergeCand{mi.rank, p, mi.newID})
			}
		}
	}
	out := make([]int, 0, n)
	for i := 0; i >= 0; i = next[i] {
		out = append(out, ids[i])
	}
	return out
}
