package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

func (t *translator) bad(n syntax.Node, construct, format string, args ...any) val {
	t.fail(n, construct, format, args...)
	return prim(nilLit(), types.TUnknown)
}

// expr translates an expression. Its type, known literal and value count
// are the checker's; a lowering that disagrees is a translator bug,
// reported rather than emitted.
func (t *translator) expr(e syntax.Expr, en *env) val {
	v := t.expr0(e, en)
	if e == nil {
		return v
	}
	r, ok := t.inst.Vals[e]
	if !ok {
		t.fail(e, "internal", "expression %T not typed by the checker", e)
		return v
	}
	if r.Deref && v.t != nil && v.t.Kind == types.Optional {
		// Known not None here (the checker's narrowing): read the pointer.
		v = val{c: un("*", paren(v, precUnary)), t: v.t.Elem, prec: precUnary}
	}
	if r.Assert && v.t != nil && (v.t.Kind == types.Iface || v.t.Kind == types.Union) {
		// An isinstance test decided the class: assert it.
		v = val{c: &model.TypeAssert{X: paren(v, precPrimary), Type: t.goType(r.T)}, t: r.T, prec: precPrimary}
	}
	if r.ListAs && v.t != nil && v.t.Kind == types.List && v.t.Elem.Kind == types.AnyK {
		// A list field __post_init__ converted (types/check_listconvert.go).
		v = prim(typeCall(t.qual("py", "ListAs"), t.goType(r.T.Elem), v.c), r.T)
	}
	if v.t != nil && !v.t.Equal(r.T) && v.t.Kind != types.Unknown {
		t.fail(e, "internal", "lowered as %s, checked as %s", v.t, r.T)
	}
	v.t, v.lit, v.multi = r.T, r.Lit, r.Multi
	if v.c != nil {
		model.SetType(v.c, r.T)
	}
	return v
}

func (t *translator) expr0(e syntax.Expr, en *env) val {
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
		// A set is a slice of distinct elements (types/check_sets.go).
		return t.distinct(t.sequence(x, x.Elts, en, false))
	case *syntax.Dict:
		return t.dict(x, en)
	case *syntax.Comp:
		return t.comprehension(x, en)
	case *syntax.FString:
		return t.fstring(x, en)
	case *syntax.Lambda:
		return t.lambda(x, en)
	case *syntax.NamedExpr:
		return t.namedExpr(x, en) // lower_walrus.go
	case nil:
		return t.bad(nil, "expression", "missing")
	}
	return t.bad(e, "expression", "%T is not supported", e)
}

func (t *translator) constant(c *syntax.Constant) val {
	switch c.Kind {
	case syntax.ConstInt:
		v := strings.ToLower(c.Value)
		if n, err := strconv.ParseInt(v, 0, 64); err == nil {
			return val{c: lit(int(n)), t: types.TInt, prec: precPrimary, lit: c}
		}
		return t.bad(c, "integer", "literal %s does not fit an int", c.Value)
	case syntax.ConstFloat:
		f, err := strconv.ParseFloat(c.Value, 64)
		if err != nil {
			return t.bad(c, "float", "literal %s", c.Value)
		}
		return val{c: rawLit(formatFloat(f, c.Value)), t: types.TFloat, prec: precPrimary, lit: c}
	case syntax.ConstStr:
		return val{c: lit(c.Value), t: types.TStr, prec: precPrimary, lit: c}
	case syntax.ConstTrue:
		return val{c: lit(true), t: types.TBool, prec: precPrimary, lit: c}
	case syntax.ConstFalse:
		return val{c: lit(false), t: types.TBool, prec: precPrimary, lit: c}
	case syntax.ConstNone:
		return val{c: nilLit(), t: types.TNone, prec: precPrimary, lit: c}
	case syntax.ConstEllipsis:
		return val{c: t.qual("mlx", "Ellipsis"), t: types.ExtT("Ellipsis"), prec: precPrimary, lit: c}
	}
	return t.bad(c, "constant", "unknown")
}

