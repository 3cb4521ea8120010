package lower

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// fnCtx is the state of the function being emitted.
type fnCtx struct {
	fn      *types.Func
	ret     *types.Type
	isInit  bool
	plan    *declPlan
	defined map[string]bool // names declared so far (Go side)
	reads   map[string]bool // names the function reads
	depth   int             // block nesting: 1 is the function body itself
	try     *tryCtx         // the innermost try body being lowered (lower_try.go)
}

// unused reports a local that is assigned but never read.
func (fc *fnCtx) unused(name string) bool {
	return fc != nil && fc.reads != nil && !fc.reads[name]
}

func (t *translator) block(stmts []syntax.Stmt, en *env, fc *fnCtx) []model.Stmt {
	fc.depth++
	defer func() { fc.depth-- }()
	var out []model.Stmt
	for _, s := range stmts {
		if fc.plan != nil {
			for _, name := range fc.plan.varsBefore[s] {
				if fc.unused(name) {
					continue
				}
				ty, g, _ := en.lookupName(name)
				out = append(out, &model.Var{Name: g, Type: t.goType(ty)})
				fc.defined[name] = true
			}
		}
		out = append(out, t.stmt(s, en, fc)...)
		if types.ExitsHere(s, t.exited) {
			// What follows is dead code (types/dead.go).
			t.exited = true
			return out
		}
	}
	t.exited = false
	return out
}

func exprStmt(x model.Expr) model.Stmt { return &model.ExprStmt{X: x} }

func assign(lhs, rhs model.Expr) model.Stmt { return &model.Assign{Lhs: exprs(lhs), Rhs: exprs(rhs)} }

