package types

import (
	"github.com/hf2go/hf2go/generator/syntax"
)

// subscript checks x[...] reads.
func (t *checker) subscript(s *syntax.Subscript, en *env) Val {
	x := MaskAsArray(t.expr(s.X, en)) // mask[..., None]: an SSM mask is an array
	xt := x.T.Base()
	switch xt.Kind {
	case Array:
		t.arrayIndex(s.Index, en)
		return tv(TArray)
	case List, Tuple:
		if len(s.Index) != 1 {
			return t.bad()
		}
		et := xt.Homogeneous()
		if sl, ok := s.Index[0].(*syntax.Slice); ok {
			if sl.Step != nil && et != nil {
				return t.steppedSlice(sl, et, en)
			}
			if sl.Step != nil || et == nil {
				return t.bad()
			}
			t.bound(sl.Lo, en)
			t.bound(sl.Hi, en)
			return tv(ListOf(et))
		}
		iv := t.expr(s.Index[0], en)
		if xt.Kind == Tuple && et == nil {
			if xt.IsModuleList() {
				if i, ok := ModuleListIndex(xt, iv.Lit); ok {
					return tv(xt.Elems[i]) // check_modlist.go
				}
				return t.bad()
			}
			if iv.Lit != nil && iv.Lit.Kind == syntax.ConstInt {
				return t.bad()
			}
		}
		if et == nil {
			et = TUnknown
		}
		return tv(et)
	case Dict:
		t.expr(s.Index[0], en)
		return tv(xt.Elem)
	case Ext:
		if v, ok := t.slotAsArray(s, x, en); ok {
			return v
		}
		if v, ok := t.extSubscript(s, x, en); ok {
			return v
		}
	case ClassK:
		// module["weight"]: an mlx Module is a dict of its members, so a
		// string key naming one is that attribute.
		if len(s.Index) == 1 {
			if k, ok := s.Index[0].(*syntax.Constant); ok && k.Kind == syntax.ConstStr {
				return t.member(x, k.Value)
			}
		}
	case AnyK:
		// A nested dict read by key (tree_unflatten's result): still Any.
		if len(s.Index) == 1 {
			if k := t.expr(s.Index[0], en); k.T.Kind == Str || k.T.Base().Kind == Int {
				// or a config list read by index (moe_topk: [2, 4, ...]).
				return tv(TAny)
			}
		}
	case Str:
		// s[lo:hi] of a str (minimax_m3_vl's k[: -len(suffix)]).
		if len(s.Index) == 1 {
			if sl, ok := s.Index[0].(*syntax.Slice); ok && sl.Step == nil {
				t.bound(sl.Lo, en)
				t.bound(sl.Hi, en)
				return tv(TStr)
			}
		}
		// s[i]: a one-character string, as in Python (not a byte).
		if _, isSlice := s.Index[0].(*syntax.Slice); !isSlice && len(s.Index) == 1 {
			t.expr(s.Index[0], en)
			return tv(TStr)
		}
		if v, ok := t.strSlice(s, en); ok {
			return v
		}
	}
	return t.bad()
}

// bound checks a list slice bound.
func (t *checker) bound(e syntax.Expr, en *env) {
	if e == nil {
		return
	}
	if c, ok := e.(*syntax.Constant); ok && c.Kind == syntax.ConstNone {
		return
	}
	t.expr(e, en)
}

// arrayIndex checks the elements of an array subscript.
func (t *checker) arrayIndex(idx []syntax.Expr, en *env) {
	for _, e := range idx {
		switch x := e.(type) {
		case *syntax.Slice:
			if x.Lo == nil && x.Hi == nil && x.Step == nil {
				continue
			}
			for _, b := range []syntax.Expr{x.Lo, x.Hi} {
				if b != nil {
					t.expr(b, en)
				}
			}
			if x.Step != nil {
				t.expr(x.Step, en)
			}
		case *syntax.Constant:
			if x.Kind != syntax.ConstNone && x.Kind != syntax.ConstEllipsis {
				t.expr(x, en)
			}
		default:
			t.expr(e, en)
		}
	}
}

