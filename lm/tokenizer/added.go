package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// addedVocab handles added/special tokens, which HF matches in the text
// before normalization (or after it, for tokens with normalized=true) and
// never passes to the pre-tokenizer or model.
type addedVocab struct {
	byID map[int]rawAddedToken
	// text is each added token's id_to_token: its content, normalized for
	// a token with normalized=true (tokenizers 0.23 decodes those as the
	// normalizer's output, e.g. lowercased).
	text      map[int]string
	byContent map[string]rawAddedToken
	raw       *trie // tokens with normalized=false, matched on the input
	norm      *trie // tokens with normalized=true, matched on normalized splits
	rawToks   []rawAddedToken
	normToks  []rawAddedToken
}

// trie does HF's aho-corasick LeftmostLongest matching: the earliest starting
// match wins, the longest among those.
type trie struct {
	nodes []trieNode
}

type trieNode struct {
	next map[byte]int32
	tok  int // index into toks, -1 if no token ends here
}

func newTrie() *trie { return &trie{nodes: []trieNode{{tok: -1}}} }

func (t *trie) insert(pat string, idx int) {
	n := int32(0)
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		nx, ok := t.nodes[n].next[c]
		if !ok {
			if t.nodes[n].next == nil {
				t.nodes[n].next = map[byte]int32{}
			}
			t.nodes = append(t.nodes, trieNode{tok: -1})
			nx = int32(len(t.nodes) - 1)
			t.nodes[n].next[c] = nx
		}
		n = nx
	}
	if t.nodes[n].tok < 0 { // first pattern wins on duplicates
		t.nodes[n].tok = idx
	}
}

// longestAt returns the token index and end of the longest match at s[i:].
func (t *trie) longestAt(s string, i int) (int, int) {
	best, end := -1, -1
	n := int32(0)
	for j := i; j < len(s); j++ {
		nx, ok := t.nodes[n].next[s[j]]
		if !ok {
			break
		}
		n = nx
		if t.nodes[n].tok >= 0 {
			best, end = t.nodes[n].tok, j+1
		}
	}
	return best, end
}

func newAddedVocab(tokens []rawAddedToken, n normalizer) *addedVocab {
	av := &addedVocab{
		byID:      make(map[int]rawAddedToken, len(tokens)),
		text:      make(map[int]string, len(tokens)),
		byContent: make(map[string]rawAddedToken, len(tokens)),
	}
	rawSet := &struct {
		t    *trie
		toks []rawAddedToken
	}{t: newTrie()}
	normSet := &struct {
		t    *trie
		toks []rawAddedToken
	}{t: newTrie()}
	for _, tk := range tokens {
		av.byID[tk.ID] = tk
		av.byContent[tk.Content] = tk
		av.text[tk.ID] = tk.Content
		if tk.Content == "" {
			continue
		}
		if tk.Normalized {
			// HF matches normalized tokens by their normalized form (with a
			// Prepend normalizer that includes the prepended "▁").
			pat := tk.Content
			if n != nil {
				pat = n.normalize(pat)
			}
			av.text[tk.ID] = pat
			normSet.t.insert(pat, len(normSet.toks))
			normSet.toks = append(normSet.toks, tk)
		} else {
			rawSet.t.insert(tk.Content, len(rawSet.toks))
			rawSet.toks = append(rawSet.toks, tk)
		}
	}
	av.raw = rawSet.t
	av.norm = normSet.t
	av.rawToks = rawSet.toks
	av.normToks = normSet.toks
	return av
}

func (av *addedVocab) isSpecial(id int) bool {
	at, ok := av.byID[id]
	return ok && at.Special
}

type split struct {
	text  string
	id    int // added token id, or -1 for text still to tokenize
	first bool
}

// split cuts text into added tokens and normalized text, in HF's order:
// non-normalized tokens on the raw input, then normalization of each
// remaining part, then normalized tokens on the result.
func (av *addedVocab) split(text string, n normalizer) []split {
	var out []split
	for _, s := range av.findMatches(text, av.raw, av.rawToks, true) {
		if s.id >= 0 {
			out = append(out, s)
			continue
		}
		nt := s.text
		if n != nil {
			nt = n.normalize(nt)
		}
		for _, ns := range av.findMatches(nt, av.norm, av.normToks, s.first) {
			if ns.text != "" || ns.id >= 0 {
				out = append(out, ns)
			}
		}
	}
	return out
}

