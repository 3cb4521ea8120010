package lower

import (
	"fmt"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// subscript translates x[...] reads.
func (t *translator) subscript(s *syntax.Subscript, en *env) val {
	x := t.expr(s.X, en)
	if x.t.Kind == types.Mask {
		x = t.maskAsArray(x) // mask[..., None]: an SSM mask is an array
	}
	xt := x.t.Base()
	switch xt.Kind {
	case types.Array:
		return prim(call(sel(paren(x, precPrimary), "Index"), t.arrayIndex(s.Index, en)...), types.TArray)
	case types.List, types.Tuple:
		if len(s.Index) != 1 {
			return t.bad(s, "subscript", "a list takes one index")
		}
		et := xt.Homogeneous()
		if sl, ok := s.Index[0].(*syntax.Slice); ok {
			if sl.Step != nil && et != nil {
				return t.steppedSlice(x, sl, et, en)
			}
			if et == nil {
				return t.bad(s, "tuple slice", "of mixed types")
			}
			return prim(call(t.qual("py", "Slice"), x.c, t.bound(sl.Lo, en), t.bound(sl.Hi, en)), types.ListOf(et))
		}
		iv := t.expr(s.Index[0], en)
		if xt.IsModuleList() {
			return t.moduleListIndex(s, x, iv) // lower_modlist.go
		}
		if xt.Kind == types.Tuple && et == nil {
			if iv.lit != nil && iv.lit.Kind == syntax.ConstInt {
				return t.bad(s, "tuple index", "of a mixed tuple")
			}
		}
		if et == nil {
			et = types.TUnknown
		}
		if isNegative(iv) {
			return prim(call(t.qual("py", "At"), x.c, iv.c), et)
		}
		return prim(index(paren(x, precPrimary), t.coerce(iv, types.TInt, s.Index[0])), et)
	case types.Dict:
		k := t.dictKey(s.Index[0], xt.Key, en) // lower_dictkey.go
		return prim(index(paren(x, precPrimary), k), xt.Elem)
	case types.Ext:
		if v, ok := t.slotAsArray(s, x, en); ok {
			return v
		}
		if v, ok := t.extSubscript(s, x, en); ok {
			return v
		}
	case types.ClassK:
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
				return prim(call(t.qual("py", "Key"), x.c, k.c), types.TAny)
			}
			if k.t.Base().Kind == types.Int {
				// A config list read by index: Python's list indexing.
				return prim(call(t.qual("py", "AnyAt"), x.c, t.deref(k, s.Index[0])), types.TAny)
			}
		}
	case types.Str:
		// Python slices a str by code point: py.StrSlice.
		if v, ok := t.strSlice(s, x, en); ok {
			return v
		}
		// s[i]: a one-character string, as in Python (not a byte).
		if _, isSlice := s.Index[0].(*syntax.Slice); !isSlice && len(s.Index) == 1 {
			i := t.expr(s.Index[0], en)
			return prim(call(t.qual("py", "StrAt"), t.deref(x, s.X), t.coerce(i, types.TInt, s.Index[0])), types.TStr)
		}
	}
	return t.bad(s, "subscript", "of a %s", x.t)
}

func isNegative(v val) bool {
	return v.lit != nil && len(v.lit.Value) > 0 && v.lit.Value[0] == '-'
}

// bound is a list slice bound: an int, or py.SliceNone when omitted.
func (t *translator) bound(e syntax.Expr, en *env) model.Expr {
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
		return call(t.qual("py", "SliceBound"), v.c)
	}
	return t.coerce(v, types.TInt, e)
}

