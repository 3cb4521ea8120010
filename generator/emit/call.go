package emit

import (
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// bound is a call's arguments matched to parameter names.
type bound struct {
	byName  map[string]syntax.Expr
	varargs []syntax.Expr
}

// bind matches positional and keyword arguments to parameters the way Python
// does; it reports unknown keywords and missing required arguments.
func (t *translator) bind(call *syntax.Call, params []string, variadic string, required map[string]bool, what string) (*bound, bool) {
	b := &bound{byName: map[string]syntax.Expr{}}
	pi := 0
	for _, a := range call.Args {
		if s, ok := a.(*syntax.Starred); ok && variadic == "" {
			t.fail(s, "call "+what, "*args is only supported for variadic parameters")
			return nil, false
		}
		if pi < len(params) && params[pi] != variadic {
			b.byName[params[pi]] = a
			pi++
			continue
		}
		if variadic != "" {
			b.varargs = append(b.varargs, a)
			continue
		}
		t.fail(a, "call "+what, "too many positional arguments")
		return nil, false
	}
	for _, k := range call.Keywords {
		if k.Name == "" {
			t.fail(k, "call "+what, "**kwargs is not supported")
			return nil, false
		}
		found := false
		for _, p := range params {
			if p == k.Name {
				found = true
			}
		}
		if !found {
			t.fail(k, "call "+what, "unknown keyword argument %s", k.Name)
			return nil, false
		}
		b.byName[k.Name] = k.Value
	}
	for p := range required {
		if _, ok := b.byName[p]; !ok && p != variadic {
			t.fail(call, "call "+what, "missing argument %s", p)
			return nil, false
		}
	}
	return b, true
}

// callSig translates a call of a table entry.
func (t *translator) callSig(call *syntax.Call, sig *types.Sig, self jen.Code, en *env, what string) val {
	var pnames []string
	variadic := ""
	req := map[string]bool{}
	for _, p := range sig.Params {
		pnames = append(pnames, p.Name)
		if p.Variadic {
			variadic = p.Name
		}
		if !p.HasDef && !p.Variadic {
			req[p.Name] = true
		}
	}
	b, ok := t.bind(call, pnames, variadic, req, what)
	if !ok {
		return prim(jen.Nil(), types.TUnknown)
	}
	args := map[string]jen.Code{}
	spread := map[string][]jen.Code{}
	if self != nil {
		args["self"] = self
	}
	for _, p := range sig.Params {
		if p.Variadic {
			if p.Type == "shape" || p.Type == "axes" {
				// x.reshape(B, L, -1) or x.reshape((B, L, -1)) or x.reshape(shape)
				if len(b.varargs) == 1 {
					spread[p.Name] = t.spreadInts(b.varargs[0], en)
				} else {
					spread[p.Name] = t.intElems(b.varargs, en)
				}
			} else {
				for _, a := range b.varargs {
					spread[p.Name] = append(spread[p.Name], t.expr(a, en).c)
				}
			}
			continue
		}
		e, given := b.byName[p.Name]
		if !given {
			if !p.HasDef {
				continue
			}
			e = defaultExpr(p.Default)
		}
		if p.Type == "axes" || p.Type == "shape" {
			spread[p.Name] = t.spreadInts(e, en)
			continue
		}
		if p.Type == "list[array]" {
			if l, ok := e.(*syntax.List); ok {
				var codes []jen.Code
				for _, x := range l.Elts {
					codes = append(codes, t.coerce(t.expr(x, en), types.TArray, x))
				}
				args[p.Name] = jen.Index().Op("*").Add(t.qual("mlx", "Array")).Values(codes...)
				continue
			}
			if tu, ok := e.(*syntax.Tuple); ok {
				var codes []jen.Code
				for _, x := range tu.Elts {
					codes = append(codes, t.coerce(t.expr(x, en), types.TArray, x))
				}
				args[p.Name] = jen.Index().Op("*").Add(t.qual("mlx", "Array")).Values(codes...)
				continue
			}
		}
		v := t.expr(e, en)
		args[p.Name] = t.convertParam(v, p.Type, e)
	}
	code := t.render(sig.Go, args, spread)
	rt := t.tab.ParseTypeName(sig.Returns)
	v := prim(code, rt)
	if rt.Kind == types.Tuple {
		v.multi = len(rt.Elems)
	}
	return v
}

// defaultExpr parses a table default (a Python literal) into an expression.
func defaultExpr(src string) syntax.Expr {
	s := strings.TrimSpace(src)
	switch s {
	case "None":
		return &syntax.Constant{Kind: syntax.ConstNone, Value: s}
	case "True":
		return &syntax.Constant{Kind: syntax.ConstTrue, Value: s}
	case "False":
		return &syntax.Constant{Kind: syntax.ConstFalse, Value: s}
	case "float32", "bfloat16", "float16", "int32":
		return &syntax.Attribute{X: &syntax.Name{Id: "mx"}, Attr: s}
	}
	if strings.HasPrefix(s, "'") || strings.HasPrefix(s, `"`) {
		return &syntax.Constant{Kind: syntax.ConstStr, Value: strings.Trim(s, `'"`)}
	}
	if strings.ContainsAny(s, ".e") {
		return &syntax.Constant{Kind: syntax.ConstFloat, Value: s}
	}
	return &syntax.Constant{Kind: syntax.ConstInt, Value: s}
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
		if f.Id == "cls" && en.fn != nil && en.cls != nil && en.cls.isArgs && en.cls.fromDict == en.fn {
			// cls(a=..., b=...) in a from_dict classmethod: the dataclass filled
			// from those keywords, defaults for the rest, __post_init__ run.
			var kvs []jen.Code
			for _, k := range c.Keywords {
				if k.Name == "" {
					return t.bad(c, "cls(**kwargs)", "not supported")
				}
				kvs = append(kvs, jen.Lit(k.Name).Op(":").Add(t.expr(k.Value, en).c))
			}
			if len(c.Args) > 0 {
				return t.bad(c, "cls(...)", "positional arguments are not supported")
			}
			return prim(t.qual("rt", "FromDict").Call(jen.Id("New"+en.cls.name).Call(), jen.Map(jen.String()).Any().Values(kvs...)), types.ClassT(en.cls.name))
		}
		if f.Id == "cls" && en.fn != nil && en.fn.isClassMethod && en.fn.class != nil {
			// cls(...) in a classmethod: the class's constructor.
			cls := en.fn.class
			if init := cls.byMeth["__init__"]; init != nil {
				return t.callLocal(c, init, jen.Id("New"+cls.name), en, "New"+cls.name)
			}
			return t.bad(c, "class "+cls.name, "has no __init__")
		}
		if _, _, isLocal := en.lookup(f.Id); !isLocal {
			if sym, ok := t.scope.Symbols[f.Id]; ok {
				switch sym.Kind {
				case names.LocalClass:
					cls := t.classOf(f.Id)
					init := cls.byMeth["__init__"]
					if init == nil {
						return t.bad(c, "class "+f.Id, "has no __init__")
					}
					return t.callLocal(c, init, jen.Id("New"+cls.name), en, "New"+cls.name)
				case names.LocalFunc:
					fn := t.byFunc[f.Id]
					return t.callLocal(c, fn, jen.Id(fn.goName), en, f.Id)
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
			cls := t.dataclassRef(f.X)
			if superMethod(c) == "from_dict" && en.cls != nil && en.cls.isArgs {
				cls = en.cls
				if len(c.Args) == 1 {
					d := t.expr(c.Args[0], en)
					return prim(t.qual("rt", "FromDict").Call(jen.Id("New"+cls.name).Call(), t.coerce(d, types.DictOf(types.TStr, types.TAny), c.Args[0])), types.ClassT(cls.name))
				}
			}
			if cls != nil && len(c.Args) == 1 {
				d := t.expr(c.Args[0], en)
				dc := t.coerce(d, types.DictOf(types.TStr, types.TAny), c.Args[0])
				if cls.fromDict != nil {
					return prim(jen.Id(cls.fromDict.goName).Call(dc), types.ClassT(cls.name))
				}
				return prim(t.qual("rt", "FromDict").Call(jen.Id("New"+cls.name).Call(), dc), types.ClassT(cls.name))
			}
		}
		if n, ok := f.X.(*syntax.Name); ok {
			if sym, ok := t.scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if cls := t.siblingClass(sym.File, f.Attr); cls != nil {
					init := cls.byMeth["__init__"]
					if init == nil {
						return t.bad(c, "class "+f.Attr, "has no __init__")
					}
					return t.callLocal(c, init, jen.Id("New"+cls.name), en, "New"+cls.name)
				}
				if fn, ok := t.byFunc[f.Attr]; ok {
					return t.callLocal(c, fn, jen.Id(fn.goName), en, f.Attr)
				}
				return t.bad(c, n.Id+"."+f.Attr, "not found in %s.py", sym.File)
			}
		}
		// Class.method(...) of a classmethod of the file's classes.
		if n, ok := f.X.(*syntax.Name); ok {
			if _, _, isLocal := en.lookup(n.Id); !isLocal {
				if sym, ok := t.scope.Symbols[n.Id]; ok && sym.Kind == names.LocalClass {
					if cls := t.classOf(n.Id); cls != nil {
						if m, ok := cls.byMeth[f.Attr]; ok && m.isClassMethod {
							return t.callLocal(c, m, jen.Id(m.goName), en, n.Id+"."+f.Attr)
						}
					}
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
	case types.Class:
		cls := t.byClass[ct.Name]
		if cls == nil || cls.byMeth["__call__"] == nil {
			return t.bad(c, "call", "%s is not callable", ct.Name)
		}
		fn := cls.byMeth["__call__"]
		return t.callLocal(c, fn, jen.Add(paren(callee, precPrimary)).Dot("Forward"), en, ct.Name+".__call__")
	case types.Iface:
		return t.callLocal(c, t.ifaceCall(ct), jen.Add(paren(callee, precPrimary)).Dot("Forward"), en, ct.String()+".__call__")
	case types.Ext:
		et := t.tab.Types[ct.Name]
		if et == nil || et.Call == nil {
			return t.bad(c, "call", "%s is not callable in the API table", ct.Name)
		}
		return t.callSig(c, et.Call, paren(callee, precPrimary), en, ct.Name)
	case types.Func:
		fn := t.byFunc[ct.Name]
		if fn == nil {
			fn = t.nested[ct.Name]
		}
		if fn != nil {
			return t.callLocal(c, fn, callee.c, en, fn.def.Name)
		}
	case types.Unknown:
		if t.dry {
			return prim(jen.Nil(), types.TUnknown)
		}
	}
	return t.bad(c, "call", "of a value of type %s", callee.t)
}

// callLocal calls a function or method of the model file, filling Python's
// defaults at the call site (Go has none) and learning parameter types from
// the arguments during inference.
func (t *translator) callLocal(c *syntax.Call, fn *funcInfo, head jen.Code, en *env, what string) val {
	var pnames []string
	req := map[string]bool{}
	for _, p := range fn.params {
		pnames = append(pnames, p.py)
		if p.def == nil {
			req[p.py] = true
		}
	}
	var splat syntax.Expr
	if n := len(c.Keywords); n > 0 && c.Keywords[n-1].Name == "" {
		// f(a, b=1, **kwargs): the dict fills whichever parameters it has.
		splat = c.Keywords[n-1].Value
		cc := *c
		cc.Keywords = c.Keywords[:n-1]
		c = &cc
		for p := range req {
			delete(req, p)
		}
	}
	b, ok := t.bind(c, pnames, "", req, what)
	if !ok {
		return prim(jen.Nil(), types.TUnknown)
	}
	var args []jen.Code
	for _, p := range fn.params {
		e, given := b.byName[p.py]
		if !given && splat != nil {
			args = append(args, t.kwArg(splat, p, en))
			continue
		}
		if !given {
			e = p.def
		}
		v := t.expr(e, en)
		if t.dry && given {
			// Call sites teach unannotated parameters their types.
			if v.t.Kind == types.AnyK && !p.annotated && (p.typ.Kind == types.Int || p.typ.Kind == types.Float) {
				// A config value passed for a number: it may be a float.
				p.typ = types.TFloat
			} else if p.typ.Kind == types.Unknown && v.t.Kind != types.Unknown && v.t.Kind != types.None {
				p.typ = v.t
			} else if u := t.unify(p.typ, v.t); u != nil && p.typ.Kind != types.Unknown && !u.Equal(p.typ) && v.t.Kind != types.AnyK &&
				!(p.typ.Kind == types.Mask) && !(p.typ.Kind == types.Ext) {
				p.typ = u
			}
		}
		args = append(args, t.coerce(v, p.typ, e))
	}
	ret := fn.ret
	if ret == nil {
		ret = types.TUnknown
	}
	if fn.def.Name == "__init__" {
		ret = types.ClassT(fn.class.name)
	}
	v := prim(jen.Add(head).Call(args...), ret)
	if ret.Kind == types.Tuple {
		v.multi = len(ret.Elems)
	}
	return v
}

// method translates recv.name(...).
func (t *translator) method(c *syntax.Call, f *syntax.Attribute, recv val, en *env) val {
	rt := recv.t.Base()
	switch rt.Kind {
	case types.Array:
		if sig, ok := t.tab.ArrayMethods[f.Attr]; ok {
			return t.callSig(c, sig, paren(recv, precPrimary), en, "array."+f.Attr)
		}
		return t.bad(c, "array method "+f.Attr, "not in the API table")
	case types.Class:
		cls := t.byClass[rt.Name]
		if cls != nil && f.Attr == "pop" && len(c.Args) == 1 {
			// Module.pop("name") drops a child module (and its parameters).
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				if fi, ok := cls.byName[s.Value]; ok {
					return prim(jen.Add(paren(recv, precPrimary)).Dot(fi.goName).Op("=").Add(t.zero(fi.typ)), types.TNone)
				}
			}
		}
		if cls != nil {
			if m, ok := cls.byMeth[f.Attr]; ok && !m.isProp {
				return t.callLocal(c, m, jen.Add(paren(recv, precPrimary)).Dot(m.goName), en, rt.Name+"."+f.Attr)
			}
			if fi, ok := cls.byName[f.Attr]; ok {
				// self.act(x) where act holds a module or function.
				return t.callValue(c, prim(jen.Add(paren(recv, precPrimary)).Dot(fi.goName), fi.typ), en)
			}
		}
		if t.dry {
			return prim(jen.Nil(), types.TUnknown)
		}
		return t.bad(c, "method "+f.Attr, "%s has no method %s", rt.Name, f.Attr)
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
	case types.Dict:
		return t.dictMethod(c, f.Attr, recv, en)
	case types.List:
		return t.listMethod(c, f.Attr, recv, en)
	case types.AnyK:
		if f.Attr == "get" && (len(c.Args) == 1 || len(c.Args) == 2) && len(c.Keywords) == 0 {
			// d.get(k, default) on a subtree or config value: a dict at run
			// time (AttributeError otherwise), a value of no static type.
			k := t.expr(c.Args[0], en)
			def := jen.Code(jen.Nil())
			if len(c.Args) == 2 {
				def = t.coerce(t.expr(c.Args[1], en), types.TAny, c.Args[1])
			}
			return prim(t.qual("rt", "AnyGet").Call(recv.c, t.coerce(k, types.TStr, c.Args[0]), def), types.TAny)
		}
	case types.Unknown:
		if t.dry {
			return prim(jen.Nil(), types.TUnknown)
		}
	}
	return t.bad(c, "method "+f.Attr, "on a value of type %s", recv.t)
}

func (t *translator) strMethod(c *syntax.Call, name string, recv val, en *env) val {
	t.imports["strings"] = true
	args := make([]jen.Code, 0, len(c.Args))
	for _, a := range c.Args {
		args = append(args, t.expr(a, en).c)
	}
	recv = val{c: t.deref(recv, c.Func), t: recv.t.Base(), prec: recv.prec}
	s := func(fn string, res *types.Type) val {
		return prim(jen.Qual("strings", fn).Call(append([]jen.Code{recv.c}, args...)...), res)
	}
	switch name {
	case "startswith":
		return s("HasPrefix", types.TBool)
	case "endswith":
		return s("HasSuffix", types.TBool)
	case "replace":
		return s("ReplaceAll", types.TStr)
	case "split":
		if len(args) == 0 {
			return prim(jen.Qual("strings", "Fields").Call(recv.c), types.ListOf(types.TStr))
		}
		return s("Split", types.ListOf(types.TStr))
	case "lower":
		return s("ToLower", types.TStr)
	case "strip":
		return prim(jen.Qual("strings", "TrimSpace").Call(recv.c), types.TStr)
	case "join":
		return prim(jen.Qual("strings", "Join").Call(append(args, recv.c)...), types.TStr)
	case "index":
		if len(args) == 1 {
			return prim(t.qual("rt", "StrIndex").Call(recv.c, args[0]), types.TInt)
		}
	case "find":
		if len(args) == 1 {
			return prim(t.qual("rt", "StrFind").Call(recv.c, args[0]), types.TInt)
		}
	case "count":
		if len(args) == 1 {
			return prim(jen.Qual("strings", "Count").Call(recv.c, args[0]), types.TInt)
		}
	case "upper":
		return s("ToUpper", types.TStr)
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
				def = jen.Any().Call(def)
			}
		}
		return prim(t.qual("rt", "Get").Call(recv.c, k.c, def), dt.Elem)
	case "pop":
		if len(c.Args) < 1 {
			break
		}
		k := t.expr(c.Args[0], en)
		def := t.zero(dt.Elem)
		if len(c.Args) > 1 {
			def = t.coerce(t.expr(c.Args[1], en), dt.Elem, c.Args[1])
		}
		return prim(t.qual("rt", "Pop").Call(recv.c, k.c, def), dt.Elem)
	case "items", "keys", "values":
		return t.bad(c, "dict."+name, "only as the iterable of a for loop or comprehension")
	}
	return t.bad(c, "dict."+name, "not supported")
}

func (t *translator) listMethod(c *syntax.Call, name string, recv val, en *env) val {
	switch name {
	case "index":
		if len(c.Args) == 1 {
			return prim(t.qual("py", "Index").Call(recv.c, t.expr(c.Args[0], en).c), types.TInt)
		}
	case "count":
		if len(c.Args) == 1 {
			return prim(t.qual("rt", "Count").Call(recv.c, t.expr(c.Args[0], en).c), types.TInt)
		}
	}
	return t.bad(c, "list."+name, "not supported as an expression")
}

// builtin translates calls of Python builtins.
func (t *translator) builtin(c *syntax.Call, name string, en *env) (val, bool) {
	arg := func(i int) val { return t.expr(c.Args[i], en) }
	switch name {
	case "len":
		if len(c.Args) == 1 {
			return prim(jen.Len(arg(0).c), types.TInt), true
		}
	case "int":
		if len(c.Args) == 1 {
			v := arg(0)
			switch v.t.Base().Kind {
			case types.Int:
				return val{c: t.deref(v, c), t: types.TInt, prec: v.prec}, true
			case types.Float:
				return prim(jen.Int().Call(t.deref(v, c)), types.TInt), true
			case types.Bool:
				return prim(t.qual("rt", "BoolToInt").Call(v.c), types.TInt), true
			case types.Array:
				return prim(t.qual("rt", "IntItem").Call(v.c), types.TInt), true
			case types.Str:
				// int("12"): base 10, ValueError otherwise.
				return prim(t.qual("py", "ParseInt").Call(v.c), types.TInt), true
			}
		}
	case "sorted":
		if len(c.Args) == 1 && len(c.Keywords) == 0 {
			// sorted(xs) of numbers or strings (a list or a generator).
			v := arg(0)
			if h := v.t.Homogeneous(); h != nil && (h.Numeric() || h.Kind == types.Str) {
				return prim(t.qual("py", "Sorted").Call(v.c), types.ListOf(h)), true
			}
		}
	case "float":
		if len(c.Args) == 1 {
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				// float("inf"), float("-inf"), float("nan")
				t.imports["math"] = true
				switch strings.ToLower(s.Value) {
				case "inf", "+inf", "infinity":
					return prim(jen.Qual("math", "Inf").Call(jen.Lit(1)), types.TFloat), true
				case "-inf", "-infinity":
					return prim(jen.Qual("math", "Inf").Call(jen.Lit(-1)), types.TFloat), true
				case "nan":
					return prim(jen.Qual("math", "NaN").Call(), types.TFloat), true
				}
			}
			v := arg(0)
			return prim(t.coerce(v, types.TFloat, c), types.TFloat), true
		}
	case "bool":
		if len(c.Args) == 1 {
			return t.truth(c.Args[0], en), true
		}
	case "str":
		if len(c.Args) == 1 {
			t.imports["fmt"] = true
			return prim(jen.Qual("fmt", "Sprint").Call(arg(0).c), types.TStr), true
		}
	case "min", "max":
		if len(c.Args) == 1 {
			// min(xs) over a list of numbers.
			v := arg(0)
			if v.t.Kind == types.AnyK {
				fn := map[string]string{"min": "MinAny", "max": "MaxAny"}[name]
				return prim(t.qual("rt", fn).Call(v.c), types.TAny), true
			}
			if h := v.t.Homogeneous(); h != nil && h.Numeric() {
				fn := map[string]string{"min": "MinOf", "max": "MaxOf"}[name]
				return prim(t.qual("rt", fn).Call(v.c), h), true
			}
		}
		if len(c.Args) >= 2 {
			var codes []jen.Code
			var rt *types.Type
			vs := make([]val, len(c.Args))
			for i := range c.Args {
				vs[i] = arg(i)
				rt = t.unify(rt, vs[i].t.Base())
			}
			if rt == nil || !rt.Numeric() {
				break
			}
			for i, v := range vs {
				codes = append(codes, t.coerce(v, rt, c.Args[i]))
			}
			return prim(jen.Id(name).Call(codes...), rt), true
		}
	case "abs":
		if len(c.Args) == 1 {
			v := arg(0)
			if v.t.Kind == types.Array {
				return prim(t.qual("mlx", "Abs").Call(v.c), types.TArray), true
			}
			return prim(t.qual("rt", "Abs").Call(v.c), v.t), true
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
			if tup, ok := c.Args[1].(*syntax.Tuple); ok && v.t.Kind == types.AnyK {
				var kinds []jen.Code
				for _, e := range tup.Elts {
					if n, ok := e.(*syntax.Name); ok {
						kinds = append(kinds, jen.Lit(n.Id))
					}
				}
				return prim(t.qual("rt", "IsInstanceOf").Call(append([]jen.Code{v.c}, kinds...)...), types.TBool), true
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
				case types.AnyK:
					return prim(t.qual("py", "IsInstance").Types(jen.Op("*").Add(t.qual("mlx", "Array"))).Call(v.c), types.TBool), true
				}
			}
			tn := strings.TrimPrefix(q, "cache.")
			if et, ok := t.tab.Types[tn]; ok {
				return prim(t.qual("py", "IsInstance").Types(t.render(et.Go, nil, nil)).Call(v.c), types.TBool), true
			}
			if n, ok := c.Args[1].(*syntax.Name); ok && v.t.Kind == types.AnyK {
				switch n.Id {
				case "float":
					return prim(t.qual("rt", "IsFloat").Call(v.c), types.TBool), true
				case "int":
					return prim(t.qual("rt", "IsInt").Call(v.c), types.TBool), true
				case "str":
					return prim(t.qual("py", "IsInstance").Types(jen.String()).Call(v.c), types.TBool), true
				case "list":
					return prim(t.qual("py", "IsInstance").Types(jen.Index().Any()).Call(v.c), types.TBool), true
				}
			}
			if n, ok := c.Args[1].(*syntax.Name); ok {
				if _, ok := t.byClass[n.Id]; ok {
					return prim(t.qual("py", "IsInstance").Types(jen.Op("*").Id(n.Id)).Call(v.c), types.TBool), true
				}
			}
			return t.bad(c, "isinstance", "of %s", exprText(c.Args[1])), true
		}
	case "hasattr":
		if len(c.Args) == 2 {
			v := arg(0)
			s, ok := c.Args[1].(*syntax.Constant)
			if ok && s.Kind == syntax.ConstStr && v.t.Kind == types.Class {
				cls := t.byClass[v.t.Name]
				_, has := cls.byName[s.Value]
				_, hasM := cls.byMeth[s.Value]
				// Static: a dataclass has exactly its declared fields.
				k := syntax.ConstFalse
				if has || hasM {
					k = syntax.ConstTrue
				}
				v := prim(jen.Lit(has || hasM), types.TBool)
				v.lit = &syntax.Constant{Kind: k}
				return v, true
			}
		}
	case "getattr":
		if len(c.Args) >= 2 {
			v := arg(0)
			s, ok := c.Args[1].(*syntax.Constant)
			if ok && s.Kind == syntax.ConstStr && v.t.Kind == types.Class {
				cls := t.byClass[v.t.Name]
				if _, has := cls.byName[s.Value]; has {
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
			return t.expr(c.Args[0], en), true
		}
		if len(c.Args) == 0 {
			return prim(jen.Index().Any().Values(), types.ListOf(types.TUnknown)), true
		}
	case "range":
		var codes []jen.Code
		for i := range c.Args {
			codes = append(codes, t.coerce(arg(i), types.TInt, c.Args[i]))
		}
		switch len(codes) {
		case 1:
			return prim(t.qual("py", "Range").Call(jen.Lit(0), codes[0], jen.Lit(1)), types.ListOf(types.TInt)), true
		case 2:
			return prim(t.qual("py", "Range").Call(codes[0], codes[1], jen.Lit(1)), types.ListOf(types.TInt)), true
		case 3:
			return prim(t.qual("py", "Range").Call(codes...), types.ListOf(types.TInt)), true
		}
	case "sum":
		if len(c.Args) == 1 {
			v := arg(0)
			if h := v.t.Homogeneous(); h != nil && h.Numeric() {
				return prim(t.qual("py", "Sum").Call(v.c), h), true
			}
		}
	case "print":
		return prim(nil, types.TNone), true
	case "all", "any":
		if len(c.Args) == 1 {
			v := arg(0)
			if h := v.t.Homogeneous(); h != nil && h.Kind == types.Bool {
				fn := map[string]string{"all": "All", "any": "Any"}[name]
				return prim(t.qual("rt", fn).Call(v.c), types.TBool), true
			}
		}
	}
	return val{}, false
}

// kwArg reads parameter p from a **kwargs dict, with p's default.
func (t *translator) kwArg(splat syntax.Expr, p *paramInfo, en *env) jen.Code {
	d := t.expr(splat, en)
	if t.dry && p.typ.Kind == types.Int && !p.annotated {
		// Config values are JSON numbers: an int default may receive a float.
		p.typ = types.TFloat
	}
	def := t.zero(p.typ)
	if p.def != nil {
		def = t.coerce(t.expr(p.def, en), p.typ, p.def)
	}
	conv := map[types.Kind]string{types.Int: "Int", types.Float: "Float", types.Str: "Str"}[p.typ.Kind]
	if conv == "" || d.t.Kind != types.Dict {
		t.fail(splat, "**kwargs", "for a parameter of type %s", p.typ)
		return jen.Nil()
	}
	return t.qual("rt", "Kw").Call(d.c, jen.Lit(p.py), def, t.qual("rt", conv))
}

// siblingClass is <sibling>.<name> as the current file sees it.
func (t *translator) siblingClass(file, name string) *classInfo {
	if c, ok := t.siblingClasses[file][name]; ok {
		if cur, ok := t.byClass[c.name]; ok && cur == c {
			return c
		}
	}
	return t.byClass[name]
}

// dataclassRef resolves ModelArgs or <sibling>.ModelArgs to a dataclass.
func (t *translator) dataclassRef(e syntax.Expr) *classInfo {
	switch x := e.(type) {
	case *syntax.Name:
		if c := t.classOf(x.Id); c != nil && c.isArgs {
			return c
		}
	case *syntax.Attribute:
		if n, ok := x.X.(*syntax.Name); ok {
			if sym, ok := t.scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if c := t.siblingClass(sym.File, x.Attr); c != nil && c.isArgs {
					return c
				}
			}
		}
	}
	return nil
}
