package emit

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// fnCtx is the state of the function being emitted.
type fnCtx struct {
	fn      *funcInfo
	ret     *types.Type
	isInit  bool
	plan    *declPlan
	defined map[string]bool // names declared so far (Go side)
	reads   map[string]bool // names the function reads
	depth   int             // block nesting: 1 is the function body itself
}

// unused reports a local that is assigned but never read.
func (fc *fnCtx) unused(name string) bool {
	return fc != nil && fc.reads != nil && !fc.reads[name]
}

func (t *translator) block(stmts []syntax.Stmt, en *env, fc *fnCtx) []jen.Code {
	fc.depth++
	defer func() { fc.depth-- }()
	var out []jen.Code
	for _, s := range stmts {
		if fc.plan != nil {
			for _, name := range fc.plan.varsBefore[s] {
				if fc.unused(name) {
					continue
				}
				ty, g, _ := en.lookup(name)
				out = append(out, jen.Var().Id(g).Add(t.goType(ty)))
				fc.defined[name] = true
			}
		}
		out = append(out, t.stmt(s, en, fc)...)
	}
	return out
}

func (t *translator) stmt(s syntax.Stmt, en *env, fc *fnCtx) []jen.Code {
	switch x := s.(type) {
	case *syntax.ExprStmt:
		if c, ok := x.X.(*syntax.Call); ok {
			if m := superMethod(c); m != "" {
				return t.inlineSuper(c, m, en, fc)
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
			return []jen.Code{jen.Id("_").Op("=").Add(v.c)}
		}
		return []jen.Code{v.c}
	case *syntax.Assign:
		return t.assign(x, en, fc)
	case *syntax.AnnAssign:
		if x.Value == nil {
			return nil
		}
		return t.assign(&syntax.Assign{At: x.At, Targets: []syntax.Expr{x.Target}, Value: x.Value}, en, fc)
	case *syntax.AugAssign:
		bin := &syntax.BinOp{At: x.At, Op: x.Op, L: x.Target, R: x.Value}
		return t.assign(&syntax.Assign{At: x.At, Targets: []syntax.Expr{x.Target}, Value: bin}, en, fc)
	case *syntax.Return:
		return []jen.Code{t.ret(x, en, fc)}
	case *syntax.If:
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
		body := t.block(x.Body, en, fc)
		st := jen.If(cond.c).Block(body...)
		if len(x.Else) == 1 {
			if elif, ok := x.Else[0].(*syntax.If); ok && (fc.plan == nil || len(fc.plan.varsBefore[elif]) == 0) {
				st = st.Else().Add(t.stmt(elif, en, fc)...)
				return []jen.Code{st}
			}
		}
		if len(x.Else) > 0 {
			st = st.Else().Block(t.block(x.Else, en, fc)...)
		}
		return []jen.Code{st}
	case *syntax.For:
		head, ok := t.forHead(x.Target, x.Iter, en, x)
		if !ok {
			return nil
		}
		return []jen.Code{head(t.block(x.Body, en, fc))}
	case *syntax.While:
		cond := t.truth(x.Cond, en)
		return []jen.Code{jen.For(cond.c).Block(t.block(x.Body, en, fc)...)}
	case *syntax.Assert:
		cond := t.truth(x.Cond, en)
		msg := jen.Code(jen.Lit(assertText(x)))
		if x.Msg != nil {
			m := t.expr(x.Msg, en)
			if m.t.Kind == types.Str {
				msg = m.c
			}
		}
		return []jen.Code{t.qual("py", "Assert").Call(cond.c, msg)}
	case *syntax.Raise:
		kind, msg := "Exception", jen.Code(jen.Lit(""))
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
		return []jen.Code{t.qual("py", "Raise").Call(jen.Lit(kind), jen.Lit("%s"), msg)}
	case *syntax.Pass:
		return nil
	case *syntax.Break:
		return []jen.Code{jen.Break()}
	case *syntax.Continue:
		return []jen.Code{jen.Continue()}
	case *syntax.Delete:
		var out []jen.Code
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
			out = append(out, jen.Delete(d.c, t.expr(sub.Index[0], en).c))
		}
		return out
	case *syntax.FuncDef:
		return t.nestedFunc(x, en, fc)
	}
	t.fail(s, "statement", "%T is not supported", s)
	return nil
}