// arrayIndex translates the elements of an array subscript into arguments
// of mlx.Array.Index.
func (t *translator) arrayIndex(idx []syntax.Expr, en *env) []model.Expr {
	var out []model.Expr
	for _, e := range idx {
		switch x := e.(type) {
		case *syntax.Slice:
			if x.Lo == nil && x.Hi == nil && x.Step == nil {
				out = append(out, t.qual("mlx", "Colon"))
				continue
			}
			b := func(e syntax.Expr) model.Expr {
				if e == nil {
					return t.qual("mlx", "None")
				}
				return t.coerce(t.expr(e, en), types.TInt, e)
			}
			step := model.Expr(lit(1))
			if x.Step != nil {
				step = t.coerce(t.expr(x.Step, en), types.TInt, x.Step)
			}
			out = append(out, call(t.qual("mlx", "Slice"), b(x.Lo), b(x.Hi), step))
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
				t.fail(e, "array index", "of type %s", v.t)
			}
		}
	}
	return out
}

// compLoops translates a comprehension's generators: the env its element
// is evaluated in and the loops (with their conditions) around a body.
func (t *translator) compLoops(c *syntax.Comp, en *env) (*env, loopHead, bool) {
	inner := newEnv(en.cls, en.fn, en)
	var loops []loopHead
	for _, g := range c.Generators {
		head, ok := t.forHead(g.Target, g.Iter, inner, c)
		if !ok {
			return nil, nil, false
		}
		var conds []model.Expr
		var pres [][]model.Stmt
		for _, cond := range g.Ifs {
			pres = append(pres, t.walrusFilter(cond, inner))
			conds = append(conds, t.truth(cond, inner).c)
		}
		h := head
		cs := conds
		loops = append(loops, func(body []model.Stmt) model.Stmt {
			for i := len(cs) - 1; i >= 0; i-- {
				body = append(append([]model.Stmt(nil), pres[i]...), &model.If{Cond: cs[i], Then: body})
			}
			return h(body)
		})
	}
	return inner, func(body []model.Stmt) model.Stmt {
		stmt := body
		for i := len(loops) - 1; i >= 0; i-- {
			stmt = []model.Stmt{loops[i](stmt)}
		}
		return stmt[0]
	}, true
}

// comprehension translates a list/dict/generator comprehension into a Go
// function literal that builds the result with loops, called in place.
func (t *translator) comprehension(c *syntax.Comp, en *env) val {
	inner, loops, ok := t.compLoops(c, en)
	if !ok {
		return prim(nilLit(), types.TUnknown)
	}
	var rt *types.Type
	var body model.Stmt
	// The result's name is one the comprehension does not read (minimax_m3_vl's
	// [k for k in out if ...]: a Python local named out).
	name := "out"
	for mentions(c, name) {
		name += "_"
	}
	out := id(name)
	switch c.Kind {
	case "dict":
		k, v := t.expr(c.Key, inner), t.expr(c.Elt, inner)
		rt = types.DictOf(k.t, v.t)
		body = &model.Assign{Lhs: exprs(index(out, k.c)), Rhs: exprs(v.c)}
	case "list", "gen", "set":
		v := t.expr(c.Elt, inner)
		et := v.t
		if et.Kind == types.None {
			// [None for _ in ...]: the assigned variable's element type (the
			// checker's), None its zero.
			et = types.TUnknown
			if h := t.val(c).T; h.Kind == types.List && h.Elem.Kind != types.Unknown {
				et = h.Elem
				v = val{c: t.zero(et), t: et}
			}
		}
		rt = types.ListOf(et)
		body = &model.Assign{Lhs: exprs(out), Rhs: exprs(call(id("append"), out, v.c))}
	}
	var init model.Stmt
	if c.Kind == "dict" {
		init = &model.Define{Lhs: exprs(out), Rhs: exprs(call(id("make"), &model.TypeExpr{Type: t.goType(rt)}))}
	} else {
		init = &model.Var{Name: name, Type: t.goType(rt)}
	}
	v := prim(closure(t.goType(rt), init, loops([]model.Stmt{body}), ret(out)), rt)
	if c.Kind == "set" {
		return t.distinct(v)
	}
	return v
}

