package types

import "github.com/hf2go/hf2go/generator/syntax"

// A list built as placeholders and filled by item stores (gemma4_text:
// intermediates = [(None, None)] * n, then intermediates[i] = (kvs, offset))
// holds the stored values too: its element type widens to cover them, as a
// name's type widens over its assignments. Only while learning, and only
// when the stored value's type unifies with the element type.
func (t *checker) widenListByStore(s *syntax.Subscript, lt, v *Type, en *env) {
	if !t.learn || lt.Kind != List || v == nil || v.Kind == Unknown {
		return
	}
	u := t.unify(lt.Elem, v)
	if u == nil || u.Equal(lt.Elem) {
		return
	}
	t.setType(s.X, ListOf(u), en)
}
