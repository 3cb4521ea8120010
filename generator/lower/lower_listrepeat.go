package lower

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// listRepeat is list * n (and n * list, types/check_listrepeat.go); list is
// the list operand's syntax, l its value and r n's.
func (t *translator) listRepeat(b *syntax.BinOp, list syntax.Expr, l, r val, en *env) val {
	lt := l.t.Base()
	if lst, ok := list.(*syntax.List); ok && len(lst.Elts) == 1 {
		e := t.expr(lst.Elts[0], en)
		et := e.t
		if et.Kind == types.None {
			if c, ok := t.noneListAsCache(b, r); ok {
				return c
			}
			// [None] * n: the element type is the assigned variable's (the checker's).
			et = types.TUnknown
			if h := t.val(b).T; h.Kind == types.List && h.Elem.Kind != types.Unknown {
				et = h.Elem
				return prim(typeCall(t.qual("py", "Repeat"), t.goType(et), nilLit(), r.c), types.ListOf(et))
			}
		}
		if h := t.val(b).T; types.NoneSeq(et) && h.Kind == types.List && h.Elem.Kind == types.Ext {
			// [(None, None)] * n where caches go (types/check_cacheslot.go).
			return prim(typeCall(t.qual("py", "Repeat"), t.goType(h.Elem), t.coerce(e, h.Elem, lst.Elts[0]), r.c), h)
		}
		return prim(call(t.qual("py", "Repeat"), e.c, r.c), types.ListOf(et))
	}
	et := lt.Homogeneous()
	if et == nil {
		return t.bad(b, "list *", "of a mixed tuple")
	}
	return prim(call(t.qual("py", "RepeatList"), l.c, r.c), types.ListOf(et))
}