// mentions reports whether a Name with Go name id occurs in e.
func mentions(e syntax.Expr, id string) bool {
	found := false
	syntax.Inspect(e, func(x syntax.Expr) bool {
		if n, ok := x.(*syntax.Name); ok && names.GoLocal(n.Id) == id {
			found = true
		}
		return !found
	})
	return found
}

// anyAll is any(...) / all(...) over a comprehension: a loop that stops at
// the first element that decides, as Python's does (later elements are not
// evaluated).
func (t *translator) anyAll(name string, c *syntax.Comp, en *env) val {
	inner, loops, ok := t.compLoops(c, en)
	if !ok {
		return prim(nilLit(), types.TUnknown)
	}
	cond := t.truth(c.Elt, inner)
	decides, otherwise := true, false // any: the first true element
	test := cond.c
	if name == "all" {
		decides, otherwise = false, true // all: the first false one
		test = un("!", paren(cond, precUnary))
	}
	body := &model.If{Cond: test, Then: []model.Stmt{ret(lit(decides))}}
	return prim(closure(named("bool"), loops([]model.Stmt{body}), ret(lit(otherwise))), types.TBool)
}

// next is next(elt for ... [, default]): a loop that returns the first
// element the generator yields (later ones are not evaluated, as in
// Python), then the default, or StopIteration without one.
func (t *translator) next(comp *syntax.Comp, c *syntax.Call, rt *types.Type, en *env) val {
	inner, loops, ok := t.compLoops(comp, en)
	if !ok {
		return prim(nilLit(), types.TUnknown)
	}
	elt := t.expr(comp.Elt, inner)
	first := ret(t.coerce(elt, rt, comp.Elt))
	var otherwise []model.Stmt
	if len(c.Args) == 2 {
		otherwise = []model.Stmt{ret(t.coerce(t.expr(c.Args[1], en), rt, c.Args[1]))}
	} else {
		otherwise = []model.Stmt{
			exprStmt(call(t.qual("py", "Raise"), lit("StopIteration"), lit("next(): the generator is empty"))),
			ret(t.zero(rt)),
		}
	}
	body := append([]model.Stmt{loops([]model.Stmt{first})}, otherwise...)
	return prim(closure(t.goType(rt), body...), rt)
}

// loopHead makes a Go for statement around a body.
type loopHead func(body []model.Stmt) model.Stmt

func isBlank(e model.Expr) bool {
	i, ok := e.(*model.Ident)
	return ok && i.Name == "_"
}

func rangeLoop(key, value, over model.Expr, body []model.Stmt) model.Stmt {
	return &model.For{Range: true, Key: key, Value: value, Over: over, Body: body}
}

func define(lhs, rhs model.Expr) model.Stmt { return &model.Define{Lhs: exprs(lhs), Rhs: exprs(rhs)} }

func prepend(s model.Stmt, body []model.Stmt) []model.Stmt {
	return append([]model.Stmt{s}, body...)
}

