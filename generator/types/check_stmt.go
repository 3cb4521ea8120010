package types

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// AugBinOp is the binary operation x op= v stands for (one node per
// statement, shared by the phases).
func (u *Unit) AugBinOp(x *syntax.AugAssign) *syntax.BinOp {
	if u.augs == nil {
		u.augs = map[*syntax.AugAssign]*syntax.BinOp{}
	}
	if b, ok := u.augs[x]; ok {
		return b
	}
	b := &syntax.BinOp{At: x.At, Op: x.Op, L: x.Target, R: x.Value}
	u.augs[x] = b
	return b
}

func (t *checker) block(stmts []syntax.Stmt, en *env, fc *fnCtx) {
	fc.depth++
	defer func() { fc.depth-- }()
	for _, s := range stmts {
		t.stmt(s, en, fc)
		if ExitsHere(s, t.exited) {
			// What follows is dead code (dead.go).
			t.exited = true
			return
		}
	}
	t.exited = false
}

func (t *checker) stmt(s syntax.Stmt, en *env, fc *fnCtx) {
	switch x := s.(type) {
	case *syntax.ExprStmt:
		if c, ok := x.X.(*syntax.Call); ok {
			if IsFreezeCall(c, en.cls) {
				return // check_freeze.go
			}
			if m := SuperMethod(c); m != "" {
				t.inlineSuper(c, m, en, fc)
				return
			}
			if base, m, call, ok := ExplicitBaseCall(c, en.superClass()); ok {
				if base != nil {
					t.inlineBase(c, call, m, base, en, fc)
				}
				return
			}
			if a, ok := c.Func.(*syntax.Attribute); ok {
				if t.mutatingCall(c, a, en) {
					return
				}
			}
		}
		t.expr(x.X, en)
	case *syntax.Assign:
		t.assign(x.Targets, x.Value, en, fc)
	case *syntax.AnnAssign:
		if x.Value != nil {
			t.assign([]syntax.Expr{x.Target}, x.Value, en, fc)
		}
	case *syntax.AugAssign:
		t.assign([]syntax.Expr{x.Target}, t.u.AugBinOp(x), en, fc)
	case *syntax.Return:
		t.ret(x, en, fc)
	case *syntax.If:
		before := t.facts
		cond := t.truth(x.Cond, en)
		if k, ok := ConstBool(cond); ok {
			// Known: only the branch Python would run, as statements of the
			// enclosing block.
			fc.depth--
			defer func() { fc.depth++ }()
			if k {
				t.block(x.Body, en, fc)
			} else {
				t.block(x.Else, en, fc)
			}
			return
		}
		whenTrue, whenFalse := condFacts(x.Cond)
		t.facts = union(before, whenTrue)
		t.block(x.Body, en, fc)
		endThen := t.facts
		t.facts = union(before, whenFalse)
		if elif, ok := soleIf(x.Else); ok {
			t.stmt(elif, en, fc)
		} else if len(x.Else) > 0 {
			t.block(x.Else, en, fc)
		}
		endElse := t.facts
		t.exited = false // an exit inside a branch Python may not take
		// After the if: what both branches that fall through know.
		switch termThen, termElse := terminates(x.Body), terminates(x.Else); {
		case termThen && termElse:
			t.facts = before
		case termThen:
			t.facts = endElse
		case termElse:
			t.facts = endThen
		default:
			t.facts = intersect(t.unionFacts(endThen, en), t.unionFacts(endElse, en))
		}
	case *syntax.For:
		t.forget(append(assignedPaths(x.Body), assignedPaths([]syntax.Stmt{&syntax.Assign{Targets: []syntax.Expr{x.Target}}})...))
		if !t.forHead(x.Target, x.Iter, en) {
			return
		}
		saved := t.facts.copy()
		t.block(x.Body, en, fc)
		t.facts = saved
	case *syntax.While:
		t.forget(assignedPaths(x.Body))
		saved := t.facts.copy()
		t.truth(x.Cond, en)
		whenTrue, _ := condFacts(x.Cond)
		t.facts = union(saved, whenTrue)
		t.block(x.Body, en, fc)
		t.facts = saved
	case *syntax.Assert:
		t.truth(x.Cond, en)
		if x.Msg != nil {
			t.expr(x.Msg, en)
		}
		// Past `assert c`, c holds (a failed assert raises): `assert
		// args.n is not None` narrows args.n for the rest of the body.
		whenTrue, _ := condFacts(x.Cond)
		t.facts = union(t.facts, whenTrue)
	case *syntax.Raise:
		if c, ok := x.Exc.(*syntax.Call); ok && len(c.Args) > 0 {
			t.expr(c.Args[0], en)
		}
	case *syntax.Delete:
		for _, target := range x.Targets {
			sub, ok := target.(*syntax.Subscript)
			if !ok {
				continue
			}
			if d := t.expr(sub.X, en); d.T.Kind == Dict {
				t.expr(sub.Index[0], en)
			}
		}
	case *syntax.FuncDef:
		t.nestedFunc(x, en)
	}
}

