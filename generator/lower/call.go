package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"regexp"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// bind matches a call's arguments to parameters (types.Bind) and reports
// a mismatch at the argument.
func (t *translator) bind(call *syntax.Call, params []string, variadic string, required map[string]bool, what string) (*types.Bound, bool) {
	b, err := types.Bind(call, params, variadic, required)
	if err != nil {
		t.fail(err.At, "call "+what, "%s", err.Why)
		return nil, false
	}
	return b, true
}

// identity is a template that is one argument, as written.
var identity = regexp.MustCompile(`^\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// callSig translates a call of a table entry.
func (t *translator) callSig(call *syntax.Call, sig *types.Sig, self model.Expr, en *env, what string) val {
	if len(sig.Alts) > 0 {
		// Overloads: the one the checker's argument types pick.
		vals := map[syntax.Expr]types.Val{}
		for _, a := range call.Args {
			vals[a] = t.val(a)
		}
		for _, k := range call.Keywords {
			vals[k.Value] = t.val(k.Value)
		}
		sig = types.ResolveSig(t.tab, sig, call, vals)
	}
	pnames, variadic, req := types.SigParams(sig)
	b, ok := t.bind(call, pnames, variadic, req, what)
	if !ok {
		return prim(nilLit(), types.TUnknown)
	}
	args := map[string]model.Expr{}
	argVals := map[string]val{}
	spread := map[string][]model.Expr{}
	if self != nil {
		args["self"] = self
	}
	for _, p := range sig.Params {
		if p.Variadic {
			if p.Type == "shape" || p.Type == "axes" {
				// x.reshape(B, L, -1) or x.reshape((B, L, -1)) or x.reshape(shape)
				if len(b.Varargs) == 1 {
					spread[p.Name] = t.spreadInts(b.Varargs[0], en)
				} else {
					spread[p.Name] = t.intElems(b.Varargs, en)
				}
			} else {
				for _, a := range b.Varargs {
					spread[p.Name] = append(spread[p.Name], t.expr(a, en).c)
				}
			}
			continue
		}
		e, given := b.ByName[p.Name]
		if !given {
			if !p.HasDef {
				continue
			}
			e = p.DefaultExpr
		}
		if p.Type == "axes" || p.Type == "shape" {
			spread[p.Name] = t.spreadInts(e, en)
			continue
		}
		if p.Type == "list[array]" {
			if l, ok := e.(*syntax.List); ok {
				var codes []model.Expr
				for _, x := range l.Elts {
					codes = append(codes, t.coerce(t.expr(x, en), types.TArray, x))
				}
				args[p.Name] = &model.Composite{Type: &model.Slice{Elem: &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}}, Elts: codes}
				continue
			}
			if tu, ok := e.(*syntax.Tuple); ok {
				var codes []model.Expr
				for _, x := range tu.Elts {
					codes = append(codes, t.coerce(t.expr(x, en), types.TArray, x))
				}
				args[p.Name] = &model.Composite{Type: &model.Slice{Elem: &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}}, Elts: codes}
				continue
			}
		}
		v := t.expr(e, en)
		argVals[p.Name] = v
		args[p.Name] = t.convertParam(v, p.Type, e)
	}
	rt := t.tab.ParseTypeName(sig.Returns)
	if m := identity.FindStringSubmatch(sig.Go); m != nil {
		// The template is the argument itself (int(x) of an int): keep its
		// precedence, so parentheses stay where Go needs them.
		prec := precPrimary
		if a, ok := argVals[m[1]]; ok && args[m[1]] == a.c {
			prec = a.prec
		}
		return val{c: args[m[1]], t: rt, prec: prec}
	}
	code := t.render(sig.Go, args, spread)
	v := prim(code, rt)
	if rt.Kind == types.Tuple {
		v.multi = len(rt.Elems)
	}
	v.lit = sig.Lit
	return v
}

func (t *translator) call(c *syntax.Call, en *env) val {
	// Table functions: mx.*, nn.*, helpers.
	if q := t.scope.Qualify(c.Func); q != "" {
		if sig, ok := t.tab.Functions[q]; ok {
			return t.callSig(c, sig, nil, en, q)
		}
		return t.bad(c, "call "+q, "not in the API table")
	}
	switch f := c.Func.(type) {
	case *syntax.Name:
		if f.Id == "cls" && en.fn != nil && en.cls != nil && en.cls.Plain && en.cls.FromDict == en.fn {
			return t.plainCtor(c, en.cls, en) // lower_plaindataclass.go
		}
		if f.Id == "cls" && en.fn != nil && en.cls != nil && en.cls.IsArgs && en.cls.FromDict == en.fn {
			// cls(a=..., b=...) in a from_dict classmethod: the dataclass filled
			// from those keywords, defaults for the rest, __post_init__ run.
			var kvs []model.Expr
			for _, k := range c.Keywords {
				if k.Name == "" {
					return t.bad(c, "cls(**kwargs)", "not supported")
				}
				kvs = append(kvs, &model.KeyValue{Key: lit(k.Name), Value: t.expr(k.Value, en).c})
			}
			if len(c.Args) > 0 {
				return t.bad(c, "cls(...)", "positional arguments are not supported")
			}
			return prim(call(t.qual("py", "FromDict"), call(id("New"+en.cls.Name)), &model.Composite{Type: &model.Map{Key: named("string"), Elem: named("any")}, Elts: kvs}), types.ClassT(en.cls.Name))
		}
		if f.Id == "cls" && en.fn != nil && en.fn.IsClassMethod && en.fn.Class != nil {
			// cls(...) in a classmethod: the class's constructor.
			cls := en.fn.Class
			if init := cls.ByMeth["__init__"]; init != nil {
				return t.callLocal(c, init, id("New"+cls.Name), en, "New"+cls.Name)
			}
			return t.bad(c, "class "+cls.Name, "has no __init__")
		}
		if _, _, isLocal := en.lookup(t.sym(f, en)); !isLocal {
			if sym, ok := t.scope.Symbols[f.Id]; ok {
				switch sym.Kind {
				case names.LocalClass:
					cls := t.u.ClassIn(t.scope, f.Id)
					if cls == nil {
						return t.bad(c, "class "+f.Id, "not translated (a class of another file this one does not use)")
					}
					if cls.Plain {
						return t.plainCtor(c, cls, en) // lower_plaindataclass.go
					}
					init := cls.ByMeth["__init__"]
					if init == nil {
						return t.bad(c, "class "+f.Id, "has no __init__")
					}
					return t.callLocal(c, init, id("New"+cls.Name), en, "New"+cls.Name)
				case names.LocalFunc:
					fn := t.u.ByFunc[f.Id]
					return t.callLocal(c, fn, id(fn.GoName), en, f.Id)
				}
			}
			if v, ok := t.builtin(c, f.Id, en); ok {
				return v
			}
		}
	case *syntax.Attribute:
		if f.Attr == "from_dict" {
			// ModelArgs.from_dict(d) / gemma3_text.ModelArgs.from_dict(d), and
			// super().from_dict(d) inside a from_dict of its own.
			cls := t.u.DataclassRef(f.X, t.scope)
			if types.SuperMethod(c) == "from_dict" && en.cls != nil && en.cls.IsArgs {
				cls = en.cls
				if len(c.Args) == 1 {
					d := t.expr(c.Args[0], en)
					return prim(call(t.qual("py", "FromDict"), call(id("New"+cls.Name)), t.coerce(d, types.DictOf(types.TStr, types.TAny), c.Args[0])), types.ClassT(cls.Name))
				}
			}
			if cls != nil && len(c.Args) == 1 {
				d := t.expr(c.Args[0], en)
				dc := t.coerce(d, types.DictOf(types.TStr, types.TAny), c.Args[0])
				if cls.FromDict != nil {
					return prim(call(id(cls.FromDict.GoName), dc), types.ClassT(cls.Name))
				}
				return prim(call(t.qual("py", "FromDict"), call(id("New"+cls.Name)), dc), types.ClassT(cls.Name))
			}
		}
		if n, ok := f.X.(*syntax.Name); ok {
			if sym, ok := t.scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if cls := t.u.SiblingClass(sym.File, f.Attr); cls != nil {
					init := cls.ByMeth["__init__"]
					if init == nil {
						return t.bad(c, "class "+f.Attr, "has no __init__")
					}
					return t.callLocal(c, init, id("New"+cls.Name), en, "New"+cls.Name)
				}
				if fn, ok := t.u.ByFunc[f.Attr]; ok {
					return t.callLocal(c, fn, id(fn.GoName), en, f.Attr)
				}
				return t.bad(c, n.Id+"."+f.Attr, "not found in %s.py", sym.File)
			}
		}
		// Class.method(...) of a classmethod of the file's classes.
		if n, ok := f.X.(*syntax.Name); ok {
			if _, _, isLocal := en.lookup(t.sym(n, en)); !isLocal {
				if m := t.u.ClassMethodRef(t.scope, n, f.Attr); m != nil {
					return t.callLocal(c, m, id(m.GoName), en, n.Id+"."+f.Attr)
				}
			}
		}
		// super().__init__() has no Go counterpart: embedding is not used.
		if inner, ok := f.X.(*syntax.Call); ok {
			if n, ok := inner.Func.(*syntax.Name); ok && n.Id == "super" {
				return prim(nil, types.TNone)
			}
		}
		recv := t.expr(f.X, en)
		return t.method(c, f, recv, en)
	}
	callee := t.expr(c.Func, en)
	return t.callValue(c, callee, en)
}

// callValue calls a value: a module instance (its __call__), a table type
// with a call template, or a function value.
func (t *translator) callValue(c *syntax.Call, callee val, en *env) val {
	ct := callee.t.Base()
	switch ct.Kind {
	case types.ClassK:
		cls := t.u.ByClass[ct.Name]
		if cls == nil || cls.ByMeth["__call__"] == nil {
			return t.bad(c, "call", "%s is not callable", ct.Name)
		}
		fn := cls.ByMeth["__call__"]
		return t.callLocal(c, fn, sel(paren(callee, precPrimary), "Forward"), en, ct.Name+".__call__")
	case types.Iface:
		if types.IsDynIface(ct) {
			return t.callDyn(c, callee, en)
		}
		return t.callLocal(c, t.ifaceCall(ct), sel(paren(callee, precPrimary), "Forward"), en, ct.String()+".__call__")
	case types.Ext:
		et := t.tab.Types[ct.Name]
		if et == nil || et.Call == nil {
			return t.bad(c, "call", "%s is not callable in the API table", ct.Name)
		}
		return t.callSig(c, et.Call, paren(callee, precPrimary), en, ct.Name)
	case types.FuncK:
		fn := t.u.ByFunc[ct.Name]
		if fn == nil {
			fn = t.u.Nested[ct.Name]
		}
		if fn != nil {
			return t.callLocal(c, fn, callee.c, en, fn.Def.Name)
		}
	}
	return t.bad(c, "call", "of a value of type %s", callee.t)
}

// callLocal calls a function or method of the model file, filling Python's
// defaults at the call site (Go has none).
func (t *translator) callLocal(c *syntax.Call, fn *types.Func, head model.Expr, en *env, what string) val {
	pnames, req := types.LocalParams(fn)
	c, splat := types.SplatOf(types.DropIgnored(c, fn)) // types/check_unusedvariadic.go
	if splat != nil {
		// f(a, b=1, **kwargs): the dict fills whichever parameters it has.
		req = map[string]bool{}
	}
	b, ok := t.bind(c, pnames, "", req, what)
	if !ok {
		return prim(nilLit(), types.TUnknown)
	}
	var args []model.Expr
	for _, p := range fn.Params {
		e, given := b.ByName[p.Py]
		if !given && splat != nil {
			args = append(args, t.kwArg(splat, p, en))
			continue
		}
		if !given {
			e = p.Def
		}
		v := t.expr(e, en)
		args = append(args, t.coerce(v, p.Type, e))
	}
	ret := fn.Ret
	if ret == nil {
		ret = types.TUnknown
	}
	if fn.Def.Name == "__init__" {
		ret = types.ClassT(fn.Class.Name)
	}
	v := prim(call(head, args...), ret)
	if ret.Kind == types.Tuple {
		v.multi = len(ret.Elems)
	}
	return v
}

// method translates recv.name(...).
func (t *translator) method(c *syntax.Call, f *syntax.Attribute, recv val, en *env) val {
	recv = t.maskAsArray(recv) // mask.astype(...): the SSM mask's array (types.method)
	rt := recv.t.Base()
	switch rt.Kind {
	case types.Array:
		if sig, ok := t.tab.ArrayMethods[f.Attr]; ok {
			return t.callSig(c, sig, paren(recv, precPrimary), en, "array."+f.Attr)
		}
		return t.bad(c, "array method "+f.Attr, "not in the API table")
	case types.ClassK:
		cls := t.u.ByClass[rt.Name]
		if cls != nil && f.Attr == "pop" && len(c.Args) == 1 {
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				if _, ok := cls.ByName[s.Value]; ok {
					return t.bad(c, "method pop", "Module.pop is translated as a statement only")
				}
			}
		}
		if cls != nil {
			if m, ok := cls.ByMeth[f.Attr]; ok && !m.IsProp {
				return t.callLocal(c, m, sel(paren(recv, precPrimary), m.GoName), en, rt.Name+"."+f.Attr)
			}
			if fi, ok := cls.ByName[f.Attr]; ok {
				// self.act(x) where act holds a module or function.
				return t.callValue(c, prim(sel(paren(recv, precPrimary), fi.Go), fi.Type), en)
			}
		}
		return t.bad(c, "method "+f.Attr, "%s has no method %s", rt.Name, f.Attr)
	case types.Iface:
		if ms := t.u.IfaceMethod(rt, f.Attr); ms != nil {
			// A method every member class has (types/iface_methods.go).
			return t.callLocal(c, ms[0], sel(paren(recv, precPrimary), ms[0].GoName), en, rt.String()+"."+f.Attr)
		}
	case types.Ext:
		et := t.tab.Types[rt.Name]
		if et != nil {
			if sig, ok := et.Methods[f.Attr]; ok {
				return t.callSig(c, sig, paren(recv, precPrimary), en, rt.Name+"."+f.Attr)
			}
		}
		return t.bad(c, "method "+f.Attr, "%s has no method %s in the API table", rt.Name, f.Attr)
	case types.Str:
		return t.strMethod(c, f.Attr, recv, en)
	case types.Float:
		return t.floatMethod(c, f.Attr, recv)
	case types.Dict:
		return t.dictMethod(c, f.Attr, recv, en)
	case types.List:
		return t.listMethod(c, f.Attr, recv, en)
	case types.AnyK:
		if f.Attr == "get" && (len(c.Args) == 1 || len(c.Args) == 2) && len(c.Keywords) == 0 {
			// d.get(k, default) on a subtree or config value: a dict at run
			// time (AttributeError otherwise), a value of no static type.
			k := t.expr(c.Args[0], en)
			def := model.Expr(nilLit())
			if len(c.Args) == 2 {
				def = t.coerce(t.expr(c.Args[1], en), types.TAny, c.Args[1])
			}
			return prim(call(t.qual("py", "AnyGet"), recv.c, t.coerce(k, types.TStr, c.Args[0]), def), types.TAny)
		}
	}
	return t.bad(c, "method "+f.Attr, "on a value of type %s", recv.t)
}

func (t *translator) strMethod(c *syntax.Call, name string, recv val, en *env) val {
	args := make([]model.Expr, 0, len(c.Args))
	argTypes := make([]*types.Type, 0, len(c.Args))
	for _, a := range c.Args {
		v := t.expr(a, en)
		args = append(args, v.c)
		argTypes = append(argTypes, v.t.Base())
	}
	recv = val{c: t.deref(recv, c.Func), t: recv.t.Base(), prec: recv.prec}
	s := func(fn string, res *types.Type) val {
		return prim(call(t.qual("strings", fn), append([]model.Expr{recv.c}, args...)...), res)
	}
	if v, ok := t.strPredicate(name, recv, args); ok {
		return v
	}
	switch name {
	case "startswith", "endswith":
		// A tuple (or list) argument matches any of its strings.
		if len(c.Args) == 1 {
			if at := argTypes[0]; at.Kind == types.Tuple || at.Kind == types.List {
				fn := map[string]string{"startswith": "StartsWithAny", "endswith": "EndsWithAny"}[name]
				return prim(call(t.qual("py", fn), recv.c, args[0]), types.TBool)
			}
		}
		if name == "startswith" {
			return s("HasPrefix", types.TBool)
		}
		return s("HasSuffix", types.TBool)
	case "replace":
		return s("ReplaceAll", types.TStr)
	case "split":
		if len(args) == 0 {
			return prim(call(t.qual("py", "StrSplitWS"), recv.c), types.ListOf(types.TStr))
		}
		if len(args) == 2 {
			// split(sep, maxsplit): at most maxsplit splits, all when negative.
			return prim(call(t.qual("py", "StrSplitN"), recv.c, args[0], args[1]), types.ListOf(types.TStr))
		}
		return s("Split", types.ListOf(types.TStr))
	case "lower":
		return s("ToLower", types.TStr)
	case "strip":
		if len(args) == 0 {
			return prim(call(t.qual("py", "StrStrip"), recv.c), types.TStr)
		}
		if len(args) == 1 && argTypes[0].Kind == types.Str {
			// strip(chars): any of those characters, from both ends.
			return prim(call(t.qual("strings", "Trim"), recv.c, args[0]), types.TStr)
		}
	case "join":
		return prim(call(t.qual("strings", "Join"), append(args, recv.c)...), types.TStr)
	case "index":
		if len(args) == 1 {
			return prim(call(t.qual("py", "StrIndex"), recv.c, args[0]), types.TInt)
		}
	case "find":
		if len(args) == 1 {
			return prim(call(t.qual("py", "StrFind"), recv.c, args[0]), types.TInt)
		}
	case "count":
		if len(args) == 1 {
			return prim(call(t.qual("strings", "Count"), recv.c, args[0]), types.TInt)
		}
	case "upper":
		return s("ToUpper", types.TStr)
	case "removeprefix", "removesuffix":
		// Exactly strings.TrimPrefix/TrimSuffix (an empty affix leaves s).
		if len(args) == 1 {
			return s(map[string]string{"removeprefix": "TrimPrefix", "removesuffix": "TrimSuffix"}[name], types.TStr)
		}
	}
	return t.bad(c, "str."+name, "not supported")
}

func (t *translator) dictMethod(c *syntax.Call, name string, recv val, en *env) val {
	dt := recv.t.Base()
	switch name {
	case "get":
		if len(c.Args) < 1 {
			break
		}
		k := t.expr(c.Args[0], en)
		def := t.zero(dt.Elem)
		if len(c.Args) > 1 {
			def = t.coerce(t.expr(c.Args[1], en), dt.Elem, c.Args[1])
			if dt.Elem.Kind == types.AnyK {
				// d.get(k, {}) on a dict of Any: the default is an any too
				// (Go infers rt.Get's V from both arguments).
				def = conv("any", def)
			}
		}
		return prim(call(t.qual("py", "Get"), recv.c, k.c, def), dt.Elem)
	case "pop":
		if len(c.Args) < 1 {
			break
		}
		k := t.expr(c.Args[0], en)
		def := t.zero(dt.Elem)
		if len(c.Args) > 1 {
			def = t.coerce(t.expr(c.Args[1], en), dt.Elem, c.Args[1])
		}
		return prim(call(t.qual("py", "Pop"), recv.c, k.c, def), dt.Elem)
	case "keys":
		if len(c.Args) == 0 {
			// A key view outside a loop (set arithmetic): its sorted keys.
			return prim(call(t.qual("py", "SortedKeys"), recv.c), types.ListOf(dt.Key))
		}
	case "items", "values":
		return t.bad(c, "dict."+name, "only as the iterable of a for loop or comprehension")
	}
	return t.bad(c, "dict."+name, "not supported")
}

func (t *translator) listMethod(c *syntax.Call, name string, recv val, en *env) val {
	switch name {
	case "index":
		if len(c.Args) == 1 {
			return prim(call(t.qual("py", "Index"), recv.c, t.expr(c.Args[0], en).c), types.TInt)
		}
	case "count":
		if len(c.Args) == 1 {
			return prim(call(t.qual("py", "Count"), recv.c, t.expr(c.Args[0], en).c), types.TInt)
		}
	}
	return t.bad(c, "list."+name, "not supported as an expression")
}

// builtin translates calls of Python builtins.
func (t *translator) builtin(c *syntax.Call, name string, en *env) (val, bool) {
	arg := func(i int) val { return t.expr(c.Args[i], en) }
	if v, ok := t.setBuiltin(c, name, en); ok {
		return v, true
	}
	b := t.tab.Builtins[name]
	if b == nil {
		return val{}, false // not a builtin the table knows
	}
	if len(b.Overloads) > 0 {
		return t.overloaded(c, b, en, name)
	}
	switch name {
	case "float":
		if len(c.Args) == 1 {
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				// float("inf"), float("-inf"), float("nan")
				switch strings.ToLower(s.Value) {
				case "inf", "+inf", "infinity":
					return prim(call(t.qual("math", "Inf"), lit(1)), types.TFloat), true
				case "-inf", "-infinity":
					return prim(call(t.qual("math", "Inf"), lit(-1)), types.TFloat), true
				case "nan":
					return prim(call(t.qual("math", "NaN")), types.TFloat), true
				}
			}
			v := arg(0)
			return prim(t.coerce(v, types.TFloat, c), types.TFloat), true
		}
	case "bool":
		if len(c.Args) == 1 {
			return t.truth(c.Args[0], en), true
		}
	case "min", "max":
		if len(c.Args) == 1 {
			// min(xs) over a list of numbers.
			v := arg(0)
			if v.t.Kind == types.AnyK {
				fn := map[string]string{"min": "MinAny", "max": "MaxAny"}[name]
				return prim(call(t.qual("py", fn), v.c), types.TAny), true
			}
			if h := v.t.Homogeneous(); h != nil && h.Numeric() {
				fn := map[string]string{"min": "MinOf", "max": "MaxOf"}[name]
				return prim(call(t.qual("py", fn), v.c), h), true
			}
		}
		if len(c.Args) >= 2 {
			var codes []model.Expr
			var rt *types.Type
			vs := make([]val, len(c.Args))
			for i := range c.Args {
				vs[i] = arg(i)
				rt = t.unify(rt, vs[i].t.Base())
			}
			if rt == nil || !rt.Numeric() {
				if v, ok := t.anyMinMax(c, name, vs); ok {
					return v, true // types/check_minmax.go
				}
				break
			}
			for i, v := range vs {
				codes = append(codes, t.coerce(v, rt, c.Args[i]))
			}
			return prim(call(id(name), codes...), rt), true
		}
	case "isinstance":
		if len(c.Args) == 2 {
			v := arg(0)
			if n, ok := c.Args[1].(*syntax.Name); ok {
				switch n.Id {
				case "list", "tuple", "int", "float", "str", "dict", "bool":
					// One builtin type: as a one-element tuple of types.
					cc := *c
					cc.Args = []syntax.Expr{c.Args[0], &syntax.Tuple{At: n.At, Elts: []syntax.Expr{n}}}
					return t.builtin(&cc, "isinstance", en)
				}
			}
			if tup, ok := c.Args[1].(*syntax.Tuple); ok && (v.t.Kind == types.AnyK || v.t.Kind == types.Union) {
				var kinds []model.Expr
				for _, e := range tup.Elts {
					if n, ok := e.(*syntax.Name); ok {
						kinds = append(kinds, lit(n.Id))
					}
				}
				return prim(call(t.qual("py", "IsInstanceOf"), append([]model.Expr{v.c}, kinds...)...), types.TBool), true
			}
			if tup, ok := c.Args[1].(*syntax.Tuple); ok && v.t.Base().Kind == types.Mask && len(tup.Elts) == 1 {
				if n, ok := tup.Elts[0].(*syntax.Name); ok && n.Id == "str" {
					// A mask holds None, "causal" or an array: the string when
					// it is the causal one (gear's _softcap_attention).
					return prim(sel(paren(v, precPrimary), "Causal"), types.TBool), true
				}
			}
			if tup, ok := c.Args[1].(*syntax.Tuple); ok && v.t.Kind != types.AnyK && v.t.Kind != types.Unknown {
				// isinstance(x, (tuple, list)) on a statically typed value.
				match := false
				for _, e := range tup.Elts {
					n, ok := e.(*syntax.Name)
					if !ok {
						return t.bad(c, "isinstance", "of a tuple with %s", exprText(e)), true
					}
					switch n.Id {
					case "tuple", "list":
						match = match || v.t.Base().Kind == types.List || v.t.Base().Kind == types.Tuple
					case "int":
						match = match || v.t.Base().Kind == types.Int
					case "float":
						match = match || v.t.Base().Kind == types.Float
					case "str":
						match = match || v.t.Base().Kind == types.Str
					case "dict":
						match = match || v.t.Base().Kind == types.Dict
					default:
						return t.bad(c, "isinstance", "of a tuple with %s", n.Id), true
					}
				}
				return litBool(match), true
			}
			q := t.scope.Qualify(c.Args[1])
			if q == "mx.array" {
				// Known statically from the value's type (an int offset or an array).
				switch v.t.Base().Kind {
				case types.Array:
					return litBool(true), true
				case types.Int, types.Float, types.Bool, types.Str, types.None:
					return litBool(false), true
				case types.AnyK, types.Union:
					return prim(typeCall(t.qual("py", "IsInstance"), &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}, v.c), types.TBool), true
				case types.Mask:
					// A mask holds None, "causal" or an array: an array when its Array is set.
					return prim(&model.Binary{Op: "!=", L: sel(paren(v, precPrimary), "Array"), R: nilLit()}, types.TBool), true
				}
			}
			tn := strings.TrimPrefix(q, "cache.")
			if et, ok := t.tab.Types[tn]; ok {
				return prim(typeCall(t.qual("py", "IsInstance"), &model.TemplateType{Parts: t.renderParts(et.Go, nil, nil)}, v.c), types.TBool), true
			}
			if n, ok := c.Args[1].(*syntax.Name); ok && v.t.Kind == types.AnyK {
				switch n.Id {
				case "float":
					return prim(call(t.qual("py", "IsFloat"), v.c), types.TBool), true
				case "int":
					return prim(call(t.qual("py", "IsInt"), v.c), types.TBool), true
				case "str":
					return prim(typeCall(t.qual("py", "IsInstance"), named("string"), v.c), types.TBool), true
				case "list":
					return prim(typeCall(t.qual("py", "IsInstance"), &model.Slice{Elem: named("any")}, v.c), types.TBool), true
				}
			}
			if n, ok := c.Args[1].(*syntax.Name); ok {
				if _, ok := t.u.ByClass[n.Id]; ok {
					return prim(typeCall(t.qual("py", "IsInstance"), &model.Ptr{Elem: named(n.Id)}, v.c), types.TBool), true
				}
			}
			return t.bad(c, "isinstance", "of %s", exprText(c.Args[1])), true
		}
	case "hasattr":
		if len(c.Args) == 2 {
			v := arg(0)
			s, ok := c.Args[1].(*syntax.Constant)
			if ok && s.Kind == syntax.ConstStr && v.t.Kind == types.ClassK {
				cls := t.u.ByClass[v.t.Name]
				_, has := cls.ByName[s.Value]
				_, hasM := cls.ByMeth[s.Value]
				// Static: a dataclass has exactly its declared fields.
				k := syntax.ConstFalse
				if has || hasM {
					k = syntax.ConstTrue
				}
				v := prim(lit(has || hasM), types.TBool)
				v.lit = &syntax.Constant{Kind: k}
				return v, true
			}
			if h, ok := t.cacheHasAttr(c, v); ok {
				return h, true
			}
		}
	case "getattr":
		if len(c.Args) >= 2 {
			v := arg(0)
			s, ok := c.Args[1].(*syntax.Constant)
			if ok && s.Kind == syntax.ConstStr && v.t.Kind == types.ClassK {
				cls := t.u.ByClass[v.t.Name]
				if _, has := cls.ByName[s.Value]; has {
					return t.member(c, v, s.Value, en), true
				}
				if len(c.Args) == 3 {
					return t.expr(c.Args[2], en), true
				}
			}
		}
	case "list", "tuple", "dict":
		if len(c.Args) == 1 {
			// list(d.items()) iterates like d.items(); list(xs), dict(d) copy
			// in Python but are only read here.
			if ic, ok := c.Args[0].(*syntax.Call); ok && len(ic.Args) == 0 {
				if a, ok := ic.Func.(*syntax.Attribute); ok && a.Attr == "items" {
					if d := t.expr(a.X, en); d.t.Kind == types.Dict {
						return d, true
					}
				}
			}
			v := t.expr(c.Args[0], en)
			if name == "dict" && v.t.Kind == types.AnyK {
				// dict(d) of a config value copies it (shallowly, as
				// Python does): item assignments to it leave the config alone.
				return prim(call(t.qual("maps", "Clone"), call(t.qual("py", "Dict"), v.c)), types.DictOf(types.TStr, types.TAny)), true
			}
			if _, fresh := c.Args[0].(*syntax.Call); name == "dict" && v.t.Kind == types.Dict && !fresh {
				// dict(d) of a dict another name holds: the copy Python
				// makes (of a call's fresh result it is not observable).
				return prim(call(t.qual("maps", "Clone"), v.c), v.t), true
			}
			return v, true
		}
		if len(c.Args) == 0 {
			return prim(&model.Composite{Type: &model.Slice{Elem: named("any")}}, types.ListOf(types.TUnknown)), true
		}
	case "range":
		var codes []model.Expr
		for i := range c.Args {
			codes = append(codes, t.coerce(arg(i), types.TInt, c.Args[i]))
		}
		switch len(codes) {
		case 1:
			return prim(call(t.qual("py", "Range"), lit(0), codes[0], lit(1)), types.ListOf(types.TInt)), true
		case 2:
			return prim(call(t.qual("py", "Range"), codes[0], codes[1], lit(1)), types.ListOf(types.TInt)), true
		case 3:
			return prim(call(t.qual("py", "Range"), codes...), types.ListOf(types.TInt)), true
		}
	case "print":
		return prim(nil, types.TNone), true
	case "next":
		if comp, ok := firstArg(c).(*syntax.Comp); ok && comp.Kind == "gen" && len(c.Args) <= 2 {
			if rt := t.val(c).T; rt.Kind != types.Unknown {
				return t.next(comp, c, rt, en), true
			}
		}
	case "all", "any":
		if comp, ok := firstArg(c).(*syntax.Comp); ok && len(c.Args) == 1 && comp.Kind != "dict" {
			// The checker recorded the comprehension's parts; the value is
			// the loop's.
			return t.anyAll(name, comp, en), true
		}
		if len(c.Args) == 1 {
			v := arg(0)
			if h := v.t.Homogeneous(); h != nil && h.Kind == types.Bool {
				fn := map[string]string{"all": "All", "any": "Any"}[name]
				return prim(call(t.qual("py", fn), v.c), types.TBool), true
			}
		}
	}
	return val{}, false
}

// kwArg reads parameter p from a **kwargs dict, with p's default.
func (t *translator) kwArg(splat syntax.Expr, p *types.Param, en *env) model.Expr {
	d := t.expr(splat, en)
	def := t.zero(p.Type)
	if p.Def != nil {
		def = t.coerce(t.expr(p.Def, en), p.Type, p.Def)
	}
	conv := map[types.Kind]string{types.Int: "Int", types.Float: "Float", types.Str: "Str"}[p.Type.Kind]
	if conv == "" || d.t.Kind != types.Dict {
		t.fail(splat, "**kwargs", "for a parameter of type %s", p.Type)
		return nilLit()
	}
	return call(t.qual("py", "Kw"), d.c, lit(p.Py), def, t.qual("py", conv))
}

func firstArg(c *syntax.Call) syntax.Expr {
	if len(c.Args) == 0 {
		return nil
	}
	return c.Args[0]
}

// overloaded translates a call of a builtin given as overloads: the one
// the checker's argument types pick (types.ResolveBuiltin), as a table call.
func (t *translator) overloaded(c *syntax.Call, b *types.Builtin, en *env, name string) (val, bool) {
	vals := map[syntax.Expr]types.Val{}
	for _, a := range c.Args {
		vals[a] = t.val(a)
	}
	for _, k := range c.Keywords {
		vals[k.Value] = t.val(k.Value)
	}
	sig, rt := types.ResolveBuiltin(t.tab, b, c, vals)
	if sig == nil {
		return val{}, false
	}
	v := t.callSig(c, sig, nil, en, name)
	v.t = rt
	if rt.Kind == types.Tuple {
		v.multi = len(rt.Elems) // a Go call with that many results (divmod)
	}
	return v, true
}
