package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// A class's method called with another class's instance as self.
//
// kimi_k25 sanitizes its text model with deepseek_v3's Model.sanitize:
// `DeepseekV3LM.sanitize(self.language_model, lm_weights)`, where
// self.language_model is the file's LanguageModel, no DeepseekV3LM. Python
// runs the function with that object as self. Where the object's class is
// known (self, or a field __init__ assigns a class instance) and defines no
// method of that name, the call is that method of the object's class, with
// the function's body as its own: the method is copied into the class (as
// an inherited one is, its body checked against the class's fields), and
// the call rewritten to obj.method(args). A class that already has such a
// method (longcat_flash_ngram's Model calling LongcatFlashLM.sanitize(self,
// ...) from its own sanitize) is not handled.

// foreignSelfCalls rewrites such calls in the bodies of the unit's classes.
func (k *collector) foreignSelfCalls() {
	u := k.u
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if m.Class != c {
				continue
			}
			syntax.WalkExprs(m.Def.Body, func(e syntax.Expr) {
				call, ok := e.(*syntax.Call)
				if !ok || len(call.Args) == 0 {
					return
				}
				a, ok := call.Func.(*syntax.Attribute)
				if !ok {
					return
				}
				kn, ok := a.X.(*syntax.Name)
				if !ok {
					return
				}
				from := u.ClassIn(m.Scope, kn.Id)
				if sym, ok := m.Scope.Symbols[kn.Id]; from == nil && ok && sym.Kind == names.Sibling {
					// `from .deepseek_v3 import Model as DeepseekV3LM`: the
					// sibling's class, redefined by this file.
					from = u.siblingClasses[sym.File][sym.Target]
				}
				if from == nil || from.IsArgs {
					return
				}
				fn := from.ByMeth[a.Attr]
				if fn == nil || fn.IsProp || a.Attr == "__init__" {
					return
				}
				target := k.selfClass(c, call.Args[0])
				if target == nil || target == from || derivesFrom(target, from) {
					return
				}
				if _, has := target.ByMeth[a.Attr]; has {
					return
				}
				mm := *fn
				mm.Class = target
				mm.Params = k.params(fn.Def, true)
				target.Methods = append(target.Methods, &mm)
				target.ByMeth[a.Attr] = &mm
				call.Func = &syntax.Attribute{At: a.At, X: call.Args[0], Attr: a.Attr}
				call.Args = call.Args[1:]
			})
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