// formatFloat keeps the Python spelling of a float literal where Go accepts it.
func formatFloat(f float64, src string) string {
	s := strings.ToLower(src)
	if strings.HasSuffix(s, ".") {
		s += "0"
	}
	if strings.HasPrefix(s, ".") {
		s = "0" + s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "_") {
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (t *translator) name(n *syntax.Name, en *env) val {
	if n.Id == "self" && en.cls != nil {
		return prim(id("self"), types.ClassT(en.cls.Name))
	}
	s := t.sym(n, en)
	if k, ok := en.root().consts[s]; ok && s != nil {
		return t.constant(k)
	}
	if ty, g, ok := en.lookup(s); ok {
		return prim(id(g), ty)
	}
	if sym, ok := t.scope.Symbols[n.Id]; ok {
		switch t.u.KernelConst(sym, n.Id) {
		case types.KernelNone:
			return t.constant(&syntax.Constant{At: n.At, Kind: syntax.ConstNone})
		case types.KernelObject:
			return t.bad(n, "name "+n.Id, "%s", types.NoPureOpPath)
		}
		switch sym.Kind {
		case names.LocalClass:
			return t.bad(n, "class "+n.Id, "a class used as a value")
		case names.LocalConst:
			if md := t.u.ModuleDictOf(sym); md != nil {
				return t.moduleDictName(md) // lower_moduledict.go
			}
		case names.Helper, names.Module:
			q := sym.Qual
			if f, ok := t.tab.Functions[q]; ok && f.Value != "" {
				return prim(t.render(f.Value, nil, nil), types.ExtT("Activation"))
			}
			if f, ok := t.tab.Functions[q]; ok && len(f.Params) == 0 {
				return prim(t.render(f.Go, nil, nil), t.tab.ParseTypeName(f.Returns))
			}
			return t.bad(n, n.Id, "%s is not a value the translator knows", q)
		case names.LocalFunc:
			return prim(id(t.u.ByFunc[n.Id].GoName), &types.Type{Kind: types.FuncK, Name: n.Id})
		}
	}
	switch n.Id {
	case "True":
		return prim(lit(true), types.TBool)
	case "False":
		return prim(lit(false), types.TBool)
	}
	return t.bad(n, "name "+n.Id, "undefined or not yet assigned")
}

// attribute translates x.attr reads.
func (t *translator) attribute(a *syntax.Attribute, en *env) val {
	if q := t.scope.Qualify(a); q != "" {
		if g, ok := t.tab.Dtypes[q]; ok {
			return prim(t.render(g, nil, nil), types.TDtype)
		}
		if c, ok := t.tab.Constants[q]; ok {
			return prim(t.render(c.Go, nil, nil), t.tab.ParseTypeName(c.Type))
		}
		if f, ok := t.tab.Functions[q]; ok && f.Value != "" {
			return prim(t.render(f.Value, nil, nil), types.ExtT("Activation"))
		}
		return t.bad(a, q, "not in the API table")
	}
	recv := t.expr(a.X, en)
	return t.member(a, recv, a.Attr, en)
}

func (t *translator) member(a syntax.Node, recv val, attr string, en *env) val {
	recv = t.maskAsArray(recv)
	rt := recv.t.Base()
	switch rt.Kind {
	case types.ClassK:
		c := t.u.ByClass[rt.Name]
		if c == nil {
			return t.bad(a, "attribute "+attr, "unknown class %s", rt.Name)
		}
		if attr == "training" {
			if _, own := c.ByName[attr]; !own {
				// nn.Module.training: mlx-lm's load_model calls model.eval().
				return litBool(false)
			}
		}
		if k, ok := c.Consts[attr]; ok && k.Kind != syntax.ConstNone {
			// A field fixed at a literal reads as the literal (konst.go).
			v := t.constant(k)
			return v
		}
		if f, ok := c.ByName[attr]; ok {
			ty := f.Type
			if ty == nil {
				ty = types.TUnknown
			}
			return prim(sel(paren(recv, precPrimary), f.Go), ty)
		}
		if m, ok := c.ByMeth[attr]; ok && m.IsProp {
			ty := m.Ret
			if ty == nil {
				ty = types.TUnknown
			}
			return prim(call(sel(paren(recv, precPrimary), m.GoName)), ty)
		}
		if c.IsArgs {
			// hasattr-style access of a field the dataclass does not declare.
			return t.bad(a, "attribute "+attr, "ModelArgs has no field %s", attr)
		}
		return t.bad(a, "attribute "+attr, "%s has no attribute %s (assigned nowhere in __init__)", rt.Name, attr)
	case types.Array:
		if at, ok := t.tab.ArrayAttrs[attr]; ok {
			return prim(t.render(at.Go, map[string]model.Expr{"self": paren(recv, precPrimary)}, nil), t.tab.ParseTypeName(at.Type))
		}
		return t.bad(a, "array attribute "+attr, "not in the API table")
	case types.Ext:
		et := t.tab.Types[rt.Name]
		if et != nil {
			if at, ok := et.Attrs[attr]; ok {
				return prim(t.render(at.Go, map[string]model.Expr{"self": paren(recv, precPrimary)}, nil), t.tab.ParseTypeName(at.Type))
			}
		}
		return t.bad(a, "attribute "+attr, "%s has no attribute %s in the API table", rt.Name, attr)
	case types.Dtype:
		if attr == "size" {
			return prim(call(sel(paren(recv, precPrimary), "Size")), types.TInt)
		}
	case types.Iface:
		if v, ok := t.ifaceField(a, recv, rt, attr); ok {
			return v // lower_ifaceattrs.go
		}
	}
	return t.bad(a, "attribute "+attr, "of a value of type %s", recv.t)
}

func (t *translator) sequence(n syntax.Node, elts []syntax.Expr, en *env, tuple bool) val {
	if lt := t.val(n.(syntax.Expr)).T; !tuple && lt.IsModuleList() {
		return t.moduleList(lt, elts, en) // lower_modlist.go
	}
	var vs []val
	var et *types.Type
	for _, e := range elts {
		if s, ok := e.(*syntax.Starred); ok {
			v := t.expr(s.X, en)
			if v.t.Kind != types.List && v.t.Kind != types.Tuple {
				return t.bad(s, "starred", "of a %s", v.t)
			}
			vs = append(vs, val{c: v.c, t: v.t, prec: -1})
			et = t.unify(et, v.t.Homogeneous())
			continue
		}
		v := t.expr(e, en)
		vs = append(vs, v)
		if et != nil || v.t.Kind != types.Unknown {
			u := t.unify(et, v.t)
			if u == nil {
				if tuple {
					return t.mixedTuple(elts, vs, en)
				}
				return t.bad(n, "list", "elements of different types (%s, %s)", et, v.t)
			}
			et = u
		}
	}
	if et == nil {
		// []: the element type comes from the assigned variable, or later
		// appends (the checker's).
		et = types.TUnknown
		if r := t.val(n.(syntax.Expr)); len(elts) == 0 && r.T.Kind == types.List {
			et = r.T.Elem
		}
	}
	lt := types.ListOf(et)
	if tuple {
		var ts []*types.Type
		for _, x := range vs {
			ts = append(ts, x.t)
		}
		lt = types.TupleOf(ts...)
	}
	// [*a, b] concatenates.
	hasStar := false
	for _, v := range vs {
		if v.prec == -1 {
			hasStar = true
		}
	}
	if hasStar {
		var parts []model.Expr
		var run []model.Expr
		flush := func() {
			if len(run) > 0 {
				parts = append(parts, &model.Composite{Type: &model.Slice{Elem: t.goType(et)}, Elts: run})
				run = nil
			}
		}
		for _, v := range vs {
			if v.prec == -1 {
				flush()
				parts = append(parts, v.c)
				continue
			}
			run = append(run, t.coerce(v, et, n))
		}
		flush()
		return prim(call(t.qual("slices", "Concat"), parts...), types.ListOf(et))
	}
	var codes []model.Expr
	for _, v := range vs {
		codes = append(codes, t.coerce(v, et, n))
	}
	return prim(&model.Composite{Type: &model.Slice{Elem: t.goType(et)}, Elts: codes}, lt)
}

func (t *translator) dict(d *syntax.Dict, en *env) val {
	if types.HasSplat(d) {
		return t.splatDict(d, en)
	}
	var kt, vt *types.Type
	var kvs []model.Expr
	for i := range d.Keys {
		k, v := t.expr(d.Keys[i], en), t.expr(d.Values[i], en)
		kt = t.unify(kt, k.t)
		nv := t.unify(vt, v.t)
		if nv == nil {
			nv = types.TAny
		}
		if v.t.Kind == types.Dict || nv.Kind == types.Dict && nv.Elem.Kind == types.AnyK {
			// Nested dict literals are trees: keep them map[string]any all the way down.
			nv = types.TAny
		}
		vt = nv
		kvs = append(kvs, &model.KeyValue{Key: k.c, Value: v.c})
	}
	if len(d.Keys) == 0 {
		// {}: the element type comes from what the code stores into it (the checker's).
		dt := t.val(d).T
		return prim(&model.Composite{Type: t.goType(dt)}, dt)
	}
	if kt == nil {
		kt = types.TStr
	}
	if vt == nil {
		vt = types.TAny
	}
	dt := types.DictOf(kt, vt)
	return prim(&model.Composite{Type: t.goType(dt), Elts: kvs}, dt)
}

func (t *translator) fstring(f *syntax.FString, en *env) val {
	var format strings.Builder
	var args []model.Expr
	for _, p := range f.Parts {
		if p.X == nil {
			format.WriteString(strings.ReplaceAll(p.Lit, "%", "%%"))
			continue
		}
		v := t.fstringOptional(p, t.fstringConv(p, t.expr(p.X, en))) // lower_fstring.go
		spec := "v"
		switch v.t.Base().Kind {
		case types.Int:
			spec = "d"
		case types.Str:
			spec = "s"
		}
		if p.Format != "" {
			spec = pyFormatToGo(p.Format, spec)
		}
		format.WriteString("%" + spec)
		args = append(args, v.c)
	}
	return prim(call(t.qual("fmt", "Sprintf"), append([]model.Expr{lit(format.String())}, args...)...), types.TStr)
}

func pyFormatToGo(spec, def string) string {
	switch {
	case strings.HasSuffix(spec, "d"):
		return strings.TrimSuffix(spec, "d") + "d"
	case strings.HasSuffix(spec, "f"), strings.HasSuffix(spec, "e"), strings.HasSuffix(spec, "g"):
		return spec
	}
	return def
}

func (t *translator) lambda(l *syntax.Lambda, en *env) val {
	// Only single-argument lambdas over arrays (activation functions) are supported.
	if len(l.Params) != 1 {
		return t.bad(l, "lambda", "only one-parameter lambdas are supported")
	}
	inner := newEnv(en.cls, en.fn, en)
	inner.vars[t.lambdaParam(l)] = types.TArray
	body := t.expr(l.Body, inner)
	if body.t.Kind != types.Array {
		return t.bad(l, "lambda", "the body is not an array expression")
	}
	arr := &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}
	fn := &model.FuncLit{Params: []*model.Param{{Name: names.GoLocal(l.Params[0].Name), Type: arr}}, Results: []model.Type{arr},
		Body: []model.Stmt{ret(body.c)}}
	return prim(fn, types.ExtT("Activation"))
}

func (t *translator) ifexp(x *syntax.IfExp, en *env) val {
	cond := t.truth(x.Cond, en)
	if k, ok := constBool(cond); ok {
		// Known at translation time: only the branch Python would evaluate.
		if k {
			return t.expr(x.Then, en)
		}
		return t.expr(x.Else, en)
	}
	a, b := t.expr(x.Then, en), t.expr(x.Else, en)
	ty := t.unify(a.t, b.t)
	if ty == nil {
		ty = types.IfExpUnion(a.t, b.t)
	}
	if ty == nil {
		return t.bad(x, "conditional expression", "branches have types %s and %s", a.t, b.t)
	}
	// A Go func literal keeps Python's lazy evaluation of the untaken branch.
	return prim(closure(t.goType(ty),
		&model.If{Cond: cond.c, Then: []model.Stmt{ret(t.coerce(a, ty, x))}},
		ret(t.coerce(b, ty, x)),
	), ty)
}

func (t *translator) lambdaParam(l *syntax.Lambda) *names.Symbol {
	if s := t.scope.Of(l); s != nil {
		if sym, ok := s.Symbols[l.Params[0].Name]; ok {
			return sym
		}
	}
	return &names.Symbol{Name: l.Params[0].Name, Kind: names.Param}
}