// findMatches is AddedVocabulary::find_matches, including the single_word,
// lstrip and rstrip rules. Empty non-token parts are dropped.
func (av *addedVocab) findMatches(s string, t *trie, toks []rawAddedToken, first bool) []split {
	if s == "" {
		return nil
	}
	var out []split
	emit := func(a, b int) {
		if b > a {
			out = append(out, split{text: s[a:b], id: -1, first: first && a == 0})
		}
	}
	startOffset := 0
	i := 0
	for i < len(s) && len(toks) > 0 {
		idx, end := t.longestAt(s, i)
		if idx < 0 {
			i++
			continue
		}
		tk := toks[idx]
		start, stop := i, end
		i = end // the matcher resumes after this match even if it is rejected
		if tk.SingleWord {
			startSpace := start == 0 || !endsWithWord(s[:start])
			stopSpace := stop == len(s) || !startsWithWord(s[stop:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		if tk.LStrip {
			ns := len(strings.TrimRightFunc(s[:start], unicode.IsSpace))
			start = max(ns, startOffset)
		}
		if tk.RStrip {
			stop = len(s) - len(strings.TrimLeftFunc(s[stop:], unicode.IsSpace))
			i = max(i, stop)
		}
		emit(startOffset, start)
		out = append(out, split{text: s[start:stop], id: tk.ID, first: first && start == 0})
		startOffset = stop
	}
	emit(startOffset, len(s))
	return out
}

func endsWithWord(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && isWordChar(r)
}

func startsWithWord(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && isWordChar(r)
}

// postProcessor adds special tokens around an encoded sequence.
type postProcessor interface {
	process(ids []int) []int
}

type seqPost []postProcessor

func (s seqPost) process(ids []int) []int {
	for _, p := range s {
		ids = p.process(ids)
	}
	return ids
}

// templatePost is TemplateProcessing's "single" template.
type templatePost struct {
	items [][]int // nil entry = the sequence itself
}

func (tp templatePost) process(ids []int) []int {
	out := make([]int, 0, len(ids)+4)
	for _, it := range tp.items {
		if it == nil {
			out = append(out, ids...)
		} else {
			out = append(out, it...)
		}
	}
	return out
}

type noopPost struct{}

func (noopPost) process(ids []int) []int { return ids }

func buildPostProcessor(file, key string, raw json.RawMessage, t *Tokenizer) (postProcessor, error) {
	if isNull(raw) {
		return nil, nil
	}
	typ, err := typeOf(file, key, raw)
	if err != nil {
		return nil, err
	}
	bad := func(err error) error { return &configError{file: file, key: key, msg: err.Error()} }
	switch typ {
	case "Sequence":
		var v struct {
			Processors []json.RawMessage `json:"processors"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		var seq seqPost
		for i, r := range v.Processors {
			p, err := buildPostProcessor(file, fmt.Sprintf("%s.processors[%d]", key, i), r, t)
			if err != nil {
				return nil, err
			}
			if p != nil {
				seq = append(seq, p)
			}
		}
		return seq, nil
	case "ByteLevel":
		// Only adjusts offsets, which hf2go does not expose.
		return noopPost{}, nil
	case "TemplateProcessing":
		var v struct {
			Single []struct {
				SpecialToken *struct {
					ID string `json:"id"`
				} `json:"SpecialToken"`
				Sequence *struct {
					ID string `json:"id"`
				} `json:"Sequence"`
			} `json:"single"`
			SpecialTokens map[string]struct {
				IDs []int `json:"ids"`
			} `json:"special_tokens"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, bad(err)
		}
		var tp templatePost
		for i, it := range v.Single {
			switch {
			case it.Sequence != nil:
				tp.items = append(tp.items, nil)
			case it.SpecialToken != nil:
				st, ok := v.SpecialTokens[it.SpecialToken.ID]
				if !ok {
					return nil, &configError{file: file, key: fmt.Sprintf("%s.single[%d]", key, i), msg: fmt.Sprintf("names special token %q missing from special_tokens", it.SpecialToken.ID)}
				}
				tp.items = append(tp.items, append([]int{}, st.IDs...))
			default:
				return nil, &configError{file: file, key: fmt.Sprintf("%s.single[%d]", key, i), msg: "is neither SpecialToken nor Sequence"}
			}
		}
		return tp, nil
	case "RobertaProcessing", "BertProcessing":
		var v struct {
			Sep []json.RawMessage `json:"sep"`
			Cls []json.RawMessage `json:"cls"`
		}
		if err := json.Unmarshal(raw, &v); err != nil || len(v.Sep) != 2 || len(v.Cls) != 2 {
			return nil, &configError{file: file, key: key, msg: "needs cls and sep as [token, id]"}
		}
		var cls, sep int
		if json.Unmarshal(v.Cls[1], &cls) != nil || json.Unmarshal(v.Sep[1], &sep) != nil {
			return nil, &configError{file: file, key: key, msg: "cls/sep ids must be integers"}
		}
		return templatePost{items: [][]int{{cls}, nil, {sep}}}, nil
	}
	return nil, unsupported(file, key, typ)
}
