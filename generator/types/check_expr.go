package types

import (
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// bad is an expression the checker cannot type. The lowering, which walks
// the same expression, reports why.
func (t *checker) bad() Val { return tv(TUnknown) }

// expr checks an expression and records it.
func (t *checker) expr(e syntax.Expr, en *env) Val {
	v := t.expr0(e, en)
	if t.seen == nil {
		t.seen, t.origins, t.direct = map[syntax.Expr]*Type{}, map[syntax.Expr]*Field{}, map[syntax.Expr]bool{}
	}
	t.seen[e] = v.T
	if v.Origin != nil {
		t.origins[e] = v.Origin
	}
	return t.put(e, v)
}

func (t *checker) expr0(e syntax.Expr, en *env) Val {
	switch x := e.(type) {
	case *syntax.Constant:
		return t.constant(x)
	case *syntax.Name:
		return t.name(x, en)
	case *syntax.Attribute:
		return t.attribute(x, en)
	case *syntax.Call:
		return t.call(x, en)
	case *syntax.BinOp:
		return t.binop(x, en)
	case *syntax.UnaryOp:
		return t.unary(x, en)
	case *syntax.BoolOp:
		return t.boolop(x, en)
	case *syntax.Compare:
		return t.compare(x, en)
	case *syntax.IfExp:
		return t.ifexp(x, en)
	case *syntax.Subscript:
		return t.subscript(x, en)
	case *syntax.Tuple:
		return t.sequence(x, x.Elts, en, true)
	case *syntax.List:
		return t.sequence(x, x.Elts, en, false)
	case *syntax.Set:
		return t.sequence(x, x.Elts, en, false)
	case *syntax.Dict:
		return t.dict(x, en)
	case *syntax.Comp:
		return t.comprehension(x, en)
	case *syntax.FString:
		return t.fstring(x, en)
	case *syntax.Lambda:
		return t.lambda(x, en)
	case *syntax.NamedExpr:
		return t.namedExpr(x, en) // check_walrus.go
	}
	return t.bad()
}

// constant is a literal's type, with the literal.
func (t *checker) constant(c *syntax.Constant) Val {
	switch c.Kind {
	case syntax.ConstInt:
		v := strings.ToLower(c.Value)
		if _, err := strconv.ParseInt(v, 0, 64); err == nil {
			return Val{T: TInt, Lit: c}
		}
		return t.bad()
	case syntax.ConstFloat:
		if _, err := strconv.ParseFloat(c.Value, 64); err != nil {
			return t.bad()
		}
		return Val{T: TFloat, Lit: c}
	case syntax.ConstStr:
		return Val{T: TStr, Lit: c}
	case syntax.ConstTrue, syntax.ConstFalse:
		return Val{T: TBool, Lit: c}
	case syntax.ConstNone:
		return Val{T: TNone, Lit: c}
	case syntax.ConstEllipsis:
		return Val{T: ExtT("Ellipsis"), Lit: c}
	}
	return t.bad()
}

// LitBool is a known bool.
func LitBool(b bool) Val {
	k := syntax.ConstFalse
	if b {
		k = syntax.ConstTrue
	}
	return Val{T: TBool, Lit: &syntax.Constant{Kind: k}}
}

func (t *checker) name(n *syntax.Name, en *env) Val {
	if n.Id == "self" && en.cls != nil {
		return tv(ClassT(en.cls.Name))
	}
	s := t.sym(n, en)
	if k, ok := en.root().consts[s]; ok && s != nil {
		return t.constant(k)
	}
	if ty, ok := en.lookup(s); ok {
		v := t.classNarrowed(n.Id, t.narrowed(n.Id, tv(ty)))
		v.Origin = t.symOrigin[s]
		return v
	}
	if sym, ok := t.scope.Symbols[n.Id]; ok {
		if t.u.KernelConst(sym, n.Id) == KernelNone {
			return t.constant(&syntax.Constant{At: n.At, Kind: syntax.ConstNone})
		}
		switch sym.Kind {
		case names.LocalClass:
			return t.bad()
		case names.LocalConst:
			if md := t.moduleDict(sym, n.Id); md != nil {
				return tv(md.T) // check_moduledict.go
			}
		case names.Helper, names.Module:
			q := sym.Qual
			if f, ok := t.tab.Functions[q]; ok && f.Value != "" {
				return tv(ExtT("Activation"))
			}
			if f, ok := t.tab.Functions[q]; ok && len(f.Params) == 0 {
				return tv(t.tab.ParseTypeName(f.Returns))
			}
			return t.bad()
		case names.LocalFunc:
			t.edge(en.fn, t.u.ByFunc[n.Id])
			return tv(&Type{Kind: FuncK, Name: n.Id})
		}
	}
	switch n.Id {
	case "True", "False":
		return tv(TBool)
	}
	return t.bad()
}

// attribute checks x.attr reads.
func (t *checker) attribute(a *syntax.Attribute, en *env) Val {
	if q := t.scope.Qualify(a); q != "" {
		if _, ok := t.tab.Dtypes[q]; ok {
			return tv(TDtype)
		}
		if c, ok := t.tab.Constants[q]; ok {
			return tv(t.tab.ParseTypeName(c.Type))
		}
		if f, ok := t.tab.Functions[q]; ok && f.Value != "" {
			return tv(ExtT("Activation"))
		}
		return t.bad()
	}
	recv := t.expr(a.X, en)
	v := t.member(recv, a.Attr)
	origin := t.fieldOrigin(recv, a.Attr)
	if c := t.u.ByClass[recv.T.Name]; recv.T.Kind == ClassK && c != nil && c.IsArgs && origin != nil {
		if t.direct == nil {
			t.seen, t.origins, t.direct = map[syntax.Expr]*Type{}, map[syntax.Expr]*Field{}, map[syntax.Expr]bool{}
		}
		if n, ok := a.X.(*syntax.Name); !ok || n.Id != "self" {
			t.direct[a] = true
		}
	}
	if v.T.Kind == Optional && recv.T.Kind == ClassK {
		// A dataclass field __post_init__ fills, read outside the dataclass.
		if c := t.u.ByClass[recv.T.Name]; c != nil && c.IsArgs && c.Filled[a.Attr] && en.cls != c {
			return Val{T: v.T.Elem, Deref: true, Origin: origin}
		}
	}
	if v.T.Kind == Union && recv.T.Kind == ClassK {
		// A union field __post_init__ converts (text_config), read outside
		// the dataclass: the member it holds (config_union.go).
		if c := t.u.ByClass[recv.T.Name]; c != nil && c.IsArgs && c.FilledAs[a.Attr] != nil && en.cls != c {
			return Val{T: c.FilledAs[a.Attr], Assert: true, Origin: origin}
		}
	}
	v = t.classNarrowed(PathKey(a), t.narrowed(PathKey(a), v))
	v.Origin = origin
	return t.listConverted(recv, a, v, en) // check_listconvert.go
}

// MaskAsArray is the type of a mask read as an array (mask.dtype, scores + mask).
func MaskAsArray(v Val) Val {
	if v.T.Kind == Mask {
		return tv(TArray)
	}
	return v
}

func (t *checker) member(recv Val, attr string) Val {
	recv = MaskAsArray(recv)
	rt := recv.T.Base()
	switch rt.Kind {
	case ClassK:
		c := t.u.ByClass[rt.Name]
		if c == nil {
			return t.bad()
		}
		if attr == "training" {
			if _, own := c.ByName[attr]; !own {
				// nn.Module.training: mlx-lm's load_model calls model.eval().
				return LitBool(false)
			}
		}
		if k, ok := c.Consts[attr]; ok && k.Kind != syntax.ConstNone {
			// A field fixed at a literal reads as the literal.
			return t.constant(k)
		}
		if f, ok := c.ByName[attr]; ok {
			ty := f.Type
			if ty == nil {
				ty = TUnknown
			}
			return tv(ty)
		}
		if m, ok := c.ByMeth[attr]; ok && m.IsProp {
			ty := m.Ret
			if ty == nil {
				ty = TUnknown
			}
			return tv(ty)
		}
		return t.bad()
	case Array:
		if at, ok := t.tab.ArrayAttrs[attr]; ok {
			return tv(t.tab.ParseTypeName(at.Type))
		}
	case Ext:
		if et := t.tab.Types[rt.Name]; et != nil {
			if at, ok := et.Attrs[attr]; ok {
				return tv(t.tab.ParseTypeName(at.Type))
			}
		}
	case Dtype:
		if attr == "size" {
			return tv(TInt)
		}
	case Iface:
		if ft := t.u.IfaceField(t.tab, rt, attr); ft != nil {
			return tv(ft) // iface_attrs.go
		}
	}
	return t.bad()
}

// sequence checks a list, tuple or set literal.
func (t *checker) sequence(n syntax.Node, elts []syntax.Expr, en *env, tuple bool) Val {
	var vs []Val
	var et *Type
	for _, e := range elts {
		if s, ok := e.(*syntax.Starred); ok {
			v := t.expr(s.X, en)
			if v.T.Kind != List && v.T.Kind != Tuple {
				return t.bad()
			}
			vs = append(vs, v)
			et = t.unify(et, v.T.Homogeneous())
			continue
		}
		v := t.expr(e, en)
		vs = append(vs, v)
		if et != nil || v.T.Kind != Unknown {
			u := t.unify(et, v.T)
			if u == nil {
				if tuple {
					var ts []*Type
					for _, x := range vs {
						ts = append(ts, x.T)
					}
					return tv(TupleOf(ts...))
				}
				if v, ok := t.moduleList(elts, vs, en); ok {
					return v // check_modlist.go
				}
				return t.bad()
			}
			et = u
		}
	}
	if et == nil {
		// []: the element type comes from the assigned variable, or later appends.
		et = TUnknown
		if h := t.hint; h != nil && h.Kind == List && h.Elem.Kind != Unknown && len(elts) == 0 {
			et = h.Elem
		}
	}
	lt := ListOf(et)
	if tuple {
		var ts []*Type
		for _, x := range vs {
			ts = append(ts, x.T)
		}
		lt = TupleOf(ts...)
	}
	for _, e := range elts {
		if _, ok := e.(*syntax.Starred); ok {
			return tv(ListOf(et)) // [*a, b] concatenates
		}
	}
	return tv(lt)
}

func (t *checker) dict(d *syntax.Dict, en *env) Val {
	if hasSplat(d) {
		return t.splatDict(d, en)
	}
	var kt, vt *Type
	for i := range d.Keys {
		k, v := t.expr(d.Keys[i], en), t.expr(d.Values[i], en)
		kt = t.unify(kt, k.T)
		nv := t.unify(vt, v.T)
		if nv == nil {
			nv = TAny
		}
		if v.T.Kind == Dict || nv.Kind == Dict && nv.Elem.Kind == AnyK {
			// Nested dict literals are trees: keep them map[string]any all the way down.
			nv = TAny
		}
		vt = nv
	}
	if len(d.Keys) == 0 {
		// {}: the element type comes from what the code stores into it.
		dt := DictOf(TStr, TUnknown)
		if h := t.hint; h != nil && h.Kind == Dict && h.Elem.Kind != Unknown {
			dt = h
		}
		return tv(dt)
	}
	if kt == nil {
		kt = TStr
	}
	if vt == nil {
		vt = TAny
	}
	return tv(DictOf(kt, vt))
}

func (t *checker) fstring(f *syntax.FString, en *env) Val {
	for _, p := range f.Parts {
		if p.X != nil {
			t.fstringConv(p, t.expr(p.X, en))
		}
	}
	return tv(TStr)
}

func (t *checker) lambda(l *syntax.Lambda, en *env) Val {
	// Only single-argument lambdas over arrays (activation functions) are supported.
	if len(l.Params) != 1 {
		return t.bad()
	}
	inner := newEnv(en.cls, en.fn, en)
	inner.vars[t.lambdaParam(l)] = TArray
	body := t.expr(l.Body, inner)
	if body.T.Kind != Array {
		return t.bad()
	}
	return tv(ExtT("Activation"))
}

func (t *checker) lambdaParam(l *syntax.Lambda) *names.Symbol {
	if s := t.scope.Of(l); s != nil {
		if sym, ok := s.Symbols[l.Params[0].Name]; ok {
			return sym
		}
	}
	return &names.Symbol{Name: l.Params[0].Name, Kind: names.Param}
}

// ConstBool reports a condition whose value is known.
func ConstBool(v Val) (bool, bool) {
	if v.Lit == nil {
		return false, false
	}
	switch v.Lit.Kind {
	case syntax.ConstTrue:
		return true, true
	case syntax.ConstFalse:
		return false, true
	}
	return false, false
}

func (t *checker) ifexp(x *syntax.IfExp, en *env) Val {
	cond := t.truth(x.Cond, en)
	if k, ok := ConstBool(cond); ok {
		// Known: only the branch Python would evaluate.
		if k {
			return t.expr(x.Then, en)
		}
		return t.expr(x.Else, en)
	}
	whenTrue, whenFalse := condFacts(x.Cond)
	var a, b Val
	t.withFacts(whenTrue, func() { a = t.expr(x.Then, en) })
	t.withFacts(whenFalse, func() { b = t.expr(x.Else, en) })
	ty := t.unify(a.T, b.T)
	if ty == nil {
		ty = IfExpUnion(a.T, b.T)
	}
	if ty == nil {
		return t.bad()
	}
	return tv(ty)
}

// IfExpUnion is the type of a conditional expression whose branches are an
// int and an array (gemma4_text: mx.array(cache.offset) if cache is not None
// else 0): the int | array union cache.offset itself has, which RoPE and
// offset arithmetic take; nil for other pairs.
func IfExpUnion(a, b *Type) *Type {
	a, b = a.Base(), b.Base()
	if (a.Kind == Int && b.Kind == Array) || (a.Kind == Array && b.Kind == Int) {
		return UnionOf(TInt, TArray)
	}
	return nil
}

// SameExpr reports whether two expressions are the same name or attribute chain.
func SameExpr(a, b syntax.Expr) bool {
	switch x := a.(type) {
	case *syntax.Name:
		y, ok := b.(*syntax.Name)
		return ok && x.Id == y.Id
	case *syntax.Attribute:
		y, ok := b.(*syntax.Attribute)
		return ok && x.Attr == y.Attr && SameExpr(x.X, y.X)
	}
	return false
}

// NarrowedName is the local a condition proves is not None: `v` or
// `v is not None`.
func NarrowedName(cond syntax.Expr) (*syntax.Name, bool) {
	switch c := cond.(type) {
	case *syntax.Name:
		return c, true
	case *syntax.Compare:
		if len(c.Ops) == 1 && c.Ops[0] == "is not" {
			if k, ok := c.Comparators[0].(*syntax.Constant); ok && k.Kind == syntax.ConstNone {
				if n, ok := c.Left.(*syntax.Name); ok {
					return n, true
				}
			}
		}
	}
	return nil, false
}