// soleIf is an else branch that is one if statement (an elif).
func soleIf(b []syntax.Stmt) (*syntax.If, bool) {
	if len(b) == 1 {
		elif, ok := b[0].(*syntax.If)
		return elif, ok
	}
	return nil, false
}

// forget drops the facts about paths (a loop's body may assign them).
func (t *checker) forget(paths []string) {
	t.facts = t.facts.copy()
	for _, p := range paths {
		t.facts.kill(p)
	}
}

// mutatingCall checks statement calls that change a container in place:
// list.append, dict.pop, dict.update.
func (t *checker) mutatingCall(c *syntax.Call, a *syntax.Attribute, en *env) bool {
	switch a.Attr {
	case "append":
		recv := t.expr(a.X, en)
		if recv.T.Kind != List || len(c.Args) != 1 {
			return false
		}
		v := t.expr(c.Args[0], en)
		if t.learn {
			if un := t.unify(recv.T.Elem, v.T); un != nil && !un.Equal(recv.T.Elem) {
				t.setType(a.X, ListOf(un), en)
			}
		}
		t.lvalue(a.X, en)
		return true
	case "extend":
		recv := t.expr(a.X, en)
		if recv.T.Kind != List || len(c.Args) != 1 {
			return false
		}
		v := t.expr(c.Args[0], en)
		h := v.T.Homogeneous()
		if h == nil {
			return false
		}
		if t.learn {
			if un := t.unify(recv.T.Elem, h); un != nil && !un.Equal(recv.T.Elem) {
				t.setType(a.X, ListOf(un), en)
			}
		}
		t.lvalue(a.X, en)
		return true
	case "pop":
		recv := t.expr(a.X, en)
		if recv.T.Kind == AnyK && (len(c.Args) == 1 || len(c.Args) == 2) {
			// d.pop(k[, default]) on a nested dict of no static type
			// (tree_unflatten's subtrees): py.AnyPop.
			for _, x := range c.Args {
				t.expr(x, en)
			}
			return true
		}
		if recv.T.Kind != Dict || len(c.Args) < 1 {
			return false
		}
		t.expr(c.Args[0], en)
		return true
	case "update":
		recv := t.expr(a.X, en)
		if recv.T.Kind != Dict || len(c.Args) != 1 {
			return false
		}
		t.expr(c.Args[0], en)
		return true
	}
	return false
}

// setType records a refined type for a name or self field during inference.
func (t *checker) setType(e syntax.Expr, ty *Type, en *env) {
	switch x := e.(type) {
	case *syntax.Name:
		en.set(t.sym(x, en), ty)
	case *syntax.Attribute:
		if n, ok := x.X.(*syntax.Name); ok && n.Id == "self" && en.cls != nil {
			if f, ok := en.cls.ByName[x.Attr]; ok && !t.frozen {
				f.Type = ty
			}
		}
	}
}

// lvalue checks an assignment target that is a name or a field.
func (t *checker) lvalue(e syntax.Expr, en *env) {
	if x, ok := e.(*syntax.Attribute); ok {
		t.expr(x, en)
	}
}

