package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Indexing table types (a per-layer cache: types/check_cacheslot.go) and
// the conversions of what that gives.

// extSubscript translates x[i] on a table type with __getitem__.
func (t *translator) extSubscript(s *syntax.Subscript, x val, en *env) (val, bool) {
	sig := t.tab.ExtItem(x.t, false)
	if sig == nil || len(s.Index) != 1 {
		return val{}, false
	}
	if _, isSlice := s.Index[0].(*syntax.Slice); isSlice {
		return val{}, false
	}
	return t.callSig(t.u.ItemCall(s, nil), sig, paren(x, precPrimary), en, x.t.Name+"[]"), true
}

// extAssignItem translates x[i] = v on a table type with __setitem__.
func (t *translator) extAssignItem(s *syntax.Subscript, x val, value syntax.Expr, en *env) ([]model.Stmt, bool) {
	sig := t.tab.ExtItem(x.t, true)
	if sig == nil || len(s.Index) != 1 {
		return nil, false
	}
	v := t.callSig(t.u.ItemCall(s, value), sig, paren(x, precPrimary), en, x.t.Name+"[]=")
	return []model.Stmt{exprStmt(v.c)}, true
}

// coerceSlot converts a cache entry to what its use needs (an array or a
// cache), and a literal list of Nones to the cache of empty entries it
// stands for. ok is false when neither applies.
func (t *translator) coerceSlot(v val, to *types.Type, n syntax.Node) (model.Expr, bool) {
	from := v.t
	if to == nil {
		return nil, false
	}
	if types.IsSlot(from) {
		switch {
		case to.Kind == types.Array:
			return call(t.qual("rt", "AsArray"), v.c), true
		case to.Kind == types.Ext && !types.IsSlot(to) && t.root(to.Name) == "Cache":
			return call(t.qual("rt", "AsCache"), v.c), true
		}
		return nil, false
	}
	if to.Kind == types.Ext && t.root(to.Name) == "Cache" && types.NoneSeq(from) {
		size := -1
		switch x := n.(type) {
		case *syntax.List:
			size = len(x.Elts)
		case *syntax.Tuple:
			size = len(x.Elts)
		}
		if size < 0 && from.Kind == types.Tuple {
			size = len(from.Elems)
		}
		if size < 0 {
			t.fail(n, "conversion", "a list of Nones of unknown length where a cache is expected")
			return v.c, true
		}
		return call(t.qual("rt", "NoneSlots"), lit(size)), true
	}
	return nil, false
}
