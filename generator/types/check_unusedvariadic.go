package types

import (
	"reflect"

	"github.com/hf2go/hf2go/generator/syntax"
)

// Ignored variadic parameters. `def __call__(self, x, *args, **kwargs)` whose
// body never names args or kwargs (nemotron-nas's LinearSubblockReplacement:
// "accepts potential extra args (like mask, cache) but ignores them") takes
// the extra arguments callers pass and drops them. The Go function has only
// the named parameters; a call passes what fills those and drops the rest
// (Func.IgnoresExtra). A variadic parameter the body reads stays refused.

// mentionsName reports whether any node of the body is the name id (any read,
// store or closure capture: conservatively, every mention counts).
func mentionsName(body []syntax.Stmt, id string) bool {
	found := false
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if found || !v.IsValid() {
			return
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if n, ok := v.Interface().(*syntax.Name); ok && n.Id == id {
				found = true
				return
			}
			walk(v.Elem())
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		}
	}
	walk(reflect.ValueOf(body))
	return found
}

// ignoredVariadic reports whether p is a *args / **kwargs parameter that the
// function's body never names.
func ignoredVariadic(fd *syntax.FuncDef, p syntax.Param) bool {
	return (p.Kind == syntax.ParamVarArgs || p.Kind == syntax.ParamKwArgs) && !mentionsName(fd.Body, p.Name)
}

// DropIgnored is the call c of fn without the arguments fn's ignored
// *args / **kwargs would take: positional arguments past fn's named
// parameters, keywords that name none of them. Python evaluates them and
// drops them; only those whose evaluation cannot have an effect (names,
// constants, attribute reads of names) are dropped, so that leaving them
// out keeps the program's meaning — any other stays and fails to bind.
func DropIgnored(c *syntax.Call, fn *Func) *syntax.Call {
	if fn == nil || fn.Def == nil {
		return c
	}
	var varargs, kwargs bool
	for _, p := range fn.Def.Params {
		if ignoredVariadic(fn.Def, p) {
			varargs = varargs || p.Kind == syntax.ParamVarArgs
			kwargs = kwargs || p.Kind == syntax.ParamKwArgs
		}
	}
	if !varargs && !kwargs {
		return c
	}
	named := map[string]bool{}
	for _, p := range fn.Params {
		named[p.Py] = true
	}
	out := *c
	if varargs && len(c.Args) > len(fn.Params) {
		for _, a := range c.Args[len(fn.Params):] {
			if !pureRead(a) {
				return c
			}
		}
		out.Args = c.Args[:len(fn.Params)]
	}
	if kwargs {
		out.Keywords = nil
		for _, k := range c.Keywords {
			if k.Name != "" && !named[k.Name] {
				if !pureRead(k.Value) {
					return c
				}
				continue
			}
			out.Keywords = append(out.Keywords, k)
		}
	}
	return &out
}

// pureRead reports an expression whose evaluation has no effect: a name, a
// constant, or an attribute read of one (properties aside, which model
// files do not define with effects).
func pureRead(e syntax.Expr) bool {
	switch x := e.(type) {
	case *syntax.Name, *syntax.Constant:
		return true
	case *syntax.Attribute:
		return pureRead(x.X)
	}
	return false
}