func (t *checker) ret(r *syntax.Return, en *env, fc *fnCtx) {
	if fc.isInit || r.Value == nil {
		return
	}
	if tup, ok := r.Value.(*syntax.Tuple); ok && !t.learn && fc.ret != nil && fc.ret.Kind == Tuple && len(tup.Elts) == len(fc.ret.Elems) {
		for _, e := range tup.Elts {
			t.expr(e, en)
		}
		return
	}
	if t.learn && fc.fn != nil {
		// Inference: the function's result is the union of what it returns.
		var rt *Type
		if tup, ok := r.Value.(*syntax.Tuple); ok {
			var ts []*Type
			for _, e := range tup.Elts {
				ts = append(ts, t.expr(e, en).T)
			}
			rt = TupleOf(ts...)
		} else {
			rt = t.expr(r.Value, en).T
		}
		if un := t.unify(fc.fn.Ret, rt); un != nil && !t.frozen {
			fc.fn.Ret = un
		}
		return
	}
	t.hint = fc.ret
	t.expr(r.Value, en)
	t.hint = nil
}

// assign checks assignments, including tuple unpacking, chained targets,
// self fields, and item stores.
func (t *checker) assign(targets []syntax.Expr, value syntax.Expr, en *env, fc *fnCtx) {
	if len(targets) > 1 {
		// a = b = v: evaluate v once, then assign left to right.
		first := targets[len(targets)-1]
		t.assign([]syntax.Expr{first}, value, en, fc)
		for i := len(targets) - 2; i >= 0; i-- {
			t.assign([]syntax.Expr{targets[i]}, first, en, fc)
		}
		return
	}
	switch tg := targets[0].(type) {
	case *syntax.Name:
		t.assignName(tg, value, en, fc)
	case *syntax.Attribute:
		if n, ok := tg.X.(*syntax.Name); ok && n.Id == "self" && en.cls != nil {
			f := en.cls.ByName[tg.Attr]
			if f == nil {
				f = &Field{Py: tg.Attr, Go: names.GoExported(tg.Attr), Type: TUnknown, Pos: tg.P}
				en.cls.Fields = append(en.cls.Fields, f)
				en.cls.ByName[tg.Attr] = f
			}
			t.hint = f.Type
			v := t.expr(value, en)
			t.hint = nil
			t.learnListConv(f, tg, v, en) // check_listconvert.go
			t.facts = t.facts.copy()
			t.assigned("self."+tg.Attr, v.T)
			t.stores(f, v)
			if t.learn && !t.frozen {
				if un := t.unify(f.Type, v.T); un != nil {
					f.Type = un
				} else if f.Type.Kind == Unknown {
					f.Type = v.T
				}
				if q := t.quantizedForm(v.T); q != nil {
					// check_quantform.go
					if un := t.unify(f.Type, q); un != nil {
						f.Type = un
					}
				}
			}
			return
		}
		recv := t.expr(tg.X, en)
		if recv.T.Kind == ClassK {
			t.put(tg, t.member(recv, tg.Attr))
			v := t.expr(value, en)
			// Code outside the class that stores into its field widens the
			// field's type as its own methods do (shard() sets
			// layer.mlp.sharding_group = group).
			if c := t.u.ByClass[recv.T.Name]; c != nil && !c.IsArgs && t.learn && !t.frozen {
				if f := c.ByName[tg.Attr]; f != nil {
					if un := t.unify(f.Type, v.T); un != nil {
						f.Type = un
					}
				}
			}
			t.facts = t.facts.copy()
			t.assigned(PathKey(tg), v.T)
			if c := t.u.ByClass[recv.T.Name]; c != nil && c.IsArgs && !t.frozen {
				if c.Reassigned == nil {
					c.Reassigned = map[string]bool{}
				}
				c.Reassigned[tg.Attr] = true
			}
		} else if recv.T.Kind == Ext {
			t.assignExtAttr(tg, recv, value, en)
		}
	case *syntax.Subscript:
		t.assignItem(tg, value, en)
	case *syntax.Tuple:
		t.assignTuple(tg, value, en)
	}
}