func (t *translator) stmt(s syntax.Stmt, en *env, fc *fnCtx) []model.Stmt {
	switch x := s.(type) {
	case *syntax.ExprStmt:
		if c, ok := x.X.(*syntax.Call); ok {
			if types.IsFreezeCall(c, en.cls) {
				return nil // types/check_freeze.go: no Go counterpart in inference
			}
			if m := types.SuperMethod(c); m != "" {
				return t.inlineSuper(c, m, en, fc)
			}
			if base, m, call, ok := types.ExplicitBaseCall(c, en.superClass()); ok {
				if base == nil {
					return nil
				}
				return t.inlineBase(c, call, m, base, en, fc)
			}
			if a, ok := c.Func.(*syntax.Attribute); ok {
				if v, ok := t.mutatingCall(c, a, en); ok {
					return v
				}
			}
		}
		v := t.expr(x.X, en)
		if v.c == nil {
			return nil
		}
		if _, isCall := x.X.(*syntax.Call); !isCall {
			t.fail(x, "expression statement", "has no effect")
			return nil
		}
		if v.t.Kind != types.None && v.t.Kind != types.Unknown && v.multi == 0 {
			return []model.Stmt{assign(id("_"), v.c)}
		}
		return []model.Stmt{exprStmt(v.c)}
	case *syntax.Assign:
		return t.assign(x, en, fc)
	case *syntax.AnnAssign:
		if x.Value == nil {
			return nil
		}
		return t.assign(&syntax.Assign{At: x.At, Targets: []syntax.Expr{x.Target}, Value: x.Value}, en, fc)
	case *syntax.AugAssign:
		bin := t.u.AugBinOp(x)
		return t.assign(&syntax.Assign{At: x.At, Targets: []syntax.Expr{x.Target}, Value: bin}, en, fc)
	case *syntax.Return:
		r := t.ret(x, en, fc)
		if rr, ok := r.(*model.Return); ok && fc.try != nil {
			return t.flowOut("Return", fc, rr.Results)
		}
		if out := t.flowOut("Return", fc, nil); out != nil {
			return out
		}
		return []model.Stmt{r}
	case *syntax.If:
		if ok, isTry := x.Cond.(*syntax.TryOK); isTry {
			return t.tryStmt(x, ok, en, fc)
		}
		cond := t.truth(x.Cond, en)
		if k, ok := constBool(cond); ok {
			// A condition known at translation time (hasattr on the
			// dataclass, self.training): only the branch Python would run is
			// translated, as statements of the enclosing block.
			fc.depth--
			defer func() { fc.depth++ }()
			if k {
				return t.block(x.Body, en, fc)
			}
			return t.block(x.Else, en, fc)
		}
		defer func() { t.exited = false }() // an exit inside a branch Python may not take
		vars := t.branchSplitVars(x, en)
		st := &model.If{Cond: cond.c, Then: t.block(x.Body, en, fc)}
		if vars != nil {
			defer func() { t.exited = false }()
			if len(x.Else) > 0 {
				st.Else = t.block(x.Else, en, fc)
			}
			return append(vars, st)
		}
		if len(x.Else) == 1 {
			if elif, ok := x.Else[0].(*syntax.If); ok && (fc.plan == nil || len(fc.plan.varsBefore[elif]) == 0) {
				st.Else = t.stmt(elif, en, fc)
				if len(st.Else) == 1 {
					_, st.ElseIf = st.Else[0].(*model.If)
				}
				return []model.Stmt{st}
			}
		}
		if len(x.Else) > 0 {
			st.Else = t.block(x.Else, en, fc)
		}
		return []model.Stmt{st}
	case *syntax.For:
		head, ok := t.forHead(x.Target, x.Iter, en, x)
		if !ok {
			return nil
		}
		return []model.Stmt{head(t.loopBody(x.Body, en, fc))}
	case *syntax.While:
		cond := t.truth(x.Cond, en)
		return []model.Stmt{&model.For{Cond: cond.c, Body: t.loopBody(x.Body, en, fc)}}
	case *syntax.Assert:
		cond := t.truth(x.Cond, en)
		msg := model.Expr(lit(assertText(x)))
		if x.Msg != nil {
			m := t.expr(x.Msg, en)
			if m.t.Kind == types.Str {
				msg = m.c
			}
		}
		return []model.Stmt{exprStmt(call(t.qual("py", "Assert"), cond.c, msg))}
	case *syntax.Raise:
		kind, msg := "Exception", model.Expr(lit(""))
		if c, ok := x.Exc.(*syntax.Call); ok {
			if n, ok := c.Func.(*syntax.Name); ok {
				kind = n.Id
			}
			if len(c.Args) > 0 {
				m := t.expr(c.Args[0], en)
				if m.t.Kind == types.Str {
					msg = m.c
				}
			}
		}
		return []model.Stmt{exprStmt(call(t.qual("py", "Raise"), lit(kind), lit("%s"), msg))}
	case *syntax.Pass:
		return nil
	case *syntax.Break:
		if out := t.flowOut("Break", fc, nil); out != nil {
			return out
		}
		return []model.Stmt{&model.Break{}}
	case *syntax.Continue:
		if out := t.flowOut("Continue", fc, nil); out != nil {
			return out
		}
		return []model.Stmt{&model.Continue{}}
	case *syntax.Delete:
		var out []model.Stmt
		for _, target := range x.Targets {
			sub, ok := target.(*syntax.Subscript)
			if !ok {
				t.fail(target, "del", "only del d[k] is supported")
				continue
			}
			d := t.expr(sub.X, en)
			if d.t.Kind != types.Dict {
				t.fail(target, "del", "of a %s item", d.t)
				continue
			}
			out = append(out, exprStmt(call(id("delete"), d.c, t.expr(sub.Index[0], en).c)))
		}
		return out
	case *syntax.FuncDef:
		return t.nestedFunc(x, en, fc)
	}
	t.fail(s, "statement", "%T is not supported", s)
	return nil
}

func assertText(a *syntax.Assert) string {
	return "assertion failed at line " + strconv.Itoa(a.P.Line)
}

