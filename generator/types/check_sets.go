package types

import "github.com/hf2go/hf2go/generator/syntax"

// Sets and dict key views, as model files use them: validation in
// __post_init__ such as
//
//	unknown = sorted(set(block_types) - self._block_type_to_char.keys())
//
// A set is held as a Go slice of distinct elements (first occurrence
// first); a dict's keys as the sorted slice of its keys (the order the
// translator iterates dicts in). Set difference keeps the left operand's
// order. Python's iteration order of a set is not defined by the language,
// and every use here goes through sorted(), len() or a truth test.

// setBuiltin checks set(xs) / sorted(d) calls; ok is false for others.
func (t *checker) setBuiltin(c *syntax.Call, name string, en *env) (Val, bool) {
	if name == "set" && len(c.Args) == 0 && len(c.Keywords) == 0 {
		// set(): an empty set, its element type from what the variable
		// holds elsewhere (as for []).
		if h := t.hint; h != nil && h.Kind == List && h.Elem.Kind != Unknown {
			return tv(h), true
		}
		return tv(ListOf(TUnknown)), true
	}
	if len(c.Args) != 1 || len(c.Keywords) > 0 {
		return Val{}, false
	}
	switch name {
	case "set":
		v := t.expr(c.Args[0], en)
		if h := keysOrElems(v.T); h != nil {
			return tv(ListOf(h)), true
		}
	case "sorted":
		v := t.expr(c.Args[0], en)
		if v.T.Kind == Dict && (v.T.Key.Kind == Str || v.T.Key.Numeric()) {
			return tv(ListOf(v.T.Key)), true // sorted(d): its keys
		}
	}
	return Val{}, false
}

// keysOrElems is what iterating a value gives: a dict's keys, a list's
// elements.
func keysOrElems(ty *Type) *Type {
	if ty.Kind == Dict {
		return ty.Key
	}
	return ty.Homogeneous()
}

// SetDiff reports a - b of two lists standing for sets (Python raises for
// lists; only sets and key views subtract).
func SetDiff(op string, l, r *Type) *Type {
	if op != "-" || l.Kind != List || r.Kind != List {
		return nil
	}
	if e := Unify(l.Elem, r.Elem); e != nil {
		return ListOf(e)
	}
	return nil
}