func (t *checker) assignName(n *syntax.Name, value syntax.Expr, en *env, fc *fnCtx) {
	s := t.sym(n, en)
	if _, ok := en.root().consts[s]; ok && !t.learn {
		return // a constant local: its uses read the literal
	}
	prev, known := en.lookup(s)
	t.hint = prev
	v := t.expr(value, en)
	t.hint = nil
	if !t.learn {
		if !known {
			en.vars[s] = v.T
		}
		if _, ok := en.fn.SplitAt(n); ok {
			en.vars[s] = v.T
		}
		ty, _ := en.lookup(s)
		t.target(n, ty)
		t.facts = t.facts.copy()
		t.assigned(n.Id, v.T)
		t.holds(s, v)
		return
	}
	t.facts = t.facts.copy()
	t.assigned(n.Id, v.T)
	t.holds(s, v)
	r := en.root()
	r.assigns[s]++
	if k := v.Lit; k != nil && (k.Kind == syntax.ConstInt || k.Kind == syntax.ConstTrue || k.Kind == syntax.ConstFalse) {
		r.lits[s] = k
	} else {
		delete(r.lits, s)
	}
	nt := v.T
	if known && r.seeded[s] {
		// The first assignment of this round to a local seeded with the
		// last round's type: the same binding, widened.
		delete(r.seeded, s)
		if un := t.unify(prev, v.T); un != nil {
			nt = un
		}
	} else if known {
		top := fc != nil && fc.depth == 1 && en.fn != nil && en.vars[s] != nil
		un := t.unify(prev, v.T)
		if un != nil && top && prev.Kind == Union && !v.T.Equal(prev) && prev.Has(v.T) {
			// offset = mx.array(offset) after offset held int | array: from
			// here on it is the member (a new version).
			un = nil
		}
		if un != nil && (widensToAny(un, prev) || widensToAny(un, v.T)) && top {
			// weights = tree_unflatten(...): a dict of arrays rebound to a
			// nested dict; keep both precise as two Go variables.
			un = nil
		}
		if un != nil {
			nt = un
		} else if bs := fc != nil && fc.depth == 2 && en.vars[s] != nil && branchSplit(en.fn, n); bs || top ||
			(fc != nil && en.fn != nil && en.vars[s] != nil && splitsInBlock(en.fn, n)) {
			// Rebound to another type by a statement of the function body
			// itself (offset = mx.array(offset)), or nested where no use of
			// the old value can follow (rebind.go): from here on the name
			// is a new Go variable, as if Python had used a new name.
			t.split(en.fn, n, prev)
			if bs {
				if en.fn.branchSplits == nil {
					en.fn.branchSplits = map[*syntax.Name]bool{}
				}
				en.fn.branchSplits[n] = true
			}
			en.vars[s] = v.T
			en.splitv(s)
			return
		} else {
			t.failAlways(n, "variable "+n.Id, "assigned a %s after a %s; Go needs one type", v.T, prev)
			nt = prev
		}
	}
	en.set(s, nt)
	// A parameter that Python rebinds to a wider type (max_val += 0.001)
	// takes that type in Go — unless the name was split off the parameter
	// already (weights = tree_unflatten(weights) made it a new variable, and
	// this rebinding is that variable's).
	if en.fn != nil && !t.frozen && !en.isSplit(s) {
		for _, p := range en.fn.Params {
			// A parameter of no type yet learns it from its call sites, not
			// from a rebinding in the function body itself, which no value
			// passed in survives (afm7's `*indices, output_dims =
			// accumulate(output_dims)` binds an int to a list parameter).
			if p.Py == n.Id && !(p.Type.Kind == Unknown && fc != nil && fc.depth == 1) && !p.Type.Equal(nt) && Unify(p.Type, nt) != nil && Unify(p.Type, nt).Equal(nt) {
				p.Type = nt
			}
		}
	}
}

// TupleElem is the type of element i of a value unpacked into names.
func TupleElem(single *Type, i int) *Type {
	st := single.Base()
	if st.Kind == Tuple && i < len(st.Elems) {
		return st.Elems[i]
	}
	if h := st.Homogeneous(); h != nil {
		return h
	}
	return TUnknown
}