// mutatingCall handles statement calls that change a container in place:
// list.append, dict.pop, dict.update, and Module.pop("child").
func (t *translator) mutatingCall(c *syntax.Call, a *syntax.Attribute, en *env) ([]model.Stmt, bool) {
	recvExpr := a.X
	switch a.Attr {
	case "append":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind != types.List || len(c.Args) != 1 {
			return nil, false
		}
		v := t.expr(c.Args[0], en)
		target := t.lvalue(recvExpr, en)
		return []model.Stmt{assign(target, call(id("append"), recv.c, t.coerce(v, recv.t.Elem, c.Args[0])))}, true
	case "extend":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind != types.List || len(c.Args) != 1 {
			return nil, false
		}
		v := t.expr(c.Args[0], en)
		if v.t.Homogeneous() == nil {
			return nil, false
		}
		// list.extend(xs): the elements appended in order (xs evaluated once).
		target := t.lvalue(recvExpr, en)
		return []model.Stmt{assign(target, call(id("append"), recv.c, &model.Spread{X: t.coerce(v, types.ListOf(recv.t.Elem), c.Args[0])}))}, true
	case "pop":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind == types.AnyK && (len(c.Args) == 1 || len(c.Args) == 2) {
			k := t.coerce(t.expr(c.Args[0], en), types.TStr, c.Args[0])
			args := []model.Expr{recv.c, k, lit(len(c.Args) == 2)}
			return []model.Stmt{exprStmt(call(t.qual("py", "AnyPop"), args...))}, true
		}
		if recv.t.Kind == types.ClassK && len(c.Args) == 1 {
			// Module.pop("name") drops a child module (and its parameters).
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				if fi, ok := t.u.ByClass[recv.t.Name].ByName[s.Value]; ok {
					return []model.Stmt{assign(sel(paren(recv, precPrimary), fi.Go), t.zero(fi.Type))}, true
				}
			}
		}
		if recv.t.Kind != types.Dict || len(c.Args) < 1 {
			return nil, false
		}
		return []model.Stmt{exprStmt(call(id("delete"), recv.c, t.expr(c.Args[0], en).c))}, true
	case "update":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind != types.Dict || len(c.Args) != 1 {
			return nil, false
		}
		other := t.expr(c.Args[0], en)
		if other.t.Kind == types.List && pairTypes(other.t.Elem) != nil {
			// d.update([(k, v), ...]): each pair stored (py.UpdatePairs).
			return []model.Stmt{exprStmt(call(t.qual("py", "UpdatePairs"), recv.c, other.c))}, true
		}
		// d.update(other) with other of no static type (merged.update(
		// params["text_config"]), muse_glimmer): converted to d's dict type
		// as any other value given where that type is expected.
		return []model.Stmt{exprStmt(call(t.qual("maps", "Copy"), recv.c, t.coerce(other, recv.t, c.Args[0])))}, true
	}
	return nil, false
}

// lvalue is the Go code of an assignment target that is a name or a field.
func (t *translator) lvalue(e syntax.Expr, en *env) model.Expr {
	switch x := e.(type) {
	case *syntax.Name:
		_, g, ok := en.lookup(t.sym(x, en))
		if !ok {
			g = names.GoLocal(x.Id)
		}
		return id(g)
	case *syntax.Attribute:
		return t.expr(x, en).c
	}
	t.fail(e, "assignment target", "not supported")
	return id("_")
}

func (t *translator) ret(r *syntax.Return, en *env, fc *fnCtx) model.Stmt {
	if fc.isInit {
		return ret(id("self"))
	}
	if r.Value == nil {
		if fc.ret != nil && fc.ret.Kind != types.None && fc.ret.Kind != types.Unknown {
			return ret(t.zero(fc.ret))
		}
		return ret()
	}
	if tup, ok := r.Value.(*syntax.Tuple); ok && fc.ret != nil && fc.ret.Kind == types.Tuple && len(tup.Elts) == len(fc.ret.Elems) {
		var codes []model.Expr
		for i, e := range tup.Elts {
			codes = append(codes, t.coerce(t.expr(e, en), fc.ret.Elems[i], e))
		}
		return ret(codes...)
	}
	v := t.expr(r.Value, en)
	if v.multi > 0 {
		return ret(v.c)
	}
	return ret(t.coerce(v, fc.ret, r.Value))
}