func assertText(a *syntax.Assert) string {
	return "assertion failed at line " + itoa(a.P.Line)
}

func itoa(i int) string {
	return jen.Lit(i).GoString()
}

// mutatingCall handles statement calls that change a container in place:
// list.append, dict.pop, dict.update.
func (t *translator) mutatingCall(c *syntax.Call, a *syntax.Attribute, en *env) ([]jen.Code, bool) {
	recvExpr := a.X
	switch a.Attr {
	case "append":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind != types.List || len(c.Args) != 1 {
			return nil, false
		}
		v := t.expr(c.Args[0], en)
		if t.dry {
			if u := t.unify(recv.t.Elem, v.t); u != nil && !u.Equal(recv.t.Elem) {
				t.setType(recvExpr, types.ListOf(u), en)
			}
		}
		target := t.lvalue(recvExpr, en)
		return []jen.Code{jen.Add(target).Op("=").Append(recv.c, t.coerce(v, recv.t.Elem, c.Args[0]))}, true
	case "pop":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind != types.Dict || len(c.Args) < 1 {
			return nil, false
		}
		return []jen.Code{jen.Delete(recv.c, t.expr(c.Args[0], en).c)}, true
	case "update":
		recv := t.expr(recvExpr, en)
		if recv.t.Kind != types.Dict || len(c.Args) != 1 {
			return nil, false
		}
		other := t.expr(c.Args[0], en)
		return []jen.Code{t.qual("rt", "Update").Call(recv.c, other.c)}, true
	}
	return nil, false
}

// setType records a refined type for a name or self field during inference.
func (t *translator) setType(e syntax.Expr, ty *types.Type, en *env) {
	switch x := e.(type) {
	case *syntax.Name:
		en.set(x.Id, ty)
	case *syntax.Attribute:
		if n, ok := x.X.(*syntax.Name); ok && n.Id == "self" && en.cls != nil {
			if f, ok := en.cls.byName[x.Attr]; ok {
				f.typ = ty
			}
		}
	}
}

// lvalue is the Go code of an assignment target that is a name or a field.
func (t *translator) lvalue(e syntax.Expr, en *env) jen.Code {
	switch x := e.(type) {
	case *syntax.Name:
		_, g, ok := en.lookup(x.Id)
		if !ok {
			g = local(x.Id)
		}
		return jen.Id(g)
	case *syntax.Attribute:
		return t.expr(x, en).c
	}
	t.fail(e, "assignment target", "not supported")
	return jen.Id("_")
}

func (t *translator) ret(r *syntax.Return, en *env, fc *fnCtx) jen.Code {
	if fc.isInit {
		return jen.Return(jen.Id("self"))
	}
	if r.Value == nil {
		if fc.ret != nil && fc.ret.Kind != types.None && fc.ret.Kind != types.Unknown {
			return jen.Return(t.zero(fc.ret))
		}
		return jen.Return()
	}
	if tup, ok := r.Value.(*syntax.Tuple); ok && !t.dry && fc.ret != nil && fc.ret.Kind == types.Tuple && len(tup.Elts) == len(fc.ret.Elems) {
		var codes []jen.Code
		for i, e := range tup.Elts {
			codes = append(codes, t.coerce(t.expr(e, en), fc.ret.Elems[i], e))
		}
		return jen.Return(codes...)
	}
	if t.dry && fc.fn != nil {
		// Inference: the function's result is the union of what it returns.
		var rt *types.Type
		if tup, ok := r.Value.(*syntax.Tuple); ok {
			var ts []*types.Type
			for _, e := range tup.Elts {
				ts = append(ts, t.expr(e, en).t)
			}
			rt = types.TupleOf(ts...)
		} else {
			rt = t.expr(r.Value, en).t
		}
		if u := t.unify(fc.fn.ret, rt); u != nil {
			fc.fn.ret = u
		}
		return jen.Null()
	}
	t.hint = fc.ret
	v := t.expr(r.Value, en)
	t.hint = nil
	if v.multi > 0 {
		return jen.Return(v.c)
	}
	return jen.Return(t.coerce(v, fc.ret, r.Value))
}