func (t *checker) assignTuple(tg *syntax.Tuple, value syntax.Expr, en *env) {
	var vs []Val
	var single Val
	if tup, ok := value.(*syntax.Tuple); ok && len(tup.Elts) == len(tg.Elts) {
		for i, e := range tup.Elts {
			// a, b = [], []: each empty literal takes its target's type (as in
			// a single assignment), learnt from the appends that follow.
			if nm, ok := tg.Elts[i].(*syntax.Name); ok {
				t.hint, _ = en.lookup(t.sym(nm, en))
			}
			vs = append(vs, t.expr(e, en))
			t.hint = nil
		}
	} else {
		single = t.expr(value, en)
	}
	t.tupleLits(tg, vs, en) // check_tuplelits.go
	for i, e := range tg.Elts {
		nm, ok := e.(*syntax.Name)
		if !ok {
			return
		}
		var et *Type
		if vs != nil {
			et = vs[i].T
		} else if t.tab.ExtItem(single.T, false) != nil {
			// q_state, k_state, v_state, ssm_state = cache: its entries.
			et = ExtT(SlotType)
		} else {
			et = TupleElem(single.T, i)
		}
		s := t.sym(nm, en)
		t.facts = t.facts.copy()
		t.assigned(nm.Id, et)
		if t.learn {
			prev, known := en.lookup(s)
			nt := et
			if known {
				if un := t.unify(prev, et); un != nil {
					nt = un
				}
			}
			en.set(s, nt)
			continue
		}
		if _, known := en.lookup(s); !known {
			en.vars[s] = et
		}
		ty, _ := en.lookup(s)
		t.target(nm, ty)
	}
}

// assignItem checks x[i] = v.
func (t *checker) assignItem(s *syntax.Subscript, value syntax.Expr, en *env) {
	x := t.expr(s.X, en)
	v := t.expr(value, en)
	switch x.T.Base().Kind {
	case Array:
		t.lvalue(s.X, en)
		t.arrayIndex(s.Index, en)
	case Dict:
		if t.learn && x.T.Elem.Kind == Unknown {
			t.setType(s.X, DictOf(t.storedKey(s.Index[0], en, x.T.Key), v.T), en) // check_dictkey.go
		}
		t.expr(s.Index[0], en)
	case List:
		t.expr(s.Index[0], en)
		t.widenListByStore(s, x.T.Base(), v.T, en)
	case Ext:
		t.extAssignItem(s, x, value, en)
	}
}

// inlineSuper checks super().__init__(args) (or __post_init__): the base
// method's body, with the base's parameters bound, in the derived class.
func (t *checker) inlineSuper(c *syntax.Call, method string, en *env, fc *fnCtx) {
	if en.cls == nil {
		return
	}
	from := en.cls
	if en.superFrom != nil {
		from = en.superFrom
	}
	var base *Func
	if method == "__post_init__" {
		base = from.ByMeth["__super_post_init__"]
	} else {
		base, _ = from.SuperBody(method)
	}
	if base == nil || base.Class == from {
		return // nn.Module.__init__ and object.__init__ do nothing to translate
	}
	t.inlineBase(c, c, method, base, en, fc)
}