// comprehension checks a list/dict/generator comprehension; its loop
// targets are locals of its own scope.
func (t *checker) comprehension(c *syntax.Comp, en *env) Val {
	hint := t.hint
	inner := newEnv(en.cls, en.fn, en)
	for _, g := range c.Generators {
		if !t.forHead(g.Target, g.Iter, inner) {
			return tv(TUnknown)
		}
		for _, cond := range g.Ifs {
			t.truth(cond, inner)
		}
	}
	switch c.Kind {
	case "dict":
		k, v := t.expr(c.Key, inner), t.expr(c.Elt, inner)
		return tv(DictOf(k.T, v.T))
	default:
		v := t.expr(c.Elt, inner)
		et := v.T
		if et.Kind == None {
			// [None for _ in ...]: the element type is the assigned
			// variable's, as for [None] * n.
			et = TUnknown
			if hint != nil && hint.Kind == List && hint.Elem.Kind != Unknown {
				et = hint.Elem
			}
		}
		return tv(ListOf(et))
	}
}

// bindName binds a loop target to a type in en.
func (t *checker) bindName(e syntax.Expr, ty *Type, en *env) {
	nm, ok := e.(*syntax.Name)
	if !ok || nm.Id == "_" {
		return
	}
	en.vars[t.sym(nm, en)] = ty
	t.target(nm, ty)
	t.facts = t.facts.copy()
	t.assigned(nm.Id, ty)
}

func (t *checker) shadowed(n *syntax.Name, en *env) bool {
	_, ok := en.lookup(t.sym(n, en))
	return ok
}

// forHead checks `for target in iter` and binds the targets in en. It
// understands range, zip, enumerate, dict.items(), lists and tuples; it
// reports false where the lowering will reject the loop.
func (t *checker) forHead(target, iter syntax.Expr, en *env) bool {
	if call, ok := iter.(*syntax.Call); ok {
		if fname, ok := call.Func.(*syntax.Name); ok {
			if !t.shadowed(fname, en) {
				switch fname.Id {
				case "range":
					for _, x := range call.Args {
						t.expr(x, en)
					}
					t.bindName(target, TInt, en)
					if len(call.Args) >= 1 && len(call.Args) <= 3 {
						return true
					}
				case "enumerate":
					if len(call.Args) != 1 {
						break
					}
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != 2 {
						return false
					}
					if inner, ok := tup.Elts[1].(*syntax.Tuple); ok {
						// for i, (a, b) in enumerate(zip(xs, ys)): zip's index is i.
						if zc, ok := call.Args[0].(*syntax.Call); ok {
							if zn, ok := zc.Func.(*syntax.Name); ok && zn.Id == "zip" {
								if iname, ok := tup.Elts[0].(*syntax.Name); ok {
									return t.zipLoop(inner, zc, en, iname)
								}
							}
						}
						// for i, (k, v) in enumerate(d.items()): sorted keys with their index.
						if ic, ok := call.Args[0].(*syntax.Call); ok && len(inner.Elts) == 2 {
							if a, ok := ic.Func.(*syntax.Attribute); ok && a.Attr == "items" {
								d := t.expr(a.X, en)
								_, ok := tup.Elts[0].(*syntax.Name)
								if d.T.Kind == Dict && ok {
									t.bindName(tup.Elts[0], TInt, en)
									t.bindName(inner.Elts[0], d.T.Key, en)
									t.bindName(inner.Elts[1], d.T.Elem, en)
									return true
								}
							}
						}
						return false
					}
					seq := t.expr(call.Args[0], en)
					et := seq.T.Homogeneous()
					if et == nil {
						et = TUnknown
					}
					t.bindName(tup.Elts[0], TInt, en)
					t.bindName(tup.Elts[1], et, en)
					return true
				case "zip":
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != len(call.Args) {
						return false
					}
					return t.zipLoop(tup, call, en, nil)
				}
			}
		}
		if a, ok := call.Func.(*syntax.Attribute); ok && (a.Attr == "items" || a.Attr == "keys" || a.Attr == "values") {
			d := t.expr(a.X, en)
			if dt, ok := dictView(d.T); ok {
				switch a.Attr {
				case "items":
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != 2 {
						return false
					}
					t.bindName(tup.Elts[0], dt.Key, en)
					t.bindName(tup.Elts[1], dt.Elem, en)
				case "keys":
					t.bindName(target, dt.Key, en)
				case "values":
					t.bindName(target, dt.Elem, en)
				}
				return true
			}
		}
	}
	seq := t.expr(iter, en)
	st := seq.T.Base()
	if st.Kind == Array || st.Kind == AnyK {
		st = ListOf(iterElem(st)) // an array's rows, a dynamic value's elements
	}
	if st.Kind == Str {
		st = ListOf(TStr) // a str's characters (lower: py.Chars)
	}
	if st.Kind == List || st.Kind == Tuple {
		et := st.Homogeneous()
		if et == nil {
			return false
		}
		if tup, ok := target.(*syntax.Tuple); ok && len(tup.Elts) == 2 && et.Kind == Tuple && len(et.Elems) == 2 && et.Homogeneous() == nil {
			// for name, w in pairs of mixed types: each its element's type.
			t.bindName(tup.Elts[0], et.Elems[0], en)
			t.bindName(tup.Elts[1], et.Elems[1], en)
			return true
		}
		if tup, ok := target.(*syntax.Tuple); ok {
			// for a, b in pairs: unpack each element.
			inner := et.Homogeneous()
			if inner == nil {
				inner = TUnknown
			}
			for _, e := range tup.Elts {
				t.bindName(e, inner, en)
			}
			return len(tup.Elts) >= 2 && len(tup.Elts) <= 4
		}
		t.bindName(target, et, en)
		return true
	}
	if tup, ok := target.(*syntax.Tuple); ok && st.Kind == Dict && len(tup.Elts) == 2 {
		// for k, v in list(d.items()): the dict's items, keys sorted.
		t.bindName(tup.Elts[0], st.Key, en)
		t.bindName(tup.Elts[1], st.Elem, en)
		return true
	}
	if st.Kind == Dict {
		t.bindName(target, st.Key, en)
		return true
	}
	return st.Kind == Unknown && t.learn
}

