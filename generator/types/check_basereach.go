package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// What of a base class a used class runs.
//
// Unused-foreign-class pruning (field_mixed.go) keeps the sibling classes
// the file's code uses. A used class runs its own methods and those it
// inherits (c.Methods, resolved as Python's lookup does), and a base's
// overridden method only where it calls it: super().__init__(config)
// (glm_moe_dsa's Model over deepseek_v32's), Base.__init__(self). A base
// whose methods are all overridden and never called contributes nothing:
// mistral4's Mistral4Model(DeepseekV3Model, ...) redefines __init__ and
// __call__ and calls PipelineMixin.__init__(self), so DeepseekV3Model's
// __init__ — and the deepseek_v3 decoder layers it builds — are never run
// and need no translation.

// reachBaseBodies visits the bodies of the base methods that method m of
// class c calls through super() or Base.method(self, ...), transitively.
func (u *Unit) reachBaseBodies(c *Class, m *Func, visit func([]syntax.Stmt, *names.Scope)) {
	seen := map[*Func]bool{}
	var reach func(cls *Class, fn *Func)
	reach = func(cls *Class, fn *Func) {
		if fn == nil || seen[fn] {
			return
		}
		seen[fn] = true
		if fn.Class != nil {
			cls = fn.Class // super() in an inherited method is relative to its class
		}
		syntax.WalkExprs(fn.Def.Body, func(e syntax.Expr) {
			call, ok := e.(*syntax.Call)
			if !ok {
				return
			}
			var base *Func
			if name, ok := superCall(call); ok {
				base, _ = cls.SuperBody(name)
			} else if b, _, _, ok := ExplicitBaseCall(call, cls); ok {
				base = b
			}
			if base == nil || seen[base] {
				return
			}
			visit(base.Def.Body, base.Scope)
			reach(cls, base)
		})
	}
	reach(c, m)
}

// superCall reports super().<name>(...).
func superCall(c *syntax.Call) (string, bool) {
	a, ok := c.Func.(*syntax.Attribute)
	if !ok {
		return "", false
	}
	inner, ok := a.X.(*syntax.Call)
	if !ok {
		return "", false
	}
	if n, ok := inner.Func.(*syntax.Name); !ok || n.Id != "super" {
		return "", false
	}
	return a.Attr, true
}

// superInitOf is the base __init__ that statement s of init (a method of
// c, or of one of its bases) runs: super().__init__(...) or
// Base.__init__(self, ...); nil otherwise.
func (t *checker) superInitOf(c *Class, init *Func, s syntax.Stmt) *Func {
	es, ok := s.(*syntax.ExprStmt)
	if !ok {
		return nil
	}
	call, ok := es.X.(*syntax.Call)
	if !ok {
		return nil
	}
	cls := c
	if init.Class != nil {
		cls = init.Class
	}
	if name, ok := superCall(call); ok && name == "__init__" {
		base, _ := cls.SuperBody("__init__")
		return base
	}
	if base, method, _, ok := ExplicitBaseCall(call, cls); ok && method == "__init__" {
		return base
	}
	return nil
}