// inlineBase checks a base class's method body called from a method of a
// derived class (super().__init__(...), or Base.__init__(self, ...) given as
// c without self; key is the call the lowering finds it by).
func (t *checker) inlineBase(key, c *syntax.Call, method string, base *Func, en *env, fc *fnCtx) {
	inner := newEnv(en.cls, en.fn, en)
	inner.superFrom = base.Class
	params := paramsOf(base.Def, true, t.u, t.tab, t.scope, t.fail)
	var pnames []string
	req := map[string]bool{}
	for _, p := range params {
		pnames = append(pnames, p.Py)
		if p.Def == nil {
			req[p.Py] = true
		}
	}
	b, err := Bind(c, pnames, "", req)
	if err != nil {
		return
	}
	for _, p := range params {
		e, given := b.ByName[p.Py]
		if !given {
			e = p.Def
		}
		v := t.expr(e, en)
		if p.Type.Kind == Unknown {
			p.Type = v.T
		}
		inner.vars[t.paramSym(base.Def, base.Scope, p.Py)] = p.Type
	}
	defer t.withScope(base.Scope)()
	// Facts about self carry into the base body and back; its locals are its own.
	outer := t.facts
	selfFacts := func(f facts) facts {
		out := facts{}
		for k, v := range f {
			if strings.HasPrefix(k, "self.") {
				out[k] = v
			}
		}
		return out
	}
	defer func() {
		after := selfFacts(t.facts)
		t.facts = outer.copy()
		for k := range t.facts {
			if strings.HasPrefix(k, "self.") {
				delete(t.facts, k)
			}
		}
		t.facts = union(t.facts, after)
	}()
	t.facts = selfFacts(outer)
	if t.learn {
		t.block(base.Def.Body, inner, &fnCtx{fn: base, isInit: true})
		return
	}
	sub := newInst(base, en.cls)
	sub.Params = params
	dryInner := newEnv(en.cls, en.fn, inner)
	dryInner.superFrom = base.Class
	prevRec := t.rec
	t.learn, t.rec = true, nil
	t.block(base.Def.Body, dryInner, &fnCtx{fn: base, isInit: true})
	t.learn = false
	t.facts = selfFacts(outer)
	for s, ty := range dryInner.vars {
		inner.vars[s] = ty
	}
	for s, ty := range inner.vars {
		sub.Init[s] = ty
	}
	t.rec = sub
	t.block(base.Def.Body, inner, &fnCtx{fn: fc.fn, ret: fc.ret, isInit: fc.isInit})
	t.rec = prevRec
	if t.rec != nil {
		t.rec.Supers[key] = sub
	}
}

// NestedKey identifies a function defined inside a function.
func NestedKey(d *syntax.FuncDef) string { return fmt.Sprintf("%s:%d:%d", d.Name, d.P.Line, d.P.Col) }

// nestedFunc checks a function defined inside a method (sanitize's
// dequant helper); its parameter types come from the calls in the
// enclosing body, like a module function's.
func (t *checker) nestedFunc(d *syntax.FuncDef, en *env) {
	key := NestedKey(d)
	fn, ok := t.u.Nested[key]
	if !ok {
		fn = &Func{Def: d, GoName: names.GoLocal(d.Name), Scope: t.scope, Compiled: CompileDecorator(d, t.scope)}
		fn.Params = paramsOf(d, false, t.u, t.tab, t.scope, t.fail)
		predicateProtocol(en.fn, fn)
		t.u.Nested[key] = fn
	}
	self := t.u.DefSymbol(t.scope, d)
	en.vars[self] = &Type{Kind: FuncK, Name: key}
	inner := newEnv(en.cls, fn, en)
	for _, p := range fn.Params {
		inner.vars[t.paramSym(d, t.scope, p.Py)] = p.Type
	}
	// A closure may run later: it knows nothing of its definer's facts.
	outer := t.facts
	t.facts = facts{}
	defer func() { t.facts = outer }()
	if t.learn {
		t.block(d.Body, inner, &fnCtx{fn: fn, ret: fn.Ret})
		return
	}
	sub := newInst(fn, en.cls)
	dryInner := newEnv(en.cls, fn, en)
	for s, ty := range inner.vars {
		dryInner.vars[s] = ty
	}
	prevRec := t.rec
	t.learn, t.rec = true, nil
	t.block(d.Body, dryInner, &fnCtx{fn: fn, ret: fn.Ret})
	t.learn = false
	t.facts = facts{}
	for s, ty := range dryInner.vars {
		if _, isParam := inner.vars[s]; !isParam {
			inner.vars[s] = ty
		}
	}
	for s, ty := range inner.vars {
		sub.Init[s] = ty
	}
	t.rec = sub
	t.block(d.Body, inner, &fnCtx{fn: fn, ret: fn.Ret})
	t.rec = prevRec
	if t.rec != nil {
		t.rec.Nested[d] = sub
	}
}