// assign translates assignments, including tuple unpacking, chained targets,
// self fields, and item stores (x[...] = v on arrays, dicts and lists).
func (t *translator) assign(a *syntax.Assign, en *env, fc *fnCtx) []jen.Code {
	var out []jen.Code
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
			f := en.cls.byName[tg.Attr]
			if f == nil {
				f = &fieldInfo{py: tg.Attr, goName: exported(tg.Attr), typ: types.TUnknown, pos: tg.P}
				en.cls.fields = append(en.cls.fields, f)
				en.cls.byName[tg.Attr] = f
			}
			t.hint = f.typ
			v := t.expr(a.Value, en)
			t.hint = nil
			if t.dry {
				if u := t.unify(f.typ, v.t); u != nil {
					f.typ = u
				} else if f.typ.Kind == types.Unknown {
					f.typ = v.t
				}
			}
			return []jen.Code{jen.Id("self").Dot(f.goName).Op("=").Add(t.coerce(v, f.typ, a.Value))}
		}
		recv := t.expr(tg.X, en)
		if recv.t.Kind == types.Class {
			m := t.member(tg, recv, tg.Attr, en)
			v := t.expr(a.Value, en)
			return []jen.Code{jen.Add(m.c).Op("=").Add(t.coerce(v, m.t, a.Value))}
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

func (t *translator) assignName(n *syntax.Name, value syntax.Expr, en *env, fc *fnCtx) []jen.Code {
	if _, ok := en.root().consts[n.Id]; ok && !t.dry {
		return nil // a constant local: its uses read the literal
	}
	prev, g, known := en.lookup(n.Id)
	t.hint = prev
	v := t.expr(value, en)
	t.hint = nil
	if t.dry {
		r := en.root()
		r.assigns[n.Id]++
		if k := v.lit; k != nil && (k.Kind == syntax.ConstInt || k.Kind == syntax.ConstTrue || k.Kind == syntax.ConstFalse) {
			r.lits[n.Id] = k
		} else {
			delete(r.lits, n.Id)
		}
		nt := v.t
		if known {
			u := t.unify(prev, v.t)
			if u != nil && (widensToAny(u, prev) || widensToAny(u, v.t)) && fc != nil && fc.depth == 1 && en.fn != nil && en.vars[n.Id] != nil {
				// weights = tree_unflatten(...): a dict of arrays rebound to a
				// nested dict; keep both precise as two Go variables.
				u = nil
			}
			if u != nil {
				nt = u
			} else if fc != nil && en.fn != nil && en.vars[n.Id] != nil && (fc.depth == 1 || splitsInBlock(en.fn, n)) {
				// Rebound to another type by a statement of the function body
				// itself (offset = mx.array(offset)), or nested where no use of
				// the old value can follow (rebind.go): from here on the name
				// is a new Go variable, as if Python had used a new name.
				t.split(en.fn, n, prev, v.t)
				en.vars[n.Id] = v.t
				en.goName[n.Id] = en.fn.splits[n]
				return nil
			} else {
				t.dry = false
				t.fail(n, "variable "+n.Id, "assigned a %s after a %s; Go needs one type", v.t, prev)
				t.dry = true
				nt = prev
			}
		}
		en.set(n.Id, nt)
		// A parameter that Python rebinds to a wider type (max_val += 0.001)
		// takes that type in Go — unless the name was split off the
		// parameter already (weights = tree_unflatten(weights) made it a new
		// variable, and this rebinding is that variable's).
		if _, g, _ := en.lookup(n.Id); en.fn != nil && g == local(n.Id) {
			for _, p := range en.fn.params {
				if p.py == n.Id && !p.typ.Equal(nt) && types.Unify(p.typ, nt) != nil && types.Unify(p.typ, nt).Equal(nt) {
					p.typ = nt
				}
			}
		}
		return nil
	}
	if !known {
		en.vars[n.Id] = v.t
		g = local(n.Id)
		en.goName[n.Id] = g
	}
	if newName, ok := en.fn.splitAt(n); ok {
		en.vars[n.Id] = v.t
		en.goName[n.Id] = newName
		return []jen.Code{jen.Id(newName).Op(":=").Add(v.c)}
	}
	ty, _, _ := en.lookup(n.Id)
	if fc.unused(n.Id) {
		if v.c == nil {
			return nil
		}
		return []jen.Code{jen.Id("_").Op("=").Add(v.c)}
	}
	if v.multi > 0 {
		t.fail(value, "assignment", "of %d values to one name", v.multi)
		return nil
	}
	if fc != nil && fc.plan != nil && fc.plan.defineAt[n] && !fc.defined[n.Id] {
		fc.defined[n.Id] = true
		if v.t.Equal(ty) || v.t.Kind == types.Unknown {
			return []jen.Code{jen.Id(g).Op(":=").Add(v.c)}
		}
		return []jen.Code{jen.Var().Id(g).Add(t.goType(ty)).Op("=").Add(t.coerce(v, ty, value))}
	}
	return []jen.Code{jen.Id(g).Op("=").Add(t.coerce(v, ty, value))}
}

func (t *translator) assignTuple(tg *syntax.Tuple, value syntax.Expr, en *env, fc *fnCtx) []jen.Code {
	// Element types: from a tuple literal, a multi-value call, or a list.
	var vs []val
	var single val
	if tup, ok := value.(*syntax.Tuple); ok && len(tup.Elts) == len(tg.Elts) {
		for i, e := range tup.Elts {
			// a, b = [], []: each empty literal takes its target's type (as in
			// a single assignment), learnt from the appends that follow.
			if nm, ok := tg.Elts[i].(*syntax.Name); ok {
				t.hint, _, _ = en.lookup(nm.Id)
			}
			vs = append(vs, t.expr(e, en))
			t.hint = nil
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
	var lhs []jen.Code
	allNew := true
	for i, e := range tg.Elts {
		nm, ok := e.(*syntax.Name)
		if !ok {
			t.fail(e, "tuple assignment", "targets must be names")
			return nil
		}
		et := elemType(i)
		if t.dry {
			prev, _, known := en.lookup(nm.Id)
			nt := et
			if known {
				if u := t.unify(prev, et); u != nil {
					nt = u
				}
			}
			en.set(nm.Id, nt)
			continue
		}
		if _, _, known := en.lookup(nm.Id); !known {
			en.vars[nm.Id] = et
			en.goName[nm.Id] = local(nm.Id)
		}
		if nm.Id == "_" || fc.unused(nm.Id) {
			lhs = append(lhs, jen.Id("_"))
			continue
		}
		_, g, _ := en.lookup(nm.Id)
		lhs = append(lhs, jen.Id(g))
		if fc == nil || fc.plan == nil || !fc.plan.defineAt[nm] || fc.defined[nm.Id] {
			allNew = false
		}
	}
	if t.dry {
		return nil
	}
	op := "="
	named := 0
	for _, l := range lhs {
		if l.(*jen.Statement).GoString() != "_" {
			named++
		}
	}
	if named == 0 {
		allNew = false
	}
	var decls []jen.Code
	if !allNew {
		// Some names are new here and some are not: declare the new ones.
		for _, e := range tg.Elts {
			nm := e.(*syntax.Name)
			if nm.Id == "_" || fc.unused(nm.Id) || fc == nil || fc.plan == nil || !fc.plan.defineAt[nm] || fc.defined[nm.Id] {
				continue
			}
			ty, g, _ := en.lookup(nm.Id)
			decls = append(decls, jen.Var().Id(g).Add(t.goType(ty)))
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
		var rhs []jen.Code
		for i, v := range vs {
			ty, _, _ := en.lookup(tg.Elts[i].(*syntax.Name).Id)
			if op == ":=" {
				rhs = append(rhs, v.c)
			} else {
				rhs = append(rhs, t.coerce(v, ty, value))
			}
		}
		return append(decls, jen.List(lhs...).Op(op).List(rhs...))
	}
	if single.multi == len(tg.Elts) {
		return append(decls, jen.List(lhs...).Op(op).Add(single.c))
	}
	st := single.t.Base()
	if st.Kind == types.List || st.Kind == types.Tuple {
		fn := map[int]string{2: "Unpack2", 3: "Unpack3", 4: "Unpack4", 5: "Unpack5"}[len(tg.Elts)]
		if fn == "" {
			t.fail(tg, "tuple assignment", "of %d names", len(tg.Elts))
			return nil
		}
		return append(decls, jen.List(lhs...).Op(op).Add(t.qual("py", fn).Call(single.c)))
	}
	t.fail(value, "tuple assignment", "from a %s", single.t)
	return nil
}

// assignItem translates x[i] = v.
func (t *translator) assignItem(s *syntax.Subscript, value syntax.Expr, en *env) []jen.Code {
	x := t.expr(s.X, en)
	v := t.expr(value, en)
	switch x.t.Base().Kind {
	case types.Array:
		// MLX arrays are values: x[idx] = v rebinds x to the updated array.
		target := t.lvalue(s.X, en)
		args := append([]jen.Code{t.coerce(v, types.TArray, value)}, t.arrayIndex(s.Index, en)...)
		return []jen.Code{jen.Add(target).Op("=").Add(x.c).Dot("SetIndex").Call(args...)}
	case types.Dict:
		if t.dry && x.t.Elem.Kind == types.Unknown {
			t.setType(s.X, types.DictOf(x.t.Key, v.t), en)
		}
		k := t.expr(s.Index[0], en)
		return []jen.Code{jen.Add(x.c).Index(k.c).Op("=").Add(t.coerce(v, x.t.Elem, value))}
	case types.List:
		i := t.expr(s.Index[0], en)
		return []jen.Code{jen.Add(x.c).Index(t.coerce(i, types.TInt, s.Index[0])).Op("=").Add(t.coerce(v, x.t.Elem, value))}
	}
	if t.dry {
		return nil
	}
	t.fail(s, "item assignment", "on a %s", x.t)
	return nil
}

// superMethod returns "__init__" for super().__init__(...), and so on.
func superMethod(c *syntax.Call) string {
	a, ok := c.Func.(*syntax.Attribute)
	if !ok {
		return ""
	}
	inner, ok := a.X.(*syntax.Call)
	if !ok {
		return ""
	}
	if n, ok := inner.Func.(*syntax.Name); ok && n.Id == "super" {
		return a.Attr
	}
	return ""
}

// inlineSuper translates super().__init__(args) (or __post_init__) into the
// base method's body, in a Go block with the base's parameters bound.
func (t *translator) inlineSuper(c *syntax.Call, method string, en *env, fc *fnCtx) []jen.Code {
	if en.cls == nil {
		return nil
	}
	from := en.cls
	if en.superFrom != nil {
		from = en.superFrom
	}
	var base *funcInfo
	if method == "__post_init__" {
		base = from.byMeth["__super_post_init__"]
	} else {
		base, _ = from.superBody(method)
	}
	if base == nil || base.class == from {
		return nil // nn.Module.__init__ and object.__init__ do nothing to translate
	}
	inner := newEnv(en.cls, en.fn, en)
	inner.superFrom = base.class
	var pre []jen.Code
	params := t.params(base.def, true)
	var pnames []string
	req := map[string]bool{}
	for _, p := range params {
		pnames = append(pnames, p.py)
		if p.def == nil {
			req[p.py] = true
		}
	}
	b, ok := t.bind(c, pnames, "", req, "super()."+method)
	if !ok {
		return nil
	}
	for _, p := range params {
		e, given := b.byName[p.py]
		if !given {
			e = p.def
		}
		v := t.expr(e, en)
		ty := p.typ
		if ty.Kind == types.Unknown {
			ty = v.t
		}
		inner.vars[p.py] = ty
		inner.goName[p.py] = local(p.py)
		pre = append(pre, jen.Id(local(p.py)).Op(":=").Add(t.coerce(v, ty, e)))
	}
	prevScope := t.scope
	if base.scope != nil {
		t.scope = base.scope
	}
	defer func() { t.scope = prevScope }()
	// The base body's own locals.
	if t.dry {
		t.block(base.def.Body, inner, &fnCtx{fn: base, isInit: true, defined: map[string]bool{}})
		return nil
	}
	dryInner := newEnv(en.cls, en.fn, inner)
	dryInner.superFrom = base.class
	t.dry = true
	t.block(base.def.Body, dryInner, &fnCtx{fn: base, isInit: true, defined: map[string]bool{}})
	t.dry = false
	for k, v := range dryInner.vars {
		inner.vars[k] = v
	}
	locals := assignedNames(base.def.Body)
	for _, p := range params {
		delete(locals, p.py)
	}
	reads := readNames(base.def.Body)
	for _, p := range params {
		if !reads[p.py] {
			pre = pre[:0]
			break
		}
	}
	sub := &fnCtx{fn: fc.fn, ret: fc.ret, isInit: fc.isInit, plan: planDecls(base.def.Body, locals), defined: map[string]bool{}, reads: reads}
	savedReads := t.reads
	t.reads = reads
	body := t.block(base.def.Body, inner, sub)
	t.reads = savedReads
	if len(body) == 0 && len(pre) == 0 {
		return nil
	}
	return []jen.Code{jen.Comment("super()." + method + "() of " + base.class.name), jen.Block(append(pre, body...)...)}
}

// nestedFunc translates a function defined inside a method (sanitize's
// dequant helper) into a Go closure; its parameter types come from the
// calls in the enclosing body, like a module function's.
func (t *translator) nestedFunc(d *syntax.FuncDef, en *env, fc *fnCtx) []jen.Code {
	key := fmt.Sprintf("%s:%d:%d", d.Name, d.P.Line, d.P.Col)
	fn, ok := t.nested[key]
	if !ok {
		fn = &funcInfo{def: d, goName: local(d.Name), scope: t.scope}
		fn.params = t.params(d, false)
		t.nested[key] = fn
	}
	ft := &types.Type{Kind: types.Func, Name: key}
	en.vars[d.Name] = ft
	en.goName[d.Name] = local(d.Name)
	inner := newEnv(en.cls, fn, en)
	for _, p := range fn.params {
		inner.vars[p.py] = p.typ
		inner.goName[p.py] = local(p.py)
	}
	if t.dry {
		t.block(d.Body, inner, &fnCtx{fn: fn, ret: fn.ret, defined: map[string]bool{}})
		return nil
	}
	dryInner := newEnv(en.cls, fn, en)
	for k, v := range inner.vars {
		dryInner.vars[k] = v
	}
	t.dry = true
	t.block(d.Body, dryInner, &fnCtx{fn: fn, ret: fn.ret, defined: map[string]bool{}})
	t.dry = false
	for k, v := range dryInner.vars {
		if _, isParam := inner.vars[k]; !isParam {
			inner.vars[k] = v
		}
	}
	locals := assignedNames(d.Body)
	for _, p := range fn.params {
		delete(locals, p.py)
	}
	reads := readNames(d.Body)
	sub := &fnCtx{fn: fn, ret: fn.ret, plan: planDecls(d.Body, locals), defined: map[string]bool{}, reads: reads}
	saved := t.reads
	t.reads = reads
	body := t.block(d.Body, inner, sub)
	t.reads = saved
	var params []jen.Code
	for _, p := range fn.params {
		params = append(params, jen.Id(local(p.py)).Add(t.goType(p.typ)))
	}
	var results []jen.Code
	if fn.ret != nil && fn.ret.Kind != types.None && fn.ret.Kind != types.Unknown {
		results = []jen.Code{t.goType(fn.ret)}
	}
	return []jen.Code{jen.Id(local(d.Name)).Op(":=").Func().Params(params...).Params(results...).Block(body...)}
}

// split records that the assignment at n starts a new version of a local.
func (t *translator) split(fn *funcInfo, n *syntax.Name, prev, now *types.Type) {
	if fn.splits == nil {
		fn.splits = map[*syntax.Name]string{}
		fn.firstType = map[string]*types.Type{}
	}
	if _, ok := fn.splits[n]; ok {
		return
	}
	if _, ok := fn.firstType[n.Id]; !ok {
		fn.firstType[n.Id] = prev
	}
	version := 2
	for _, name := range fn.splits {
		if strings.HasPrefix(name, local(n.Id)) {
			version++
		}
	}
	fn.splits[n] = fmt.Sprintf("%s%d", local(n.Id), version)
}

func (fn *funcInfo) splitAt(n *syntax.Name) (string, bool) {
	if fn == nil || fn.splits == nil {
		return "", false
	}
	s, ok := fn.splits[n]
	return s, ok
}

// widensToAny reports whether unifying to u loses the element type of a
// container that the new value v has.
func widensToAny(u, v *types.Type) bool {
	if u.Kind != v.Kind {
		return false
	}
	switch u.Kind {
	case types.Dict, types.List:
		return u.Elem.Kind == types.AnyK && v.Elem.Kind != types.AnyK && v.Elem.Kind != types.Unknown
	}
	return false
}
