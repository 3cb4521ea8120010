package types

import "github.com/hf2go/hf2go/generator/syntax"

// ExplicitBaseCall recognizes Base.__init__(self, ...) (mistral4's
// `PipelineMixin.__init__(self)` in place of super().__init__()) in a method
// of cls, where Base is one of cls's base classes (at any depth). It returns
// that base's method body to inline (nil when the base inherits none, i.e.
// nn.Module's or object's, which translate to nothing), the method name and
// the call without its self argument; ok is false for any other call.
func ExplicitBaseCall(c *syntax.Call, cls *Class) (base *Func, method string, call *syntax.Call, ok bool) {
	a, isAttr := c.Func.(*syntax.Attribute)
	if !isAttr || cls == nil || len(c.Args) == 0 {
		return nil, "", nil, false
	}
	bn, isName := a.X.(*syntax.Name)
	self, isSelf := c.Args[0].(*syntax.Name)
	if !isName || !isSelf || self.Id != "self" {
		return nil, "", nil, false
	}
	b := findBase(cls, bn.Id)
	if b == nil {
		return nil, "", nil, false
	}
	m := b.ByMeth[a.Attr]
	if m == nil || len(m.Def.Body) == 0 {
		m, _ = b.SuperBody(a.Attr) // the base's own base's method (Python's lookup)
	}
	cc := *c
	cc.Args = c.Args[1:]
	return m, a.Attr, &cc, true
}

func findBase(c *Class, name string) *Class {
	for _, b := range c.Bases {
		if b.Def != nil && b.Def.Name == name {
			return b
		}
		if f := findBase(b, name); f != nil {
			return f
		}
	}
	return nil
}

// superClass is the class whose bases a call in this body refers to: the
// class of the inlined base body being checked, else the env's class.
func (e *env) superClass() *Class {
	if e.superFrom != nil {
		return e.superFrom
	}
	return e.cls
}