// split records that the assignment at n starts a new version of a local.
func (t *checker) split(fn *Func, n *syntax.Name, prev *Type) {
	if fn.Splits == nil {
		fn.Splits = map[*syntax.Name]string{}
		fn.FirstType = map[string]*Type{}
	}
	if _, ok := fn.Splits[n]; ok {
		return
	}
	if _, ok := fn.FirstType[n.Id]; !ok {
		fn.FirstType[n.Id] = prev
	}
	version := 2
	for _, name := range fn.Splits {
		if strings.HasPrefix(name, names.GoLocal(n.Id)) {
			version++
		}
	}
	fn.Splits[n] = fmt.Sprintf("%s%d", names.GoLocal(n.Id), version)
}

// widensToAny reports whether unifying to u loses the element type of a
// container that the new value v has.
func widensToAny(u, v *Type) bool {
	if u.Kind != v.Kind {
		return false
	}
	switch u.Kind {
	case Dict, List:
		return u.Elem.Kind == AnyK && v.Elem.Kind != AnyK && v.Elem.Kind != Unknown
	}
	return false
}

// ---- list-level caches ----

// listCacheParams types a `cache` parameter as a list of caches when the
// function indexes it, zips it or takes its length: that is the model-level
// list of per-layer caches, not one layer's cache.
func (t *checker) listCacheParams() {
	u := t.u
	var all []*Func
	for _, c := range u.Classes {
		all = append(all, c.Methods...)
	}
	all = append(all, u.Funcs...)
	for _, fn := range all {
		for _, p := range fn.Params {
			if p.Py != "cache" || t.annotatedOneCache(p) {
				continue
			}
			if usesAsList(fn.Def.Body, "cache") {
				p.Type = ListOf(ExtT("Cache"))
			}
		}
	}
	// A function that passes its cache on to a list-taking module is list-level too.
	for changed := true; changed; {
		changed = false
		for _, fn := range all {
			for _, p := range fn.Params {
				if p.Py != "cache" || p.Type.Kind == List || t.annotatedOneCache(p) {
					continue
				}
				if t.passesCacheToList(fn) {
					p.Type = ListOf(ExtT("Cache"))
					changed = true
				}
			}
		}
	}
}

// annotatedOneCache reports a parameter annotated one cache
// (`cache: ArraysCache | None`, bailing_moe_v3's and gear's conv helpers):
// indexed by a computed position (`cache[cache_index]`) it is still one
// layer's cache, not the list of them.
func (t *checker) annotatedOneCache(p *Param) bool {
	b := p.Type.Base()
	return p.Annotated && b.Kind == Ext && !IsSlot(b) && t.tab.Root(b.Name) == "Cache"
}

func (t *checker) passesCacheToList(fn *Func) bool {
	found := false
	syntax.WalkExprs(fn.Def.Body, func(e syntax.Expr) {
		c, ok := e.(*syntax.Call)
		if !ok {
			return
		}
		// self.model(inputs, cache, ...) where model's __call__ takes a list.
		a, ok := c.Func.(*syntax.Attribute)
		if !ok {
			return
		}
		self, ok := a.X.(*syntax.Name)
		if !ok || self.Id != "self" || fn.Class == nil {
			return
		}
		var target *Func
		if f := fn.Class.ByName[a.Attr]; f != nil && f.Type != nil && f.Type.Kind == ClassK {
			if cls := t.u.ByClass[f.Type.Name]; cls != nil {
				target = cls.ByMeth["__call__"]
			}
		}
		if f := fn.Class.ByName[a.Attr]; target == nil && f != nil && f.Type != nil && f.Type.Kind == Iface && !IsDynIface(f.Type) {
			// One of several classes (iface_methods.go): their common __call__.
			target = t.u.IfaceCall(f.Type)
		}
		if target == nil {
			// Field types are not known yet on the first pass: find the class
			// from the constructor call in __init__.
			target = t.calleeFromInit(fn.Class, a.Attr)
		}
		if target == nil {
			return
		}
		for i, arg := range c.Args {
			if n, ok := arg.(*syntax.Name); ok && n.Id == "cache" && i < len(target.Params) && target.Params[i].Type.Kind == List {
				found = true
			}
		}
		for _, k := range c.Keywords {
			if n, ok := k.Value.(*syntax.Name); ok && n.Id == "cache" {
				for _, p := range target.Params {
					if p.Py == k.Name && p.Type.Kind == List {
						found = true
					}
				}
			}
		}
	})
	return found
}

