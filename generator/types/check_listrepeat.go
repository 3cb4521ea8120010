package types

import "github.com/hf2go/hf2go/generator/syntax"

// List repetition, xs * n and n * xs.
//
// Python's n * xs is xs * n: int.__mul__ returns NotImplemented for a list
// and list.__rmul__ repeats it, the same list either way (afm7's
// `[n_heads * head_dim] + 2 * [n_kv_heads * head_dim]`). The lowering builds
// the repeated list from the list first; n is read first in Python, so the
// swap is taken only when reading n has no effect (PureOperand).

// listRepeat is the type of list * n; list is the list operand's syntax, l
// its value and r n's.
func (t *checker) listRepeat(b *syntax.BinOp, list syntax.Expr, l, r Val, en *env) Val {
	lt := l.T.Base()
	if lst, ok := list.(*syntax.List); ok && len(lst.Elts) == 1 {
		e := t.expr(lst.Elts[0], en)
		et := e.T
		if et.Kind == None {
			if c, ok := t.noneListAsCache(); ok {
				return tv(c)
			}
			// [None] * n: the element type is the assigned variable's.
			et = TUnknown
			if h := t.hint; h != nil && h.Kind == List && h.Elem.Kind != Unknown {
				et = h.Elem
			}
		}
		if h := t.hint; NoneSeq(et) && h != nil && h.Kind == List && t.unify(h.Elem, et) != nil && h.Elem.Kind == Ext {
			// [(None, None)] * n where caches go: a list of empty caches.
			et = h.Elem
		}
		return tv(ListOf(et))
	}
	et := lt.Homogeneous()
	if et == nil {
		return t.bad()
	}
	return tv(ListOf(et))
}

// PureOperand reports whether evaluating e has no effect and cannot fail
// for a value that type-checked: a literal, a name, or attributes of one.
func PureOperand(e syntax.Expr) bool {
	switch x := e.(type) {
	case *syntax.Constant, *syntax.Name:
		return true
	case *syntax.Attribute:
		return PureOperand(x.X)
	}
	return false
}