// assign translates assignments, including tuple unpacking, chained targets,
// self fields, and item stores (x[...] = v on arrays, dicts and lists).
func (t *translator) assign(a *syntax.Assign, en *env, fc *fnCtx) []model.Stmt {
	var out []model.Stmt
	if len(a.Targets) > 1 {
		// a = b = v: evaluate v once, then assign left to right.
		first := a.Targets[len(a.Targets)-1]
		out = append(out, t.assign(&syntax.Assign{At: a.At, Targets: []syntax.Expr{first}, Value: a.Value}, en, fc)...)
		for i := len(a.Targets) - 2; i >= 0; i-- {
			out = append(out, t.assign(&syntax.Assign{At: a.At, Targets: []syntax.Expr{a.Targets[i]}, Value: first}, en, fc)...)
		}
		return out
	}
	target := a.Targets[0]
	switch tg := target.(type) {
	case *syntax.Name:
		return t.assignName(tg, a.Value, en, fc)
	case *syntax.Attribute:
		if n, ok := tg.X.(*syntax.Name); ok && n.Id == "self" && en.cls != nil {
			f := en.cls.ByName[tg.Attr]
			if f == nil {
				t.fail(tg, "internal", "field %s.%s not typed by the checker", en.cls.Name, tg.Attr)
				return nil
			}
			v := t.expr(a.Value, en)
			return []model.Stmt{assign(sel(id("self"), f.Go), t.coerce(v, f.Type, a.Value))}
		}
		recv := t.expr(tg.X, en)
		if recv.t.Kind == types.ClassK {
			m := t.member(tg, recv, tg.Attr, en)
			v := t.expr(a.Value, en)
			return []model.Stmt{assign(m.c, t.coerce(v, m.t, a.Value))}
		}
		if recv.t.Kind == types.Ext {
			// A settable attribute of a table type (a SwitchLinear's bias).
			if et := t.tab.Types[recv.t.Name]; et != nil && et.Attrs[tg.Attr].Set != "" {
				at := et.Attrs[tg.Attr]
				v := t.coerce(t.expr(a.Value, en), t.tab.ParseTypeName(at.Type), a.Value)
				return []model.Stmt{exprStmt(t.render(at.Set, map[string]model.Expr{"self": paren(recv, precPrimary), "value": v}, nil))}
			}
		}
		t.fail(tg, "assignment", "to an attribute of a %s", recv.t)
		return nil
	case *syntax.Subscript:
		return t.assignItem(tg, a.Value, en)
	case *syntax.Tuple:
		return t.assignTuple(tg, a.Value, en, fc)
	}
	t.fail(target, "assignment target", "%T", target)
	return nil
}

func (t *translator) assignName(n *syntax.Name, value syntax.Expr, en *env, fc *fnCtx) []model.Stmt {
	s := t.sym(n, en)
	if _, ok := en.root().consts[s]; ok {
		return nil // a constant local: its uses read the literal
	}
	_, g, known := en.lookup(s)
	v := t.expr(value, en)
	if !known {
		en.vars[s] = v.t
		g = names.GoLocal(n.Id)
		en.goName[s] = g
	}
	if newName, ok := en.fn.SplitAt(n); ok {
		en.vars[s] = v.t
		en.goName[s] = newName
		if en.fn.BranchSplit(n) {
			// Declared before the if (branchSplitVars).
			return []model.Stmt{assign(id(newName), v.c)}
		}
		return []model.Stmt{define(id(newName), v.c)}
	}
	ty, _, _ := en.lookup(s)
	if rt, ok := t.inst.Target[n]; ok && !rt.Equal(ty) {
		t.fail(n, "internal", "variable %s lowered as %s, checked as %s", n.Id, ty, rt)
	}
	if fc.unused(n.Id) {
		if v.c == nil {
			return nil
		}
		return []model.Stmt{assign(id("_"), v.c)}
	}
	if v.multi > 0 {
		t.fail(value, "assignment", "of %d values to one name", v.multi)
		return nil
	}
	target := &model.Ident{Typed: model.Typed{T: ty}, Name: g}
	if fc != nil && fc.plan != nil && fc.plan.defineAt[n] && !fc.defined[n.Id] {
		fc.defined[n.Id] = true
		if v.t.Equal(ty) || v.t.Kind == types.Unknown {
			return []model.Stmt{define(target, v.c)}
		}
		return []model.Stmt{&model.Var{Name: g, Type: t.goType(ty), Value: t.coerce(v, ty, value)}}
	}
	return []model.Stmt{assign(target, t.coerce(v, ty, value))}
}

