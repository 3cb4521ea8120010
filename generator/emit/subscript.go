package emit

import (
	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// subscript translates x[...] reads.
func (t *translator) subscript(s *syntax.Subscript, en *env) val {
	x := t.expr(s.X, en)
	xt := x.t.Base()
	switch xt.Kind {
	case types.Array:
		return prim(jen.Add(paren(x, precPrimary)).Dot("Index").Call(t.arrayIndex(s.Index, en)...), types.TArray)
	case types.List, types.Tuple:
		if len(s.Index) != 1 {
			return t.bad(s, "subscript", "a list takes one index")
		}
		et := xt.Homogeneous()
		if sl, ok := s.Index[0].(*syntax.Slice); ok {
			if sl.Step != nil {
				return t.bad(s, "list slice", "with a step")
			}
			if et == nil {
				return t.bad(s, "tuple slice", "of mixed types")
			}
			return prim(t.qual("py", "Slice").Call(x.c, t.bound(sl.Lo, en), t.bound(sl.Hi, en)), types.ListOf(et))
		}
		iv := t.expr(s.Index[0], en)
		if xt.Kind == types.Tuple && et == nil {
			if iv.lit != nil && iv.lit.Kind == syntax.ConstInt {
				return t.bad(s, "tuple index", "of a mixed tuple")
			}
		}
		if et == nil {
			et = types.TUnknown
		}
		if isNegative(iv) {
			return prim(t.qual("py", "At").Call(x.c, iv.c), et)
		}
		return prim(jen.Add(paren(x, precPrimary)).Index(t.coerce(iv, types.TInt, s.Index[0])), et)
	case types.Dict:
		k := t.expr(s.Index[0], en)
		return prim(jen.Add(paren(x, precPrimary)).Index(k.c), xt.Elem)
	case types.Class:
		// module["weight"]: an mlx Module is a dict of its members, so a
		// string key naming one is that attribute.
		if len(s.Index) == 1 {
			if k, ok := s.Index[0].(*syntax.Constant); ok && k.Kind == syntax.ConstStr {
				return t.member(s, x, k.Value, en)
			}
		}
	case types.AnyK:
		// A nested dict read by key (tree_unflatten's result): still Any.
		if len(s.Index) == 1 {
			k := t.expr(s.Index[0], en)
			if k.t.Kind == types.Str {
				return prim(t.qual("rt", "Key").Call(x.c, k.c), types.TAny)
			}
		}
	case types.Str:
		// s[i]: a one-character string, as in Python (not a byte).
		if _, isSlice := s.Index[0].(*syntax.Slice); !isSlice && len(s.Index) == 1 {
			i := t.expr(s.Index[0], en)
			return prim(t.qual("rt", "StrAt").Call(t.deref(x, s.X), t.coerce(i, types.TInt, s.Index[0])), types.TStr)
		}
	case types.Unknown:
		if t.dry {
			return prim(jen.Nil(), types.TUnknown)
		}
	}
	return t.bad(s, "subscript", "of a %s", x.t)
}

func isNegative(v val) bool {
	return v.lit != nil && len(v.lit.Value) > 0 && v.lit.Value[0] == '-'
}

// bound is a list slice bound: an int, or py.SliceNone when omitted.
func (t *translator) bound(e syntax.Expr, en *env) jen.Code {
	if e == nil {
		return t.qual("py", "SliceNone")
	}
	if c, ok := e.(*syntax.Constant); ok && c.Kind == syntax.ConstNone {
		return t.qual("py", "SliceNone")
	}
	v := t.expr(e, en)
	switch v.t.Kind {
	case types.None:
		return t.qual("py", "SliceNone")
	case types.Optional, types.AnyK:
		// A bound that may be None at run time (self.end_idx).
		return t.qual("rt", "SliceBound").Call(v.c)
	}
	return t.coerce(v, types.TInt, e)
}

// arrayIndex translates the elements of an array subscript into arguments
// of mlx.Array.Index.
func (t *translator) arrayIndex(idx []syntax.Expr, en *env) []jen.Code {
	var out []jen.Code
	for _, e := range idx {
		switch x := e.(type) {
		case *syntax.Slice:
			if x.Lo == nil && x.Hi == nil && x.Step == nil {
				out = append(out, t.qual("mlx", "Colon"))
				continue
			}
			b := func(e syntax.Expr) jen.Code {
				if e == nil {
					return t.qual("mlx", "None")
				}
				return t.coerce(t.expr(e, en), types.TInt, e)
			}
			step := jen.Code(jen.Lit(1))
			if x.Step != nil {
				step = t.coerce(t.expr(x.Step, en), types.TInt, x.Step)
			}
			out = append(out, t.qual("mlx", "Slice").Call(b(x.Lo), b(x.Hi), step))
		case *syntax.Constant:
			switch x.Kind {
			case syntax.ConstNone:
				out = append(out, t.qual("mlx", "NewAxis"))
			case syntax.ConstEllipsis:
				out = append(out, t.qual("mlx", "Ellipsis"))
			default:
				out = append(out, t.expr(x, en).c)
			}
		default:
			v := t.expr(e, en)
			switch v.t.Base().Kind {
			case types.Int:
				out = append(out, t.deref(v, e))
			case types.Array:
				out = append(out, v.c)
			case types.Tuple, types.List:
				t.fail(e, "array index", "a tuple index must be written inline")
			default:
				if !t.dry {
					t.fail(e, "array index", "of type %s", v.t)
				}
			}
		}
	}
	return out
}

// comprehension translates a list/dict/generator comprehension into a Go
// function literal that builds the result with loops, called in place.
func (t *translator) comprehension(c *syntax.Comp, en *env) val {
	inner := newEnv(en.cls, en.fn, en)
	var loops []func(body []jen.Code) jen.Code
	for _, g := range c.Generators {
		head, ok := t.forHead(g.Target, g.Iter, inner, c)
		if !ok {
			return prim(jen.Nil(), types.TUnknown)
		}
		var conds []jen.Code
		for _, cond := range g.Ifs {
			conds = append(conds, t.truth(cond, inner).c)
		}
		h := head
		cs := conds
		loops = append(loops, func(body []jen.Code) jen.Code {
			for i := len(cs) - 1; i >= 0; i-- {
				body = []jen.Code{jen.If(cs[i]).Block(body...)}
			}
			return h(body)
		})
	}
	var rt *types.Type
	var body jen.Code
	switch c.Kind {
	case "dict":
		k, v := t.expr(c.Key, inner), t.expr(c.Elt, inner)
		rt = types.DictOf(k.t, v.t)
		body = jen.Id("out").Index(k.c).Op("=").Add(v.c)
	case "list", "gen", "set":
		v := t.expr(c.Elt, inner)
		et := v.t
		if et.Kind == types.None {
			et = types.TUnknown
		}
		rt = types.ListOf(et)
		body = jen.Id("out").Op("=").Append(jen.Id("out"), v.c)
	}
	stmt := body
	for i := len(loops) - 1; i >= 0; i-- {
		stmt = loops[i]([]jen.Code{stmt})
	}
	var init jen.Code
	if c.Kind == "dict" {
		init = jen.Id("out").Op(":=").Make(t.goType(rt))
	} else {
		init = jen.Var().Id("out").Add(t.goType(rt))
	}
	fn := jen.Func().Params().Add(t.goType(rt)).Block(init, stmt, jen.Return(jen.Id("out"))).Call()
	return prim(fn, rt)
}

// forHead translates `for target in iter` into a Go for clause; it binds the
// target names in en. It understands range, zip, enumerate, dict.items(),
// lists and tuples.
func (t *translator) forHead(target, iter syntax.Expr, en *env, n syntax.Node) (func(body []jen.Code) jen.Code, bool) {
	bindName := func(e syntax.Expr, ty *types.Type) jen.Code {
		nm, ok := e.(*syntax.Name)
		if !ok {
			t.fail(e, "loop target", "must be a name")
			return jen.Id("_")
		}
		if nm.Id == "_" {
			return jen.Id("_")
		}
		en.vars[nm.Id] = ty
		if !t.dry && t.reads != nil && !t.reads[nm.Id] {
			// Go rejects an unused loop variable.
			return jen.Id("_")
		}
		en.goName[nm.Id] = local(nm.Id)
		return jen.Id(local(nm.Id))
	}
	if call, ok := iter.(*syntax.Call); ok {
		if fname, ok := call.Func.(*syntax.Name); ok {
			if _, _, shadowed := en.lookup(fname.Id); !shadowed {
				switch fname.Id {
				case "range":
					var a []jen.Code
					for _, x := range call.Args {
						a = append(a, t.coerce(t.expr(x, en), types.TInt, x))
					}
					v := bindName(target, types.TInt)
					unused := v.(*jen.Statement).GoString() == "_"
					switch len(a) {
					case 1:
						if unused {
							return func(b []jen.Code) jen.Code { return jen.For(jen.Range().Add(a[0])).Block(b...) }, true
						}
						return func(b []jen.Code) jen.Code { return jen.For(jen.Add(v).Op(":=").Range().Add(a[0])).Block(b...) }, true
					case 2:
						if unused {
							return func(b []jen.Code) jen.Code {
								return jen.For(jen.Range().Add(t.qual("py", "Range").Call(a[0], a[1], jen.Lit(1)))).Block(b...)
							}, true
						}
						return func(b []jen.Code) jen.Code {
							return jen.For(jen.Add(v).Op(":=").Add(a[0]), jen.Add(v).Op("<").Add(a[1]), jen.Add(v).Op("++")).Block(b...)
						}, true
					case 3:
						return func(b []jen.Code) jen.Code {
							return jen.For(jen.List(v, jen.Id("_")).Op(":=").Range().Add(t.qual("py", "Range").Call(a...))).Block(b...)
						}, true
					}
				case "enumerate":
					if len(call.Args) != 1 {
						break
					}
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != 2 {
						t.fail(target, "enumerate", "target must be two names")
						return nil, false
					}
					if inner, ok := tup.Elts[1].(*syntax.Tuple); ok {
						// for i, (a, b) in enumerate(zip(xs, ys)): zip's index is i.
						if zc, ok := call.Args[0].(*syntax.Call); ok {
							if zn, ok := zc.Func.(*syntax.Name); ok && zn.Id == "zip" {
								if iname, ok := tup.Elts[0].(*syntax.Name); ok {
									return t.zipLoop(inner, zc, en, iname.Id)
								}
							}
						}
						// for i, (k, v) in enumerate(d.items()): sorted keys with their index.
						if ic, ok := call.Args[0].(*syntax.Call); ok && len(inner.Elts) == 2 {
							if a, ok := ic.Func.(*syntax.Attribute); ok && a.Attr == "items" {
								d := t.expr(a.X, en)
								iname, ok := tup.Elts[0].(*syntax.Name)
								if d.t.Kind == types.Dict && ok {
									i := bindName(iname, types.TInt)
									k := bindName(inner.Elts[0], d.t.Key)
									v := bindName(inner.Elts[1], d.t.Elem)
									keys := t.qual("rt", "SortedKeys").Call(d.c)
									return func(b []jen.Code) jen.Code {
										kv := jen.Id("k_")
										if k.(*jen.Statement).GoString() != "_" {
											kv = k.(*jen.Statement)
										}
										head := []jen.Code{}
										if v.(*jen.Statement).GoString() != "_" {
											head = append(head, jen.Add(v).Op(":=").Add(d.c).Index(kv))
										}
										return jen.For(jen.List(i, kv).Op(":=").Range().Add(keys)).Block(append(head, b...)...)
									}, true
								}
							}
						}
						t.fail(target, "enumerate", "nested unpacking is supported over zip and dict.items() only")
						return nil, false
					}
					seq := t.expr(call.Args[0], en)
					et := seq.t.Homogeneous()
					if et == nil {
						et = types.TUnknown
					}
					i := bindName(tup.Elts[0], types.TInt)
					v := bindName(tup.Elts[1], et)
					return func(b []jen.Code) jen.Code { return jen.For(jen.List(i, v).Op(":=").Range().Add(seq.c)).Block(b...) }, true
				case "zip":
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != len(call.Args) {
						t.fail(target, "zip", "target must unpack every zipped sequence")
						return nil, false
					}
					return t.zipLoop(tup, call, en, "")
				}
			}
		}
		if a, ok := call.Func.(*syntax.Attribute); ok && (a.Attr == "items" || a.Attr == "keys" || a.Attr == "values") {
			d := t.expr(a.X, en)
			if d.t.Kind == types.Dict {
				dt := d.t
				// Sorted keys: Go's map order is random and generated code must be deterministic.
				switch a.Attr {
				case "items":
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != 2 {
						t.fail(target, "items()", "target must be two names")
						return nil, false
					}
					k := bindName(tup.Elts[0], dt.Key)
					v := bindName(tup.Elts[1], dt.Elem)
					return func(b []jen.Code) jen.Code {
						return jen.For(jen.List(jen.Id("_"), k).Op(":=").Range().Add(t.qual("rt", "SortedKeys").Call(d.c))).Block(
							append([]jen.Code{jen.Add(v).Op(":=").Add(d.c).Index(k)}, b...)...)
					}, true
				case "keys":
					k := bindName(target, dt.Key)
					return func(b []jen.Code) jen.Code {
						return jen.For(jen.List(jen.Id("_"), k).Op(":=").Range().Add(t.qual("rt", "SortedKeys").Call(d.c))).Block(b...)
					}, true
				case "values":
					v := bindName(target, dt.Elem)
					return func(b []jen.Code) jen.Code {
						return jen.For(jen.List(jen.Id("_"), jen.Id("k_")).Op(":=").Range().Add(t.qual("rt", "SortedKeys").Call(d.c))).Block(
							append([]jen.Code{jen.Add(v).Op(":=").Add(d.c).Index(jen.Id("k_"))}, b...)...)
					}, true
				}
			}
		}
	}
	seq := t.expr(iter, en)
	st := seq.t.Base()
	if st.Kind == types.List || st.Kind == types.Tuple {
		et := st.Homogeneous()
		if et == nil {
			t.fail(iter, "for", "over a tuple of mixed types")
			return nil, false
		}
		if tup, ok := target.(*syntax.Tuple); ok {
			// for a, b in pairs: unpack each element.
			var lhs []jen.Code
			inner := et.Homogeneous()
			if inner == nil {
				inner = types.TUnknown
			}
			for _, e := range tup.Elts {
				lhs = append(lhs, bindName(e, inner))
			}
			fn := map[int]string{2: "Unpack2", 3: "Unpack3", 4: "Unpack4"}[len(lhs)]
			if fn == "" {
				t.fail(target, "for", "unpacking %d names", len(lhs))
				return nil, false
			}
			return func(b []jen.Code) jen.Code {
				return jen.For(jen.List(jen.Id("_"), jen.Id("e_")).Op(":=").Range().Add(seq.c)).Block(
					append([]jen.Code{jen.List(lhs...).Op(":=").Add(t.qual("py", fn).Call(jen.Id("e_")))}, b...)...)
			}, true
		}
		v := bindName(target, et)
		if v.(*jen.Statement).GoString() == "_" {
			return func(b []jen.Code) jen.Code { return jen.For(jen.Range().Add(seq.c)).Block(b...) }, true
		}
		return func(b []jen.Code) jen.Code {
			return jen.For(jen.List(jen.Id("_"), v).Op(":=").Range().Add(seq.c)).Block(b...)
		}, true
	}
	if tup, ok := target.(*syntax.Tuple); ok && st.Kind == types.Dict && len(tup.Elts) == 2 {
		// for k, v in list(d.items()): the dict's items, keys sorted.
		k := bindName(tup.Elts[0], st.Key)
		v := bindName(tup.Elts[1], st.Elem)
		return func(b []jen.Code) jen.Code {
			return jen.For(jen.List(jen.Id("_"), k).Op(":=").Range().Add(t.qual("rt", "SortedKeys").Call(seq.c))).Block(
				append([]jen.Code{jen.Add(v).Op(":=").Add(seq.c).Index(k)}, b...)...)
		}, true
	}
	if st.Kind == types.Dict {
		k := bindName(target, st.Key)
		return func(b []jen.Code) jen.Code {
			return jen.For(jen.List(jen.Id("_"), k).Op(":=").Range().Add(t.qual("rt", "SortedKeys").Call(seq.c))).Block(b...)
		}, true
	}
	if st.Kind == types.Unknown && t.dry {
		return func(b []jen.Code) jen.Code { return jen.Null() }, true
	}
	t.fail(n, "for", "over a value of type %s", seq.t)
	return nil, false
}

// zipLoop is `for a, b in zip(xs, ys)` (index is the Python name bound to the
// position, from an enclosing enumerate, or "").
func (t *translator) zipLoop(tup *syntax.Tuple, call *syntax.Call, en *env, index string) (func(body []jen.Code) jen.Code, bool) {
	if len(tup.Elts) != len(call.Args) {
		t.fail(tup, "zip", "target must unpack every zipped sequence")
		return nil, false
	}
	var seqs []val
	for _, a := range call.Args {
		seqs = append(seqs, t.expr(a, en))
	}
	idx := "i"
	if index != "" {
		en.vars[index] = types.TInt
		en.goName[index] = local(index)
		idx = local(index)
	} else {
		for d := 0; ; d++ {
			if _, _, taken := en.lookup(idx); !taken {
				break
			}
			idx = "i" + string(rune('0'+d))
		}
	}
	var lens, lhs, rhs []jen.Code
	for k, s := range seqs {
		lens = append(lens, jen.Len(s.c))
		et := s.t.Homogeneous()
		if et == nil {
			et = types.TUnknown
		}
		nm, ok := tup.Elts[k].(*syntax.Name)
		if !ok {
			t.fail(tup.Elts[k], "zip", "targets must be names")
			return nil, false
		}
		en.vars[nm.Id] = et
		en.goName[nm.Id] = local(nm.Id)
		name := local(nm.Id)
		if nm.Id == "_" || (!t.dry && t.reads != nil && !t.reads[nm.Id]) {
			continue
		}
		lhs = append(lhs, jen.Id(name))
		rhs = append(rhs, jen.Add(paren(s, precPrimary)).Index(jen.Id(idx)))
	}
	bound := lens[0]
	if len(lens) > 1 {
		bound = jen.Min(lens...)
	}
	return func(b []jen.Code) jen.Code {
		var head []jen.Code
		if len(lhs) > 0 {
			head = append(head, jen.List(lhs...).Op(":=").List(rhs...))
		}
		return jen.For(jen.Id(idx).Op(":=").Range().Add(bound)).Block(append(head, b...)...)
	}, true
}