func (t *checker) calleeFromInit(c *Class, field string) *Func {
	init := c.ByMeth["__init__"]
	if init == nil {
		return nil
	}
	return t.calleeFromInitBody(c, init, field, 0)
}

func (t *checker) calleeFromInitBody(c *Class, init *Func, field string, depth int) *Func {
	var out *Func
	// Statements of the body and of its if/elif/else branches (mistral3
	// picks its text model by config): the last constructor call found.
	var stmts []syntax.Stmt
	var flat func(b []syntax.Stmt)
	flat = func(b []syntax.Stmt) {
		for _, s := range b {
			stmts = append(stmts, s)
			if x, ok := s.(*syntax.If); ok {
				flat(x.Body)
				flat(x.Else)
			}
		}
	}
	flat(init.Def.Body)
	for _, s := range stmts {
		if out == nil && depth < 8 {
			// super().__init__(config): the base's __init__ may set the field
			// (glm_moe_dsa's Model over deepseek_v32's).
			if base := t.superInitOf(c, init, s); base != nil {
				out = t.calleeFromInitBody(c, base, field, depth+1)
			}
		}
		a, ok := s.(*syntax.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		at, ok := a.Targets[0].(*syntax.Attribute)
		if !ok || at.Attr != field {
			continue
		}
		if call, ok := a.Value.(*syntax.Call); ok {
			var cls *Class
			switch f := call.Func.(type) {
			case *syntax.Name:
				cls = t.u.ClassOf(f.Id)
			case *syntax.Attribute: // llama.LlamaModel(args), gemma3_text.Model(...)
				if n, ok := f.X.(*syntax.Name); ok {
					if sym, ok := c.Scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
						cls = t.u.SiblingClass(sym.File, f.Attr)
					}
				}
				if cls == nil {
					cls = t.u.ByClass[f.Attr]
				}
			}
			if cls != nil {
				out = cls.ByMeth["__call__"]
			}
		}
	}
	return out
}

func usesAsList(body []syntax.Stmt, name string) bool {
	found := false
	syntax.WalkExprs(body, func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Subscript:
			if n, ok := x.X.(*syntax.Name); ok && n.Id == name && !literalIndex(x) {
				found = true
			}
		case *syntax.Call:
			if f, ok := x.Func.(*syntax.Name); ok && (f.Id == "zip" || f.Id == "len" || f.Id == "enumerate") {
				for _, a := range x.Args {
					if n, ok := a.(*syntax.Name); ok && n.Id == name {
						found = true
					}
				}
			}
		}
	})
	for _, s := range body {
		if f, ok := s.(*syntax.For); ok {
			if n, ok := f.Iter.(*syntax.Name); ok && n.Id == name {
				found = true
			}
		}
	}
	return found
}

// predicateProtocol types the function a quant_predicate or cast_predicate
// property returns, as mlx_lm.convert calls it: quant_predicate's with
// (path: str, module) returning False, True or the layer's own
// quantization parameters (a dict); cast_predicate's with (key: str)
// returning whether the parameter is cast to the conversion's dtype.
func predicateProtocol(enclosing, fn *Func) {
	if enclosing == nil || enclosing.Class == nil {
		return
	}
	var params []*Type
	var ret *Type
	switch enclosing.Def.Name {
	case "quant_predicate":
		params, ret = []*Type{TStr, TAny}, TAny
	case "cast_predicate":
		params, ret = []*Type{TStr}, TBool
	default:
		return
	}
	for i, p := range fn.Params {
		if i < len(params) && p.Type.Kind == Unknown {
			p.Type = params[i]
		}
	}
	fn.Ret = ret
}
