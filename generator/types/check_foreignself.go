package types

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// A class's method called with another class's instance as self.
//
// kimi_k25 sanitizes its text model with deepseek_v3's Model.sanitize:
// `DeepseekV3LM.sanitize(self.language_model, lm_weights)`, where
// self.language_model is the file's LanguageModel, no DeepseekV3LM. Python
// runs the function with that object as self. Where the object's class is
// known (self, or a field __init__ assigns a class instance), the call is a
// method of the object's class with the function's body as its own: the
// method is copied into the class (as an inherited one is, its body checked
// against the class's fields), and the call rewritten to obj.method(args).
//
// When the class already has a method of that name (longcat_flash_ngram's
// Model.sanitize calling `LongcatFlashLM.sanitize(self, weights)`), the
// copy takes a distinct name, <Alias>_<method> (LongcatFlashLM_sanitize,
// Go LongcatFlashLMSanitize; its definition keeps its Python name; a number appended while that is taken too), so
// the class's own method stays what callers of obj.method reach.
//
// A property's getter called explicitly, `Cls.prop.fget(obj)`
// (longcat_flash_ngram's `LongcatFlashLM.quant_predicate.fget(self)`), is
// the property read on obj: the property is copied the same way and the
// call becomes obj.<name>, an attribute read.

// foreignSelfCalls rewrites such calls in the bodies of the unit's classes.
func (k *collector) foreignSelfCalls() {
	u := k.u
	// copies: the name each (class, function) pair was copied under, so
	// two calls of one method share one copy.
	type key struct {
		c  *Class
		fn *Func
	}
	copies := map[key]string{}
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if m.Class != c {
				continue
			}
			// fromClass is the class a Name of this method's scope names.
			fromClass := func(e syntax.Expr) (*Class, string) {
				kn, ok := e.(*syntax.Name)
				if !ok {
					return nil, ""
				}
				from := u.ClassIn(m.Scope, kn.Id)
				if sym, ok := m.Scope.Symbols[kn.Id]; from == nil && ok && sym.Kind == names.Sibling {
					// `from .deepseek_v3 import Model as DeepseekV3LM`: the
					// sibling's class, redefined by this file.
					from = u.siblingClasses[sym.File][sym.Target]
				}
				if from == nil || from.IsArgs {
					return nil, ""
				}
				return from, kn.Id
			}
			// copyInto gives target fn's body under attr's name, or a
			// distinct one when target has a method of that name.
			copyInto := func(target *Class, fn *Func, alias, attr string) string {
				if name, ok := copies[key{target, fn}]; ok {
					return name
				}
				name := attr
				if _, has := target.ByMeth[name]; has {
					base := alias + "_" + attr
					name = base
					for i := 2; target.ByMeth[name] != nil; i++ {
						name = base + strconv.Itoa(i)
					}
				}
				mm := *fn
				mm.Class = target
				mm.ForeignOf = alias + "." + attr
				if name != attr {
					// Only the class's key and the Go name change: the
					// definition keeps its Python name, which says what
					// protocol it follows (sanitize's weights, a
					// quant_predicate's predicate, shard being optional).
					mm.GoName = names.GoExported(name)
				}
				mm.Params = k.params(mm.Def, true)
				target.Methods = append(target.Methods, &mm)
				target.ByMeth[name] = &mm
				if fn.IsProp {
					target.Props[name] = true
				}
				copies[key{target, fn}] = name
				return name
			}
			var rw func(e syntax.Expr) syntax.Expr
			rw = func(e syntax.Expr) syntax.Expr {
				syntax.ReplaceChildren(e, rw)
				call, ok := e.(*syntax.Call)
				if !ok || len(call.Args) == 0 {
					return e
				}
				a, ok := call.Func.(*syntax.Attribute)
				if !ok {
					return e
				}
				if pa, ok := a.X.(*syntax.Attribute); ok && a.Attr == "fget" && len(call.Args) == 1 && len(call.Keywords) == 0 {
					// Cls.prop.fget(obj)
					from, alias := fromClass(pa.X)
					if from == nil {
						return e
					}
					fn := from.ByMeth[pa.Attr]
					if fn == nil || !fn.IsProp {
						return e
					}
					target := k.selfClass(c, call.Args[0])
					if target == nil || target == from || derivesFrom(target, from) {
						return e
					}
					name := copyInto(target, fn, alias, pa.Attr)
					return &syntax.Attribute{At: pa.At, X: call.Args[0], Attr: name}
				}
				from, alias := fromClass(a.X)
				if from == nil {
					return e
				}
				fn := from.ByMeth[a.Attr]
				if fn == nil || fn.IsProp || a.Attr == "__init__" {
					return e
				}
				target := k.selfClass(c, call.Args[0])
				if target == nil || target == from || derivesFrom(target, from) {
					return e
				}
				name := copyInto(target, fn, alias, a.Attr)
				call.Func = &syntax.Attribute{At: a.At, X: call.Args[0], Attr: name}
				call.Args = call.Args[1:]
				return e
			}
			syntax.ReplaceInBody(m.Def.Body, rw)
		}
	}
}

// selfClass is the class of the object e names in a method of c: self, or
// self.<field> that c's __init__ assigns an instance of a unit class.
func (k *collector) selfClass(c *Class, e syntax.Expr) *Class {
	switch x := e.(type) {
	case *syntax.Name:
		if x.Id == "self" {
			return c
		}
	case *syntax.Attribute:
		if s, ok := x.X.(*syntax.Name); !ok || s.Id != "self" {
			return nil
		}
		init := c.ByMeth["__init__"]
		if init == nil {
			return nil
		}
		for _, st := range init.Def.Body {
			as, ok := st.(*syntax.Assign)
			if !ok || len(as.Targets) != 1 {
				continue
			}
			at, ok := as.Targets[0].(*syntax.Attribute)
			if !ok || at.Attr != x.Attr {
				continue
			}
			if s, ok := at.X.(*syntax.Name); !ok || s.Id != "self" {
				continue
			}
			if cl, ok := as.Value.(*syntax.Call); ok {
				if n, ok := cl.Func.(*syntax.Name); ok {
					return k.u.ClassIn(init.Scope, n.Id)
				}
			}
		}
	}
	return nil
}

func derivesFrom(c, base *Class) bool {
	for _, b := range c.Bases {
		if b == base || derivesFrom(b, base) {
			return true
		}
	}
	return false
}
