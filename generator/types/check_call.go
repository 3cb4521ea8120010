package types

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Bound is a call's arguments matched to parameter names.
type Bound struct {
	ByName  map[string]syntax.Expr
	Varargs []syntax.Expr
}

// BindError says why a call's arguments do not match its parameters.
type BindError struct {
	At  syntax.Node
	Why string
}

// Bind matches positional and keyword arguments to parameters the way
// Python does; it reports unknown keywords and missing required arguments.
func Bind(call *syntax.Call, params []string, variadic string, required map[string]bool) (*Bound, *BindError) {
	b := &Bound{ByName: map[string]syntax.Expr{}}
	pi := 0
	for _, a := range call.Args {
		if s, ok := a.(*syntax.Starred); ok && variadic == "" {
			return nil, &BindError{s, "*args is only supported for variadic parameters"}
		}
		if pi < len(params) && params[pi] != variadic {
			b.ByName[params[pi]] = a
			pi++
			continue
		}
		if variadic != "" {
			b.Varargs = append(b.Varargs, a)
			continue
		}
		return nil, &BindError{a, "too many positional arguments"}
	}
	for _, k := range call.Keywords {
		if k.Name == "" {
			return nil, &BindError{k, "**kwargs is not supported"}
		}
		found := false
		for _, p := range params {
			if p == k.Name {
				found = true
			}
		}
		if !found {
			return nil, &BindError{k, fmt.Sprintf("unknown keyword argument %s", k.Name)}
		}
		b.ByName[k.Name] = k.Value
	}
	for _, p := range sortedKeys(required) {
		if _, ok := b.ByName[p]; !ok && p != variadic {
			return nil, &BindError{call, fmt.Sprintf("missing argument %s", p)}
		}
	}
	return b, nil
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// SigParams are a table entry's parameter names, its variadic one and the
// required ones, for Bind.
func SigParams(sig *Sig) ([]string, string, map[string]bool) {
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
	return pnames, variadic, req
}

// LocalParams are a local function's parameter names and required ones.
func LocalParams(fn *Func) ([]string, map[string]bool) {
	var pnames []string
	req := map[string]bool{}
	for _, p := range fn.Params {
		pnames = append(pnames, p.Py)
		if p.Def == nil {
			req[p.Py] = true
		}
	}
	return pnames, req
}

// callSig checks a call of a table entry.
func (t *checker) callSig(call *syntax.Call, sig *Sig, en *env) Val {
	if len(sig.Alts) > 0 {
		vals := map[syntax.Expr]Val{}
		for _, a := range call.Args {
			vals[a] = t.expr(a, en)
		}
		for _, k := range call.Keywords {
			vals[k.Value] = t.expr(k.Value, en)
		}
		sig = ResolveSig(t.tab, sig, call, vals)
	}
	pnames, variadic, req := SigParams(sig)
	b, err := Bind(call, pnames, variadic, req)
	if err != nil {
		return t.bad()
	}
	for _, p := range sig.Params {
		if p.Variadic {
			if p.Type == "shape" || p.Type == "axes" {
				if len(b.Varargs) == 1 {
					t.spreadInts(b.Varargs[0], en)
				} else {
					t.intElems(b.Varargs, en)
				}
			} else {
				for _, a := range b.Varargs {
					t.expr(a, en)
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
			t.spreadInts(e, en)
			continue
		}
		if p.Type == "list[array]" {
			if l, ok := e.(*syntax.List); ok {
				for _, x := range l.Elts {
					t.expr(x, en)
				}
				continue
			}
			if tu, ok := e.(*syntax.Tuple); ok {
				for _, x := range tu.Elts {
					t.expr(x, en)
				}
				continue
			}
		}
		t.teachFuncArg(t.expr(e, en), p.Type)
	}
	rt := t.tab.ParseTypeName(sig.Returns)
	v := tv(rt)
	if rt.Kind == Tuple {
		v.Multi = len(rt.Elems)
	}
	v.Lit = sig.Lit
	return v
}

// spreadInts checks an axes/shape argument.
func (t *checker) spreadInts(e syntax.Expr, en *env) {
	if e == nil {
		return
	}
	switch x := e.(type) {
	case *syntax.Constant:
		if x.Kind == syntax.ConstNone {
			return
		}
	case *syntax.Starred:
		// f(*shape) for a variadic shape: the sequence's ints themselves.
		t.expr(x.X, en)
		return
	case *syntax.Tuple:
		t.intElems(x.Elts, en)
		return
	case *syntax.List:
		t.intElems(x.Elts, en)
		return
	}
	t.expr(e, en)
}

func (t *checker) intElems(elts []syntax.Expr, en *env) {
	for _, e := range elts {
		if _, ok := e.(*syntax.Starred); ok {
			t.sequence(elts[0], elts, en, false)
			return
		}
	}
	for _, e := range elts {
		t.expr(e, en)
	}
}

// SuperMethod returns "__init__" for super().__init__(...), and so on.
func SuperMethod(c *syntax.Call) string {
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

func (t *checker) isLocal(n *syntax.Name, en *env) bool {
	_, ok := en.lookup(t.sym(n, en))
	return ok
}

func (t *checker) call(c *syntax.Call, en *env) Val {
	u := t.u
	// Table functions: mx.*, nn.*, helpers.
	if q := t.scope.Qualify(c.Func); q != "" {
		if sig, ok := t.tab.Functions[q]; ok {
			if chk := tableCallChecks[q]; chk != nil {
				chk(t, c)
			}
			return t.callSig(c, sig, en)
		}
		return t.bad()
	}
	switch f := c.Func.(type) {
	case *syntax.Name:
		if f.Id == "cls" && en.fn != nil && en.cls != nil && en.cls.Plain && en.cls.FromDict == en.fn {
			return t.plainCtor(c, en.cls, en) // check_plaindataclass.go
		}
		if f.Id == "cls" && en.fn != nil && en.cls != nil && en.cls.IsArgs && en.cls.FromDict == en.fn {
			// cls(a=..., b=...) in a from_dict classmethod.
			for _, k := range c.Keywords {
				if k.Name == "" {
					return t.bad()
				}
				t.expr(k.Value, en)
			}
			if len(c.Args) > 0 {
				return t.bad()
			}
			return tv(ClassT(en.cls.Name))
		}
		if f.Id == "cls" && en.fn != nil && en.fn.IsClassMethod && en.fn.Class != nil {
			// cls(...) in a classmethod: the class's constructor.
			if init := en.fn.Class.ByMeth["__init__"]; init != nil {
				return t.callLocal(c, init, en)
			}
			return t.bad()
		}
		if !t.isLocal(f, en) {
			if sym, ok := t.scope.Symbols[f.Id]; ok {
				switch sym.Kind {
				case names.LocalClass:
					cls := u.ClassIn(t.scope, f.Id)
					if cls == nil {
						return t.bad()
					}
					if cls.Plain {
						return t.plainCtor(c, cls, en) // check_plaindataclass.go
					}
					init := cls.ByMeth["__init__"]
					if init == nil {
						return t.bad()
					}
					return t.callLocal(c, init, en)
				case names.LocalFunc:
					return t.callLocal(c, u.ByFunc[f.Id], en)
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
			cls := u.DataclassRef(f.X, t.scope)
			if SuperMethod(c) == "from_dict" && en.cls != nil && en.cls.IsArgs {
				cls = en.cls
				if len(c.Args) == 1 {
					t.expr(c.Args[0], en)
					return tv(ClassT(cls.Name))
				}
			}
			if cls != nil && len(c.Args) == 1 {
				t.expr(c.Args[0], en)
				return tv(ClassT(cls.Name))
			}
		}
		if n, ok := f.X.(*syntax.Name); ok {
			if sym, ok := t.scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if cls := u.SiblingClass(sym.File, f.Attr); cls != nil {
					init := cls.ByMeth["__init__"]
					if init == nil {
						return t.bad()
					}
					return t.callLocal(c, init, en)
				}
				if fn, ok := u.ByFunc[f.Attr]; ok {
					return t.callLocal(c, fn, en)
				}
				return t.bad()
			}
		}
		// Class.method(...) of a classmethod of the file's classes.
		if m := t.classMethodRef(f, en); m != nil {
			return t.callLocal(c, m, en)
		}
		// super().__init__() has no Go counterpart: embedding is not used.
		if inner, ok := f.X.(*syntax.Call); ok {
			if n, ok := inner.Func.(*syntax.Name); ok && n.Id == "super" {
				return tv(TNone)
			}
		}
		recv := t.expr(f.X, en)
		return t.method(c, f, recv, en)
	}
	callee := t.expr(c.Func, en)
	return t.callValue(c, callee, en)
}

// callValue checks a call of a value: a module instance (its __call__), a
// table type with a call template, or a function value.
func (t *checker) callValue(c *syntax.Call, callee Val, en *env) Val {
	ct := callee.T.Base()
	switch ct.Kind {
	case ClassK:
		cls := t.u.ByClass[ct.Name]
		if cls == nil || cls.ByMeth["__call__"] == nil {
			return t.bad()
		}
		return t.callLocal(c, cls.ByMeth["__call__"], en)
	case Iface:
		if IsDynIface(ct) {
			return t.callDyn(c, ct, en)
		}
		return t.callLocal(c, t.u.IfaceCall(ct), en)
	case Ext:
		et := t.tab.Types[ct.Name]
		if et == nil || et.Call == nil {
			return t.bad()
		}
		return t.callSig(c, et.Call, en)
	case FuncK:
		fn := t.u.ByFunc[ct.Name]
		if fn == nil {
			fn = t.u.Nested[ct.Name]
		}
		if fn != nil {
			return t.callLocal(c, fn, en)
		}
	}
	return t.bad()
}

// SplatOf splits a call's trailing **kwargs off.
func SplatOf(c *syntax.Call) (*syntax.Call, syntax.Expr) {
	if n := len(c.Keywords); n > 0 && c.Keywords[n-1].Name == "" {
		cc := *c
		cc.Keywords = c.Keywords[:n-1]
		return &cc, c.Keywords[n-1].Value
	}
	return c, nil
}

// callLocal checks a call of a function or method of the unit; during
// inference its arguments teach unannotated parameters their types.
func (t *checker) callLocal(c *syntax.Call, fn *Func, en *env) Val {
	t.edge(en.fn, fn)
	pnames, req := LocalParams(fn)
	c, splat := SplatOf(DropIgnored(c, fn)) // check_unusedvariadic.go
	if splat != nil {
		// f(a, b=1, **kwargs): the dict fills whichever parameters it has.
		req = map[string]bool{}
	}
	b, err := Bind(c, pnames, "", req)
	if err != nil {
		return t.bad()
	}
	for _, p := range fn.Params {
		e, given := b.ByName[p.Py]
		if !given && splat != nil {
			t.kwArg(splat, p, en)
			continue
		}
		if !given {
			e = p.Def
		}
		v := t.expr(e, en)
		if given && !p.Annotated && testsForList(fn.Def, p.Py) {
			// A config value passed to a parameter the function tests for
			// a list (hunyuan's _int_or_list(args.moe_topk, i)): the config
			// may hold a list there.
			t.mayBeList(v.Origin)
		}
		if t.learn && given && !t.frozen {
			// Call sites teach unannotated parameters their types.
			if t.learnLoose(p, t.slotLooseArg(fn, p, v.T)) {
				// An Any annotation: the call sites say what it is.
			} else if t.misannotatedArgs(p, v.T) {
				// args: ModelArgs given the file's other config class.
				p.Type = v.T
			} else if t.learnSlotParam(fn, p, v.T) {
				// A cache entry passed where the name says cache.
			} else if v.T.Kind == AnyK && !p.Annotated && (p.Type.Kind == Int || p.Type.Kind == Float) && testsForList(fn.Def, p.Py) {
				// A config value passed for a number to a function that tests
				// it for a list (hunyuan's _int_or_list(arg, idx)): a number
				// or a list, kept as the config holds it.
				p.Type = TAny
			} else if v.T.Kind == AnyK && !p.Annotated && (p.Type.Kind == Int || p.Type.Kind == Float) {
				// A config value passed for a number: it may be a float.
				p.Type = TFloat
			} else if p.Type.Kind == Unknown && v.T.Kind != Unknown && v.T.Kind != None {
				p.Type = v.T
			} else if un := t.unify(p.Type, v.T); un != nil && p.Type.Kind != Unknown && !un.Equal(p.Type) && v.T.Kind != AnyK &&
				!(p.Type.Kind == Mask) && !(p.Type.Kind == Ext && !IsSlot(p.Type)) {
				p.Type = un
			}
		}
	}
	ret := fn.Ret
	if ret == nil {
		ret = TUnknown
	}
	if fn.Def.Name == "__init__" {
		ret = ClassT(fn.Class.Name)
	}
	v := tv(ret)
	if ret.Kind == Tuple {
		v.Multi = len(ret.Elems)
	}
	return v
}

// kwArg checks parameter p read from a **kwargs dict.
func (t *checker) kwArg(splat syntax.Expr, p *Param, en *env) {
	t.expr(splat, en)
	if t.learn && !t.frozen && p.Type.Kind == Int && !p.Annotated {
		// Config values are JSON numbers: an int default may receive a float.
		p.Type = TFloat
	}
	if p.Def != nil {
		t.expr(p.Def, en)
	}
}

// method checks recv.name(...).
func (t *checker) method(c *syntax.Call, f *syntax.Attribute, recv Val, en *env) Val {
	// mask.astype(...): a mask with an array method is the SSM mask, an
	// array (str has no astype: AttributeError in Python).
	recv = MaskAsArray(recv)
	rt := recv.T.Base()
	switch rt.Kind {
	case Array:
		if sig, ok := t.tab.ArrayMethods[f.Attr]; ok {
			return t.callSig(c, sig, en)
		}
	case ClassK:
		cls := t.u.ByClass[rt.Name]
		if cls != nil && f.Attr == "pop" && len(c.Args) == 1 {
			// Module.pop("name") drops a child module (and its parameters).
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				if _, ok := cls.ByName[s.Value]; ok {
					return tv(TNone)
				}
			}
		}
		if cls != nil {
			if m, ok := cls.ByMeth[f.Attr]; ok && !m.IsProp {
				return t.callLocal(c, m, en)
			}
			if fi, ok := cls.ByName[f.Attr]; ok {
				// self.act(x) where act holds a module or function.
				return t.callValue(c, tv(fi.Type), en)
			}
		}
	case Iface:
		if v, ok := t.ifaceMethodCall(c, rt, f.Attr, en); ok {
			return v // iface_methods.go
		}
	case Ext:
		if et := t.tab.Types[rt.Name]; et != nil {
			if sig, ok := et.Methods[f.Attr]; ok {
				return t.callSig(c, sig, en)
			}
		}
	case Str:
		return t.strMethod(c, f.Attr, en)
	case Float:
		return t.floatMethod(c, f.Attr, en)
	case Dict:
		return t.dictMethod(c, f.Attr, rt, en)
	case List:
		return t.listMethod(c, f.Attr, en)
	case AnyK:
		if f.Attr == "get" && (len(c.Args) == 1 || len(c.Args) == 2) && len(c.Keywords) == 0 {
			// d.get(k, default) on a subtree or config value: a dict at run
			// time (AttributeError otherwise), a value of no static type.
			for _, a := range c.Args {
				t.expr(a, en)
			}
			return tv(TAny)
		}
	}
	return t.bad()
}

// classMethodRef is the classmethod C.m of a class of the file, for a call
// C.m(...) where C is not shadowed by a local.
func (t *checker) classMethodRef(f *syntax.Attribute, en *env) *Func {
	n, ok := f.X.(*syntax.Name)
	if !ok || t.isLocal(n, en) {
		return nil
	}
	return t.u.ClassMethodRef(t.scope, n, f.Attr)
}

// ClassMethodRef is the classmethod attr of the file's class named n.
func (u *Unit) ClassMethodRef(scope *names.Scope, n *syntax.Name, attr string) *Func {
	if sym, ok := scope.Symbols[n.Id]; ok && sym.Kind == names.LocalClass {
		if cls := u.ClassOf(n.Id); cls != nil {
			if m, ok := cls.ByMeth[attr]; ok && m.IsClassMethod {
				return m
			}
		}
	}
	return nil
}

func (t *checker) strMethod(c *syntax.Call, name string, en *env) Val {
	for _, a := range c.Args {
		t.expr(a, en)
	}
	if ty, ok := strPredicate(name, len(c.Args)); ok {
		return tv(ty)
	}
	switch name {
	case "startswith", "endswith":
		return tv(TBool)
	case "replace", "lower", "strip", "join", "upper":
		return tv(TStr)
	case "removeprefix", "removesuffix":
		if len(c.Args) == 1 {
			return tv(TStr)
		}
	case "split":
		return tv(ListOf(TStr))
	case "index", "find", "count":
		if len(c.Args) == 1 {
			return tv(TInt)
		}
	}
	return t.bad()
}

func (t *checker) dictMethod(c *syntax.Call, name string, dt *Type, en *env) Val {
	switch name {
	case "get", "pop":
		if len(c.Args) < 1 {
			break
		}
		t.expr(c.Args[0], en)
		if len(c.Args) > 1 {
			t.expr(c.Args[1], en)
		}
		return tv(dt.Elem)
	case "keys":
		if len(c.Args) == 0 {
			return tv(ListOf(dt.Key)) // a key view: check_sets.go
		}
	}
	return t.bad()
}

func (t *checker) listMethod(c *syntax.Call, name string, en *env) Val {
	switch name {
	case "index", "count":
		if len(c.Args) == 1 {
			t.expr(c.Args[0], en)
			return tv(TInt)
		}
	}
	return t.bad()
}

// IsinstanceNames are the builtin types isinstance tests statically.
var IsinstanceNames = map[string]bool{"list": true, "tuple": true, "int": true, "float": true, "str": true, "dict": true, "bool": true}

// builtin checks calls of Python builtins; false when the call is not one
// the translator knows.
func (t *checker) builtin(c *syntax.Call, name string, en *env) (Val, bool) {
	arg := func(i int) Val { return t.expr(c.Args[i], en) }
	if v, ok := t.setBuiltin(c, name, en); ok {
		return v, true
	}
	b := t.tab.Builtins[name]
	if b == nil {
		return Val{}, false // not a builtin the table knows
	}
	if len(b.Overloads) > 0 {
		return t.overloaded(c, b, en)
	}
	switch name {
	case "float":
		if len(c.Args) == 1 {
			if s, ok := c.Args[0].(*syntax.Constant); ok && s.Kind == syntax.ConstStr {
				switch strings.ToLower(s.Value) {
				case "inf", "+inf", "infinity", "-inf", "-infinity", "nan":
					return tv(TFloat), true
				}
			}
			arg(0)
			return tv(TFloat), true
		}
	case "bool":
		if len(c.Args) == 1 {
			return t.truth(c.Args[0], en), true
		}
	case "min", "max":
		if len(c.Args) == 1 {
			v := arg(0)
			if v.T.Kind == AnyK {
				return tv(TAny), true
			}
			if h := v.T.Homogeneous(); h != nil && h.Numeric() {
				return tv(h), true
			}
		}
		if len(c.Args) >= 2 {
			var rt *Type
			for i := range c.Args {
				rt = t.unify(rt, arg(i).T.Base())
			}
			if rt == nil || !rt.Numeric() {
				if anyMinMax(c, func(i int) Val { return arg(i) }) {
					return tv(TAny), true // check_minmax.go
				}
				break
			}
			return tv(rt), true
		}
	case "isinstance":
		if len(c.Args) == 2 {
			return t.isinstance(c, en), true
		}
	case "hasattr":
		if len(c.Args) == 2 {
			v := arg(0)
			s, ok := c.Args[1].(*syntax.Constant)
			if ok && s.Kind == syntax.ConstStr && v.T.Kind == ClassK {
				cls := t.u.ByClass[v.T.Name]
				_, has := cls.ByName[s.Value]
				_, hasM := cls.ByMeth[s.Value]
				// Static: a dataclass has exactly its declared fields.
				return LitBool(has || hasM), true
			}
			if _, ok := t.tab.CacheHasAttrCall(c, v.T); ok {
				return tv(TBool), true // check_hasattr.go
			}
		}
	case "getattr":
		if len(c.Args) >= 2 {
			v := arg(0)
			s, ok := c.Args[1].(*syntax.Constant)
			if ok && s.Kind == syntax.ConstStr && v.T.Kind == ClassK {
				cls := t.u.ByClass[v.T.Name]
				if _, has := cls.ByName[s.Value]; has {
					return t.member(v, s.Value), true
				}
				if len(c.Args) == 3 {
					return arg(2), true
				}
			}
		}
	case "list", "tuple", "dict":
		if len(c.Args) == 1 {
			// list(d.items()) iterates like d.items(); list(xs), dict(d) copy
			// in Python but are only read here.
			if ic, ok := c.Args[0].(*syntax.Call); ok && len(ic.Args) == 0 {
				if a, ok := ic.Func.(*syntax.Attribute); ok && a.Attr == "items" {
					if d := t.expr(a.X, en); d.T.Kind == Dict {
						return d, true
					}
				}
			}
			v := arg(0)
			if name == "dict" && v.T.Kind == AnyK {
				// dict(d) of a config value: a copy the function may change.
				return tv(DictOf(TStr, TAny)), true
			}
			return v, true
		}
		if len(c.Args) == 0 {
			return tv(ListOf(TUnknown)), true
		}
	case "range":
		for i := range c.Args {
			arg(i)
		}
		if n := len(c.Args); n >= 1 && n <= 3 {
			return tv(ListOf(TInt)), true
		}
	case "print":
		return tv(TNone), true
	case "next":
		if comp, ok := firstArg(c).(*syntax.Comp); ok && comp.Kind == "gen" && len(c.Keywords) == 0 && len(c.Args) <= 2 {
			// next(elt for ... [, default]): the first element, of the
			// element's type; a None default makes it Optional.
			et := arg(0).T.Homogeneous()
			if et == nil || et.Kind == Unknown {
				break
			}
			if len(c.Args) == 1 {
				return tv(et), true
			}
			d := arg(1)
			if d.T.Kind == None {
				return tv(OptionalOf(et)), true
			}
			if u := t.unify(et, d.T); u != nil {
				return tv(u), true
			}
		}
	case "all", "any":
		if len(c.Args) == 1 {
			if comp, ok := c.Args[0].(*syntax.Comp); ok && comp.Kind != "dict" {
				// any(cond for x in xs): Python's truth of each element,
				// stopping at the first that decides.
				arg(0)
				return tv(TBool), true
			}
			if h := arg(0).T.Homogeneous(); h != nil && h.Kind == Bool {
				return tv(TBool), true
			}
		}
	}
	return Val{}, false
}

// isinstance is known statically where the value's type decides it; a
// value held as Any is tested at run time.
func (t *checker) isinstance(c *syntax.Call, en *env) Val {
	v := t.expr(c.Args[0], en)
	var elts []syntax.Expr
	switch x := c.Args[1].(type) {
	case *syntax.Name:
		if IsinstanceNames[x.Id] {
			elts = []syntax.Expr{x}
		}
	case *syntax.Tuple:
		elts = x.Elts
	}
	for _, e := range elts {
		if n, ok := e.(*syntax.Name); ok && (n.Id == "list" || n.Id == "tuple") {
			t.mayBeList(v.Origin)
		}
	}
	if elts != nil && (v.T.Kind == AnyK || v.T.Kind == Union) {
		// Tested at run time (a union: text_config holds a dict or a TextArgs).
		return tv(TBool)
	}
	if len(elts) == 1 && v.T.Base().Kind == Mask {
		if n, ok := elts[0].(*syntax.Name); ok && n.Id == "str" {
			// A mask holds None, "causal" or an array: a string when it is
			// the causal one, known at run time (gear's _softcap_attention).
			return tv(TBool)
		}
	}
	if elts != nil && v.T.Kind != AnyK && v.T.Kind != Unknown {
		// isinstance(x, (tuple, list)) on a statically typed value.
		match := false
		for _, e := range elts {
			n, ok := e.(*syntax.Name)
			if !ok {
				return t.bad()
			}
			k := v.T.Base().Kind
			switch n.Id {
			case "tuple", "list":
				match = match || k == List || k == Tuple
			case "int":
				match = match || k == Int
			case "float":
				match = match || k == Float
			case "str":
				match = match || k == Str
			case "dict":
				match = match || k == Dict
			default:
				return t.bad()
			}
		}
		return LitBool(match)
	}
	if _, isName := c.Args[1].(*syntax.Name); elts != nil && isName {
		// isinstance(x, int) on an untyped value: as for the one-element tuple.
		return t.bad()
	}
	q := t.scope.Qualify(c.Args[1])
	if q == "mx.array" {
		switch v.T.Base().Kind {
		case Array:
			return LitBool(true)
		case Int, Float, Bool, Str, None:
			return LitBool(false)
		case AnyK, Union:
			return tv(TBool)
		case Mask:
			// A mask holds None, "causal" or an array (minimax_m3_vl).
			return tv(TBool)
		}
	}
	if _, ok := t.tab.Types[strings.TrimPrefix(q, "cache.")]; ok {
		return tv(TBool)
	}
	if n, ok := c.Args[1].(*syntax.Name); ok && v.T.Kind == AnyK {
		switch n.Id {
		case "float", "int", "str", "list":
			return tv(TBool)
		}
	}
	if n, ok := c.Args[1].(*syntax.Name); ok {
		if _, ok := t.u.ByClass[n.Id]; ok {
			return tv(TBool)
		}
	}
	return t.bad()
}

// accepts reports whether an argument of value v matches an overload's
// parameter type.
func accepts(tab *Table, typ string, v Val) bool {
	k := v.T.Base().Kind
	switch typ {
	case "any":
		return true
	case "sized":
		return k == List || k == Tuple || k == Dict || k == Str || k == Unknown
	case "number":
		return k == Int || k == Float || k == Bool || k == Unknown
	case "list[number]", "list[ordered]":
		h := v.T.Homogeneous()
		return h != nil && (h.Numeric() || (typ == "list[ordered]" && h.Kind == Str))
	case "list[array]":
		h := v.T.Homogeneous()
		return h != nil && h.Kind == Array
	}
	pt := tab.ParseTypeName(typ)
	if pt.Kind == Union {
		if k == AnyK {
			// A value of no static type (gemma4_text's offset: Optional[Any],
			// an int or an array): the union's Go helper takes it as it is
			// and dispatches on the value, as Python does.
			return true
		}
		if v.T.Kind == Union {
			for _, e := range v.T.Elems {
				if !pt.Has(e) {
					return false
				}
			}
			return true
		}
		return pt.Has(v.T.Base())
	}
	return pt.Kind != Unknown && pt.Kind == k
}

// deciding are the parameters whose types differ between overloads: only
// they choose one.
func deciding(alts []*Sig) map[string]bool {
	out := map[string]bool{}
	for _, a := range alts {
		for _, p := range a.Params {
			for _, b := range alts {
				found := false
				for _, q := range b.Params {
					if q.Name == p.Name {
						found = true
						if q.Type != p.Type {
							out[p.Name] = true
						}
					}
				}
				if !found {
					out[p.Name] = true
				}
			}
		}
	}
	return out
}

// ResolveSig is the overload of a table entry a call's arguments pick (the
// entry itself when it has none, or when no overload accepts them: the
// first is then translated and reports the mismatch).
func ResolveSig(tab *Table, sig *Sig, c *syntax.Call, vals map[syntax.Expr]Val) *Sig {
	if len(sig.Alts) == 0 {
		return sig
	}
	if o, _ := resolveAlts(tab, sig.Alts, c, vals, deciding(sig.Alts)); o != nil {
		return o
	}
	return sig.Alts[0]
}

// ResolveBuiltin picks the overload of builtin b a call's arguments (with
// their values, in order: positional then keyword) match, and its result
// type; nil when none does.
func ResolveBuiltin(tab *Table, b *Builtin, c *syntax.Call, vals map[syntax.Expr]Val) (*Sig, *Type) {
	return resolveAlts(tab, b.Overloads, c, vals, nil)
}

// resolveAlts picks the first overload whose parameters (those in decide,
// all when nil) accept the arguments, and its result type.
func resolveAlts(tab *Table, alts []*Sig, c *syntax.Call, vals map[syntax.Expr]Val, decide map[string]bool) (*Sig, *Type) {
	for _, o := range alts {
		pnames, variadic, req := SigParams(o)
		bound, err := Bind(c, pnames, variadic, req)
		if err != nil {
			continue
		}
		ok := true
		var first Val
		for i, p := range o.Params {
			e, given := bound.ByName[p.Name]
			if !given {
				continue
			}
			v := vals[e]
			if i == 0 {
				first = v
			}
			if (decide == nil || decide[p.Name]) && !accepts(tab, p.Type, v) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		switch o.Returns {
		case "same":
			return o, first.T
		case "elem":
			return o, first.T.Homogeneous()
		case "list[elem]":
			return o, ListOf(first.T.Homogeneous())
		}
		return o, tab.ParseTypeName(o.Returns)
	}
	return nil, nil
}

// overloaded checks a call of a builtin given as overloads.
func (t *checker) overloaded(c *syntax.Call, b *Builtin, en *env) (Val, bool) {
	vals := map[syntax.Expr]Val{}
	for _, a := range c.Args {
		vals[a] = t.expr(a, en)
	}
	if n, ok := c.Func.(*syntax.Name); ok && n.Id == "int" && len(c.Args) == 1 {
		t.truncated(c.Args[0])
	}
	for _, k := range c.Keywords {
		vals[k.Value] = t.expr(k.Value, en)
	}
	sig, rt := ResolveBuiltin(t.tab, b, c, vals)
	if sig == nil {
		return Val{}, false
	}
	v := tv(rt)
	if rt.Kind == Tuple {
		v.Multi = len(rt.Elems) // a Go call with that many results (divmod)
	}
	return v, true
}

func firstArg(c *syntax.Call) syntax.Expr {
	if len(c.Args) == 0 {
		return nil
	}
	return c.Args[0]
}

// testsForList reports whether fd's body tests its parameter name with
// isinstance(name, list), (list, tuple) or tuple.
func testsForList(fd *syntax.FuncDef, name string) bool {
	found := false
	syntax.WalkExprs(fd.Body, func(e syntax.Expr) {
		c, ok := e.(*syntax.Call)
		if !ok || len(c.Args) != 2 {
			return
		}
		if f, ok := c.Func.(*syntax.Name); !ok || f.Id != "isinstance" {
			return
		}
		if a, ok := c.Args[0].(*syntax.Name); !ok || a.Id != name {
			return
		}
		kinds := []syntax.Expr{c.Args[1]}
		if tup, ok := c.Args[1].(*syntax.Tuple); ok {
			kinds = tup.Elts
		}
		for _, k := range kinds {
			if n, ok := k.(*syntax.Name); ok && (n.Id == "list" || n.Id == "tuple") {
				found = true
			}
		}
	})
	return found
}