func (t *translator) assignTuple(tg *syntax.Tuple, value syntax.Expr, en *env, fc *fnCtx) []model.Stmt {
	if out, ok := t.constTupleAssign(tg, value, en, fc); ok {
		return out // lower_tuplelits.go
	}
	// Element types: from a tuple literal, a multi-value call, or a list.
	var vs []val
	var single val
	if tup, ok := value.(*syntax.Tuple); ok && len(tup.Elts) == len(tg.Elts) {
		for _, e := range tup.Elts {
			vs = append(vs, t.expr(e, en))
		}
	} else {
		single = t.expr(value, en)
	}
	elemType := func(i int) *types.Type {
		if vs != nil {
			return vs[i].t
		}
		st := single.t.Base()
		if st.Kind == types.Tuple && i < len(st.Elems) {
			return st.Elems[i]
		}
		if h := st.Homogeneous(); h != nil {
			return h
		}
		return types.TUnknown
	}
	var lhs []model.Expr
	allNew := true
	for i, e := range tg.Elts {
		nm, ok := e.(*syntax.Name)
		if !ok {
			t.fail(e, "tuple assignment", "targets must be names")
			return nil
		}
		et := elemType(i)
		s := t.sym(nm, en)
		if _, _, known := en.lookup(s); !known {
			en.vars[s] = et
			en.goName[s] = names.GoLocal(nm.Id)
		}
		if nm.Id == "_" || fc.unused(nm.Id) {
			lhs = append(lhs, id("_"))
			continue
		}
		_, g, _ := en.lookup(s)
		lhs = append(lhs, id(g))
		if fc == nil || fc.plan == nil || !fc.plan.defineAt[nm] || fc.defined[nm.Id] {
			allNew = false
		}
	}
	op := "="
	named := 0
	for _, l := range lhs {
		if !isBlank(l) {
			named++
		}
	}
	if named == 0 {
		allNew = false
	}
	var decls []model.Stmt
	if !allNew {
		// Some names are new here and some are not: declare the new ones.
		for _, e := range tg.Elts {
			nm := e.(*syntax.Name)
			if nm.Id == "_" || fc.unused(nm.Id) || fc == nil || fc.plan == nil || !fc.plan.defineAt[nm] || fc.defined[nm.Id] {
				continue
			}
			ty, g, _ := en.lookup(t.sym(nm, en))
			decls = append(decls, &model.Var{Name: g, Type: t.goType(ty)})
			fc.defined[nm.Id] = true
		}
	}
	if allNew {
		op = ":="
		for _, e := range tg.Elts {
			fc.defined[e.(*syntax.Name).Id] = true
		}
	}
	if vs != nil {
		var rhs []model.Expr
		for i, v := range vs {
			ty, _, _ := en.lookup(t.sym(tg.Elts[i].(*syntax.Name), en))
			if op == ":=" {
				rhs = append(rhs, v.c)
			} else {
				rhs = append(rhs, t.coerce(v, ty, value))
			}
		}
		return append(decls, tupleAssign(op, lhs, rhs...))
	}
	if single.multi == len(tg.Elts) {
		return append(decls, tupleAssign(op, lhs, single.c))
	}
	st := single.t.Base()
	if st.Kind == types.List || st.Kind == types.Tuple {
		fn := map[int]string{2: "Unpack2", 3: "Unpack3", 4: "Unpack4", 5: "Unpack5"}[len(tg.Elts)]
		if fn == "" {
			t.fail(tg, "tuple assignment", "of %d names", len(tg.Elts))
			return nil
		}
		if c := t.unpackTyped(tg, single, en); c != nil {
			return append(decls, tupleAssign(op, lhs, c))
		}
		return append(decls, tupleAssign(op, lhs, call(t.qual("py", fn), single.c)))
	}
	if t.tab.ExtItem(st, false) != nil {
		// a, b, c, d = cache: the entries of an ArraysCache / CacheList.
		fn := map[int]string{2: "Unpack2", 3: "Unpack3", 4: "Unpack4", 5: "Unpack5"}[len(tg.Elts)]
		var same *types.Type
		for i, e := range tg.Elts {
			ty, _, _ := en.lookup(t.sym(e.(*syntax.Name), en))
			if i == 0 {
				same = ty
			} else if same != nil && !same.Equal(ty) {
				same = nil
			}
		}
		if fn != "" && same != nil {
			slots := call(t.qual("py", "CacheSlots"), single.c, lit(len(tg.Elts)))
			if !types.IsSlot(same) {
				// The locals are arrays (or caches): read each entry as one.
				slots = typeCall(t.qual("py", "CacheSlotsOf"), t.goType(same), single.c, lit(len(tg.Elts)))
			}
			return append(decls, tupleAssign(op, lhs, call(t.qual("py", fn), slots)))
		}
	}
	t.fail(value, "tuple assignment", "from a %s", single.t)
	return nil
}