// forHead translates `for target in iter` into a Go for clause; it binds the
// target names in en. It understands range, zip, enumerate, dict.items(),
// lists and tuples.
func (t *translator) forHead(target, iter syntax.Expr, en *env, n syntax.Node) (loopHead, bool) {
	bindName := func(e syntax.Expr, ty *types.Type) model.Expr {
		nm, ok := e.(*syntax.Name)
		if !ok {
			t.fail(e, "loop target", "must be a name")
			return id("_")
		}
		if nm.Id == "_" {
			return id("_")
		}
		s := t.sym(nm, en)
		if bt, ok := t.inst.Target[nm]; ok {
			ty = bt
		}
		en.vars[s] = ty
		if t.reads != nil && !t.reads[nm.Id] {
			// Go rejects an unused loop variable.
			return id("_")
		}
		en.goName[s] = names.GoLocal(nm.Id)
		return id(names.GoLocal(nm.Id))
	}
	sortedKeys := func(d model.Expr) model.Expr {
		return call(t.qual("slices", "Sorted"), call(t.qual("maps", "Keys"), d))
	}
	if c, ok := iter.(*syntax.Call); ok {
		if fname, ok := c.Func.(*syntax.Name); ok {
			if _, _, shadowed := en.lookup(t.sym(fname, en)); !shadowed {
				switch fname.Id {
				case "range":
					var a []model.Expr
					for _, x := range c.Args {
						a = append(a, t.coerce(t.expr(x, en), types.TInt, x))
					}
					v := bindName(target, types.TInt)
					unused := isBlank(v)
					switch len(a) {
					case 1:
						if unused {
							return func(b []model.Stmt) model.Stmt { return rangeLoop(nil, nil, a[0], b) }, true
						}
						return func(b []model.Stmt) model.Stmt { return rangeLoop(v, nil, a[0], b) }, true
					case 2:
						if unused {
							return func(b []model.Stmt) model.Stmt {
								return rangeLoop(nil, nil, call(t.qual("py", "Range"), a[0], a[1], lit(1)), b)
							}, true
						}
						return func(b []model.Stmt) model.Stmt {
							return &model.For{Init: define(v, a[0]), Cond: bin("<", v, a[1]), Post: &model.Inc{X: v}, Body: b}
						}, true
					case 3:
						// The values of range(start, stop, step), not their indices.
						if unused {
							return func(b []model.Stmt) model.Stmt { return rangeLoop(nil, nil, call(t.qual("py", "Range"), a...), b) }, true
						}
						return func(b []model.Stmt) model.Stmt {
							return rangeLoop(id("_"), v, call(t.qual("py", "Range"), a...), b)
						}, true
					}
				case "enumerate":
					if len(c.Args) != 1 {
						break
					}
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != 2 {
						t.fail(target, "enumerate", "target must be two names")
						return nil, false
					}
					if inner, ok := tup.Elts[1].(*syntax.Tuple); ok {
						// for i, (a, b) in enumerate(zip(xs, ys)): zip's index is i.
						if zc, ok := c.Args[0].(*syntax.Call); ok {
							if zn, ok := zc.Func.(*syntax.Name); ok && zn.Id == "zip" {
								if iname, ok := tup.Elts[0].(*syntax.Name); ok {
									return t.zipLoop(inner, zc, en, iname)
								}
							}
						}
						// for i, (k, v) in enumerate(d.items()): sorted keys with their index.
						if ic, ok := c.Args[0].(*syntax.Call); ok && len(inner.Elts) == 2 {
							if a, ok := ic.Func.(*syntax.Attribute); ok && a.Attr == "items" {
								d := t.expr(a.X, en)
								iname, ok := tup.Elts[0].(*syntax.Name)
								if d.t.Kind == types.Dict && ok {
									i := bindName(iname, types.TInt)
									k := bindName(inner.Elts[0], d.t.Key)
									v := bindName(inner.Elts[1], d.t.Elem)
									return func(b []model.Stmt) model.Stmt {
										kv := model.Expr(id("k_"))
										if !isBlank(k) {
											kv = k
										}
										if !isBlank(v) {
											b = prepend(define(v, index(d.c, kv)), b)
										}
										return rangeLoop(i, kv, sortedKeys(d.c), b)
									}, true
								}
							}
						}
						t.fail(target, "enumerate", "nested unpacking is supported over zip and dict.items() only")
						return nil, false
					}
					seq := t.expr(c.Args[0], en)
					et := seq.t.Homogeneous()
					if et == nil {
						et = types.TUnknown
					}
					i := bindName(tup.Elts[0], types.TInt)
					v := bindName(tup.Elts[1], et)
					return func(b []model.Stmt) model.Stmt { return rangeLoop(i, v, seq.c, b) }, true
				case "zip":
					tup, ok := target.(*syntax.Tuple)
					if !ok || len(tup.Elts) != len(c.Args) {
						t.fail(target, "zip", "target must unpack every zipped sequence")
						return nil, false
					}
					return t.zipLoop(tup, c, en, nil)
				}
			}
		}
		if a, ok := c.Func.(*syntax.Attribute); ok && (a.Attr == "items" || a.Attr == "keys" || a.Attr == "values") {
			d, ok := t.dictView(t.expr(a.X, en))
			if ok {
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
					return func(b []model.Stmt) model.Stmt {
						return rangeLoop(id("_"), k, sortedKeys(d.c), prepend(define(v, index(d.c, k)), b))
					}, true
				case "keys":
					k := bindName(target, dt.Key)
					return func(b []model.Stmt) model.Stmt { return rangeLoop(id("_"), k, sortedKeys(d.c), b) }, true
				case "values":
					v := bindName(target, dt.Elem)
					return func(b []model.Stmt) model.Stmt {
						return rangeLoop(id("_"), id("k_"), sortedKeys(d.c), prepend(define(v, index(d.c, id("k_"))), b))
					}, true
				}
			}
		}
	}
	seq := t.iterable(t.expr(iter, en))
	st := seq.t.Base()
	if st.Kind == types.List || st.Kind == types.Tuple {
		et := st.Homogeneous()
		if et == nil {
			t.fail(iter, "for", "over a tuple of mixed types")
			return nil, false
		}
		if tup, ok := target.(*syntax.Tuple); ok && len(tup.Elts) == 2 && pairTypes(et) != nil {
			// for name, w in pairs, each a (str, array) tuple: py.Pair.
			pt := pairTypes(et)
			lhs := []model.Expr{bindName(tup.Elts[0], pt[0]), bindName(tup.Elts[1], pt[1])}
			return func(b []model.Stmt) model.Stmt {
				return rangeLoop(id("_"), id("e_"), seq.c, prepend(t.unpackPair(lhs, pt, id("e_")), b))
			}, true
		}
		if tup, ok := target.(*syntax.Tuple); ok {
			// for a, b in pairs: unpack each element.
			var lhs []model.Expr
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
			return func(b []model.Stmt) model.Stmt {
				return rangeLoop(id("_"), id("e_"), seq.c,
					prepend(&model.Define{Lhs: lhs, Rhs: exprs(call(t.qual("py", fn), id("e_")))}, b))
			}, true
		}
		v := bindName(target, et)
		if isBlank(v) {
			return func(b []model.Stmt) model.Stmt { return rangeLoop(nil, nil, seq.c, b) }, true
		}
		return func(b []model.Stmt) model.Stmt { return rangeLoop(id("_"), v, seq.c, b) }, true
	}
	if tup, ok := target.(*syntax.Tuple); ok && st.Kind == types.Dict && len(tup.Elts) == 2 {
		// for k, v in list(d.items()): the dict's items, keys sorted.
		k := bindName(tup.Elts[0], st.Key)
		v := bindName(tup.Elts[1], st.Elem)
		return func(b []model.Stmt) model.Stmt {
			return rangeLoop(id("_"), k, sortedKeys(seq.c), prepend(define(v, index(seq.c, k)), b))
		}, true
	}
	if st.Kind == types.Dict {
		k := bindName(target, st.Key)
		return func(b []model.Stmt) model.Stmt { return rangeLoop(id("_"), k, sortedKeys(seq.c), b) }, true
	}
	t.fail(n, "for", "over a value of type %s", seq.t)
	return nil, false
}

