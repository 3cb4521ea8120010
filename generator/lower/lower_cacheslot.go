package lower

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
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

// slotAsArray translates a cache entry indexed as an array
// (types.ArrayLikeIndex): py.SlotArray, then the array's Index.
func (t *translator) slotAsArray(s *syntax.Subscript, x val, en *env) (val, bool) {
	if !types.IsSlot(x.t.Base()) || !types.ArrayLikeIndex(s.Index) {
		return val{}, false
	}
	a := call(t.qual("py", "SlotArray"), x.c)
	return prim(call(sel(a, "Index"), t.arrayIndex(s.Index, en)...), types.TArray), true
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
			return call(t.qual("py", "SlotArray"), v.c), true
		case to.Kind == types.Ext && !types.IsSlot(to) && t.root(to.Name) == "Cache":
			return call(t.qual("py", "AsCache"), v.c), true
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
		return call(t.qual("py", "NoneSlots"), lit(size)), true
	}
	return nil, false
}

// nestedGoName is the Go name of a function defined in a function body:
// its Python name in Go spelling, unless that is the Go spelling of another
// name of the enclosing function too (`_step` next to a parameter `step`),
// then with "Fn" appended.
func (t *translator) nestedGoName(d *syntax.FuncDef, fc *fnCtx) string {
	g := names.GoLocal(d.Name)
	if fc == nil || fc.fn == nil {
		return g
	}
	taken := map[string]bool{}
	for _, p := range fc.fn.Params {
		if p.Py != d.Name {
			taken[names.GoLocal(p.Py)] = true
		}
	}
	for n := range syntax.AssignedNames(fc.fn.Def.Body) {
		if n != d.Name {
			taken[names.GoLocal(n)] = true
		}
	}
	for taken[g] {
		g += "Fn"
	}
	return g
}

// foldWith returns the fold of readNamesLive for a recorded body: a
// condition is known when the checker recorded a literal bool for it, or it
// is not / and / or of such conditions, as truth() folds them.
func foldWith(inst *types.Inst) func(syntax.Expr) (bool, bool) {
	if inst == nil {
		return nil
	}
	var fold func(e syntax.Expr) (bool, bool)
	fold = func(e syntax.Expr) (bool, bool) {
		if v, ok := inst.Vals[e]; ok {
			if k, ok := types.ConstBool(v); ok {
				return k, true
			}
		}
		switch x := e.(type) {
		case *syntax.UnaryOp:
			if x.Op == "not" {
				if k, ok := fold(x.X); ok {
					return !k, true
				}
			}
		case *syntax.BoolOp:
			and := x.Op != "or"
			for _, v := range x.Values {
				if k, ok := fold(v); ok && k != and {
					return k, true // decided
				} else if !ok {
					// An unknown operand: only a later decided one folds.
					continue
				}
			}
			all := true
			for _, v := range x.Values {
				if _, ok := fold(v); !ok {
					all = false
				}
			}
			if all {
				return and, true
			}
		}
		return false, false
	}
	return fold
}

// defaultArgs are the Go arguments of a method's parameter defaults, for
// a call that passes no argument (the registration's MakeCache:
// make_prompt_cache calls model.make_cache()). Literal defaults only.
func (t *translator) defaultArgs(fn *types.Func) ([]model.Expr, bool) {
	var out []model.Expr
	for _, p := range fn.Params {
		c, ok := p.Def.(*syntax.Constant)
		if !ok {
			t.fail(fn.Def, "make_cache", "parameter %s needs a literal default (make_prompt_cache passes none)", p.Py)
			return nil, false
		}
		switch c.Kind {
		case syntax.ConstNone:
			out = append(out, t.zero(p.Type))
		case syntax.ConstTrue, syntax.ConstFalse:
			out = append(out, lit(c.Kind == syntax.ConstTrue))
		case syntax.ConstStr:
			out = append(out, lit(c.Value))
		default:
			f, err := strconv.ParseFloat(c.Value, 64)
			n, ierr := strconv.ParseInt(c.Value, 0, 64)
			switch {
			case c.Kind == syntax.ConstInt && ierr == nil && p.Type.Base().Kind != types.Float:
				out = append(out, lit(int(n)))
			case err == nil:
				out = append(out, lit(f))
			default:
				t.fail(fn.Def, "make_cache", "default %s of %s", c.Value, p.Py)
				return nil, false
			}
		}
	}
	return out, true
}
