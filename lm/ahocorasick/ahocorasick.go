// Ported from mlx_lm/generate.py
// Upstream: mlx-lm 0.32.2
// Blob: 8a348b25519e3e960d0032607f56a198fac0311b

// Package ahocorasick is mlx-lm's _build_trie: an Aho-Corasick automaton over
// sequences of comparable symbols (token ids for StopSequences, characters
// for TextStateMachine), with failure links and matches propagated along
// them, exactly as generate.py builds its dict-of-dicts trie.
package ahocorasick

// Match is a node's "__match__": the matched pattern's length and its index
// in the list the trie was built from.
type Match struct {
	Len   int
	Index int
}

// Node is one trie node. The zero value is not used; build with New.
type Node[K comparable] struct {
	next  map[K]*Node[K]
	fail  *Node[K]
	match *Match
}

// Trie is the built automaton.
type Trie[K comparable] struct {
	Root *Node[K]
}

// New is _build_trie(sequences). Empty patterns are skipped (an empty
// pattern would make the root match every symbol); a later duplicate
// pattern overwrites an earlier one's index, as the dict assignment does.
func New[K comparable](sequences [][]K) *Trie[K] {
	root := &Node[K]{next: map[K]*Node[K]{}}
	for idx, seq := range sequences {
		node := root
		for _, tok := range seq {
			child, ok := node.next[tok]
			if !ok {
				child = &Node[K]{next: map[K]*Node[K]{}}
				node.next[tok] = child
			}
			node = child
		}
		if node == root {
			continue
		}
		node.match = &Match{Len: len(seq), Index: idx}
	}
	// BFS to set failure links and propagate matches. Python iterates dict
	// keys in insertion order; the links do not depend on the order.
	var queue []*Node[K]
	for _, child := range root.next {
		child.fail = root
		queue = append(queue, child)
	}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for key, child := range parent.next {
			queue = append(queue, child)
			fail := parent.fail
			for fail.next[key] == nil && fail != root {
				fail = fail.fail
			}
			if n := fail.next[key]; n != nil {
				child.fail = n
			} else {
				child.fail = root
			}
			if child.match == nil && child.fail.match != nil {
				child.match = child.fail.match
			}
		}
	}
	return &Trie[K]{Root: root}
}

// Step is the matcher's transition: fail back until key continues a match
// or the root is reached, then follow key when it can be followed.
func (t *Trie[K]) Step(n *Node[K], key K) *Node[K] {
	for n.next[key] == nil && n != t.Root {
		n = n.fail
	}
	if c := n.next[key]; c != nil {
		n = c
	}
	return n
}

// Match is the node's "__match__", nil when it has none.
func (n *Node[K]) Match() *Match { return n.match }