// zipLoop is `for a, b in zip(xs, ys)` (index is the enumerate index bound
// to the position, or nil).
func (t *translator) zipLoop(tup *syntax.Tuple, c *syntax.Call, en *env, index_ *syntax.Name) (loopHead, bool) {
	if len(tup.Elts) != len(c.Args) {
		t.fail(tup, "zip", "target must unpack every zipped sequence")
		return nil, false
	}
	var seqs []val
	var hoisted []model.Stmt
	for k, a := range c.Args {
		v := t.expr(a, en)
		if w := t.iterable(v); w.c != v.c {
			// An array's rows or a dynamic value's elements, made once
			// before the loop (the loop indexes each sequence per step).
			name := fmt.Sprintf("zip%d_", k)
			hoisted = append(hoisted, define(id(name), w.c))
			v = val{c: id(name), t: w.t, prec: precPrimary}
		}
		seqs = append(seqs, v)
	}
	idx := "i"
	if index_ != nil {
		s := t.sym(index_, en)
		en.vars[s] = types.TInt
		en.goName[s] = names.GoLocal(index_.Id)
		idx = names.GoLocal(index_.Id)
	} else {
		for d := 0; ; d++ {
			if !en.bound(idx) {
				break
			}
			idx = "i" + string(rune('0'+d))
		}
	}
	var lens, lhs, rhs []model.Expr
	var unpack []model.Stmt
	for k, sq := range seqs {
		lens = append(lens, call(id("len"), sq.c))
		et := sq.t.Homogeneous()
		if et == nil {
			et = types.TUnknown
		}
		if inner, ok := tup.Elts[k].(*syntax.Tuple); ok {
			// for a, (k, v) in zip(xs, kvs): the element unpacked by
			// py.UnpackN, as Python's (its length checked).
			fn := map[int]string{2: "Unpack2", 3: "Unpack3", 4: "Unpack4", 5: "Unpack5"}[len(inner.Elts)]
			if et.Homogeneous() == nil || fn == "" {
				t.fail(tup.Elts[k], "zip", "unpacking a %s into %d names", et, len(inner.Elts))
				return nil, false
			}
			var names_ []model.Expr
			used := false
			for _, e := range inner.Elts {
				nm, ok := e.(*syntax.Name)
				if !ok {
					t.fail(e, "zip", "nested targets must be names")
					return nil, false
				}
				s := t.sym(nm, en)
				ty := et.Homogeneous()
				if bt, ok := t.inst.Target[nm]; ok {
					ty = bt
				}
				en.vars[s] = ty
				if nm.Id == "_" || (t.reads != nil && !t.reads[nm.Id]) {
					names_ = append(names_, id("_"))
					continue
				}
				en.goName[s] = names.GoLocal(nm.Id)
				names_ = append(names_, id(names.GoLocal(nm.Id)))
				used = true
			}
			if used {
				unpack = append(unpack, &model.Define{Lhs: names_, Rhs: exprs(call(t.qual("py", fn), index(paren(sq, precPrimary), id(idx))))})
			}
			continue
		}
		nm, ok := tup.Elts[k].(*syntax.Name)
		if !ok {
			t.fail(tup.Elts[k], "zip", "targets must be names")
			return nil, false
		}
		s := t.sym(nm, en)
		if bt, ok := t.inst.Target[nm]; ok {
			et = bt
		}
		en.vars[s] = et
		en.goName[s] = names.GoLocal(nm.Id)
		name := names.GoLocal(nm.Id)
		if nm.Id == "_" || (t.reads != nil && !t.reads[nm.Id]) {
			continue
		}
		lhs = append(lhs, id(name))
		rhs = append(rhs, index(paren(sq, precPrimary), id(idx)))
	}
	bound := lens[0]
	if len(lens) > 1 {
		bound = call(id("min"), lens...)
	}
	return func(b []model.Stmt) model.Stmt {
		b = append(append([]model.Stmt{}, unpack...), b...)
		if len(lhs) > 0 {
			b = prepend(&model.Define{Lhs: lhs, Rhs: rhs}, b)
		}
		loop := rangeLoop(id(idx), nil, bound, b)
		if len(hoisted) > 0 {
			return &model.Block{Body: append(append([]model.Stmt{}, hoisted...), loop)}
		}
		return loop
	}, true
}
