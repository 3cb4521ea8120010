// Ported from mlx_lm/generate.py
// Upstream: mlx-lm 0.32.2
// Blob: 8a348b25519e3e960d0032607f56a198fac0311b
//
// From generate.py: TextStateMachine, make_text_state_machine.

package server

import (
	"github.com/hf2go/hf2go/lm/ahocorasick"
)

// transition is one (text, new state) edge.
type transition struct {
	text, to string
}

// textSM is TextStateMachine: per state, an automaton over the characters
// of its control sequences and the state each one leads to. Matching is on
// decoded text (code points, as Python's str), not on token ids.
type textSM struct {
	states map[string]*smState
}

type smState struct {
	trie *ahocorasick.Trie[rune]
	dst  []string
}

func newTextSM(transitions map[string][]transition) *textSM {
	sm := &textSM{states: map[string]*smState{}}
	for src, edges := range transitions {
		var pats [][]rune
		var dst []string
		for _, e := range edges {
			pats = append(pats, []rune(e.text))
			dst = append(dst, e.to)
		}
		sm.states[src] = &smState{trie: ahocorasick.New(pats), dst: dst}
	}
	return sm
}

// smRun is the runtime state (state_name, trie_node, states, buffer).
type smRun struct {
	sm    *textSM
	state string
	node  *ahocorasick.Node[rune]
	buf   []rune
}

type segment struct {
	state, text string
}

// start is make_state(initial).
func (sm *textSM) start(initial string) *smRun {
	if sm.states[initial] == nil {
		sm.states[initial] = &smState{trie: ahocorasick.New[rune](nil)}
	}
	return &smRun{sm: sm, state: initial, node: sm.states[initial].trie.Root}
}

// split consumes a chunk of decoded text and returns one segment per state
// passed through, control sequences stripped and possible partial matches
// held back; the last segment is the current state.
func (r *smRun) split(text string) []segment {
	start := len(r.buf)
	buf := append(r.buf, []rune(text)...)
	st := r.sm.states[r.state]
	n := r.node
	var segs []segment
	begin, consumed := 0, 0
	for i := start; i < len(buf); i++ {
		n = st.trie.Step(n, buf[i])
		if m := n.Match(); m != nil {
			segs = append(segs, segment{r.state, string(buf[begin : i+1-m.Len])})
			begin, consumed = i+1, i+1
			r.state = st.dst[m.Index]
			st = r.sm.states[r.state]
			if st == nil {
				st = &smState{trie: ahocorasick.New[rune](nil)}
				r.sm.states[r.state] = st
			}
			n = st.trie.Root
		} else if n == st.trie.Root {
			consumed = i + 1
		}
	}
	segs = append(segs, segment{r.state, string(buf[begin:consumed])})
	r.node = n
	r.buf = append([]rune(nil), buf[consumed:]...)
	return segs
}

// flush emits the held-back text (on finish_reason "length").
func (r *smRun) flush() string {
	out := string(r.buf)
	r.buf = nil
	r.node = r.sm.states[r.state].trie.Root
	return out
}

// discard drops the held-back text (on finish_reason "stop").
func (r *smRun) discard() {
	r.buf = nil
	r.node = r.sm.states[r.state].trie.Root
}

// modelFormat is what make_text_state_machine reads from the tokenizer
// wrapper: thinking and tool-call markers.
type modelFormat struct {
	thinkStart, thinkEnd       string // "" when the model has no thinking
	thinkStartIDs, thinkEndIDs []int
	toolStart, toolEnd         string // "" when there is no tool parser
	structuralMarkers          []string
}

func (f *modelFormat) hasThinking() bool    { return f.thinkStart != "" }
func (f *modelFormat) hasToolCalling() bool { return f.toolStart != "" }

// textMachine is make_text_state_machine(tokenizer, stop_words).
func (f *modelFormat) textMachine(stopWords []string) *textSM {
	tr := map[string][]transition{}
	if f.hasThinking() {
		tr["normal"] = append(tr["normal"], transition{f.thinkStart, "reasoning"})
		tr["reasoning"] = []transition{{f.thinkEnd, "normal"}}
	}
	if f.hasToolCalling() {
		tr["normal"] = append(tr["normal"], transition{f.toolStart, "tool"})
		if f.hasThinking() {
			tr["reasoning"] = append(tr["reasoning"], transition{f.toolStart, "tool"})
		}
		if f.toolEnd != "" {
			tr["tool"] = []transition{{f.toolEnd, "normal"}}
		} else {
			tr["tool"] = nil
		}
	}
	for _, w := range f.structuralMarkers {
		tr["normal"] = append(tr["normal"], transition{w, "normal"})
	}
	if len(stopWords) > 0 {
		names := []string{"normal"}
		for k := range tr {
			if k != "normal" {
				names = append(names, k)
			}
		}
		for _, name := range names {
			for _, w := range stopWords {
				tr[name] = append(tr[name], transition{w, name})
			}
		}
	}
	return newTextSM(tr)
}