// assignItem translates x[i] = v.
func (t *translator) assignItem(s *syntax.Subscript, value syntax.Expr, en *env) []model.Stmt {
	x := t.expr(s.X, en)
	v := t.expr(value, en)
	switch x.t.Base().Kind {
	case types.Array:
		// MLX arrays are values: x[idx] = v rebinds x to the updated array.
		target := t.lvalue(s.X, en)
		args := append([]model.Expr{t.coerce(v, types.TArray, value)}, t.arrayIndex(s.Index, en)...)
		return []model.Stmt{assign(target, call(sel(x.c, "SetIndex"), args...))}
	case types.Dict:
		k := t.dictKey(s.Index[0], x.t.Base().Key, en) // lower_dictkey.go
		return []model.Stmt{assign(index(x.c, k), t.coerce(v, x.t.Elem, value))}
	case types.List:
		i := t.expr(s.Index[0], en)
		if st, ok := t.assignNegativeItem(s, x, i, v, value); ok {
			return st
		}
		return []model.Stmt{assign(index(x.c, t.coerce(i, types.TInt, s.Index[0])), t.coerce(v, x.t.Elem, value))}
	case types.Ext:
		if st, ok := t.extAssignItem(s, x, value, en); ok {
			return st
		}
	}
	t.fail(s, "item assignment", "on a %s", x.t)
	return nil
}

// inlineSuper translates super().__init__(args) (or __post_init__) into the
// base method's body, in a Go block with the base's parameters bound.
func (t *translator) inlineSuper(c *syntax.Call, method string, en *env, fc *fnCtx) []model.Stmt {
	if en.cls == nil {
		return nil
	}
	from := en.cls
	if en.superFrom != nil {
		from = en.superFrom
	}
	var base *types.Func
	if method == "__post_init__" {
		base = from.ByMeth["__super_post_init__"]
	} else {
		base, _ = from.SuperBody(method)
	}
	if base == nil || base.Class == from {
		return nil // nn.Module.__init__ and object.__init__ do nothing to translate
	}
	return t.inlineBase(c, c, method, base, en, fc)
}