// zipLoop checks `for a, b in zip(xs, ys)` (index: the enumerate index).
func (t *checker) zipLoop(tup *syntax.Tuple, call *syntax.Call, en *env, index *syntax.Name) bool {
	if len(tup.Elts) != len(call.Args) {
		return false
	}
	var seqs []Val
	for _, a := range call.Args {
		seqs = append(seqs, t.expr(a, en))
	}
	if index != nil {
		en.vars[t.sym(index, en)] = TInt
		t.target(index, TInt)
	}
	for k, s := range seqs {
		et := iterElem(s.T)
		if et == nil {
			et = TUnknown
		}
		if inner, ok := tup.Elts[k].(*syntax.Tuple); ok {
			// for a, (k, v) in zip(xs, kvs): each element unpacked.
			ets := unpacked(et, len(inner.Elts))
			if ets == nil {
				return false
			}
			for i, e := range inner.Elts {
				nm, ok := e.(*syntax.Name)
				if !ok {
					return false
				}
				en.vars[t.sym(nm, en)] = ets[i]
				t.target(nm, ets[i])
			}
			continue
		}
		nm, ok := tup.Elts[k].(*syntax.Name)
		if !ok {
			return false
		}
		en.vars[t.sym(nm, en)] = et
		t.target(nm, et)
	}
	return true
}

// unpacked is the types of n names unpacking a value of type et: a tuple
// of n, or a list's element n times; nil when it cannot be unpacked so.
func unpacked(et *Type, n int) []*Type {
	switch et.Kind {
	case Tuple:
		if len(et.Elems) == n {
			return et.Elems
		}
	case List:
		out := make([]*Type, n)
		for i := range out {
			out[i] = et.Elem
		}
		return out
	}
	return nil
}