// inlineBase translates a base class's method body called from a method of a
// derived class (super().__init__(...), or Base.__init__(self, ...) given as
// call without self; key is the call as the checker recorded it).
func (t *translator) inlineBase(key, c *syntax.Call, method string, base *types.Func, en *env, fc *fnCtx) []model.Stmt {
	sub := t.inst.Supers[key]
	if sub == nil {
		t.fail(c, "internal", "super().%s not checked", method)
		return nil
	}
	inner := newEnv(en.cls, en.fn, en)
	inner.superFrom = base.Class
	var pre []model.Stmt
	params := sub.Params
	var pnames []string
	req := map[string]bool{}
	for _, p := range params {
		pnames = append(pnames, p.Py)
		if p.Def == nil {
			req[p.Py] = true
		}
	}
	b, ok := t.bind(c, pnames, "", req, "super()."+method)
	if !ok {
		return nil
	}
	for _, p := range params {
		e, given := b.ByName[p.Py]
		if !given {
			e = p.Def
		}
		v := t.expr(e, en)
		s := t.u.ParamSymbol(base.Def, base.Scope, p.Py)
		inner.vars[s] = p.Type
		inner.goName[s] = names.GoLocal(p.Py)
		pre = append(pre, define(id(names.GoLocal(p.Py)), t.coerce(v, p.Type, e)))
	}
	prevScope := t.scope
	if base.Scope != nil {
		t.scope = base.Scope
	}
	defer func() { t.scope = prevScope }()
	for s, ty := range sub.Init {
		inner.vars[s] = ty
	}
	locals := syntax.AssignedNames(base.Def.Body)
	for _, p := range params {
		delete(locals, p.Py)
	}
	reads := readNames(base.Def.Body)
	// A parameter the base's body never reads gets no Go variable (it
	// would not compile); the others keep theirs. (Dropping all of them
	// when one was unread left the rest undefined.)
	kept := pre[:0]
	for i, p := range params {
		if reads[p.Py] {
			kept = append(kept, pre[i])
		}
	}
	pre = kept
	subfc := &fnCtx{fn: fc.fn, ret: fc.ret, isInit: fc.isInit, plan: planDecls(base.Def.Body, locals), defined: map[string]bool{}, reads: reads}
	savedReads, savedInst := t.reads, t.inst
	t.reads, t.inst = reads, sub
	body := t.block(base.Def.Body, inner, subfc)
	t.reads, t.inst = savedReads, savedInst
	if len(body) == 0 && len(pre) == 0 {
		return nil
	}
	return []model.Stmt{&model.CommentSt{Text: "super()." + method + "() of " + base.Class.Name}, &model.Block{Body: append(pre, body...)}}
}

// nestedFunc translates a function defined inside a method (sanitize's
// dequant helper) into a Go closure.
func (t *translator) nestedFunc(d *syntax.FuncDef, en *env, fc *fnCtx) []model.Stmt {
	fn := t.u.Nested[types.NestedKey(d)]
	sub := t.inst.Nested[d]
	if fn == nil || sub == nil {
		t.fail(d, "internal", "nested function %s not checked", d.Name)
		return nil
	}
	self := t.u.DefSymbol(t.scope, d)
	en.vars[self] = &types.Type{Kind: types.FuncK, Name: types.NestedKey(d)}
	goName := t.nestedGoName(d, fc)
	en.goName[self] = goName
	inner := newEnv(en.cls, fn, en)
	for s, ty := range sub.Init {
		inner.vars[s] = ty
	}
	locals := syntax.AssignedNames(d.Body)
	for _, p := range fn.Params {
		delete(locals, p.Py)
	}
	reads := readNamesLive(d.Body, foldWith(sub))
	subfc := &fnCtx{fn: fn, ret: fn.Ret, plan: planDecls(d.Body, locals), defined: map[string]bool{}, reads: reads}
	savedReads, savedInst := t.reads, t.inst
	t.reads, t.inst = reads, sub
	body := t.block(d.Body, inner, subfc)
	t.reads, t.inst = savedReads, savedInst
	var params []*model.Param
	for _, p := range fn.Params {
		params = append(params, &model.Param{Name: names.GoLocal(p.Py), Type: t.goType(p.Type)})
	}
	var results []model.Type
	switch {
	case fn.Ret == nil || fn.Ret.Kind == types.None || fn.Ret.Kind == types.Unknown:
	case fn.Ret.Kind == types.Tuple:
		// A tuple result is several Go results, as for module functions
		// (calls of it are multi-valued).
		for _, e := range fn.Ret.Elems {
			results = append(results, t.goType(e))
		}
	default:
		results = []model.Type{t.goType(fn.Ret)}
	}
	def := define(id(goName), &model.FuncLit{Params: params, Results: results, Body: body})
	if note := nestedCompiledNote(fn); note != "" {
		return []model.Stmt{&model.CommentSt{Text: d.Name + ":" + note}, def}
	}
	return []model.Stmt{def}
}

// tupleAssign is lhs... := rhs or lhs... = rhs.
func tupleAssign(op string, lhs []model.Expr, rhs ...model.Expr) model.Stmt {
	if op == ":=" {
		return &model.Define{Lhs: lhs, Rhs: rhs}
	}
	return &model.Assign{Lhs: lhs, Rhs: rhs}
}
