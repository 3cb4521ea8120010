package types

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// super().<method>(...) for a method other than __init__.
//
// afm7's FusedLinear(nn.Linear) splits the projection its base computes:
//
//	def __call__(self, x):
//	    x = super().__call__(x)
//	    return x.split(self.indices, axis=-1)
//
// Python runs the base's method (the first base in the lookup order that
// has one) with self. Go has no embedding here, so the base's method is
// copied into the class under its own name, <Base>_<method> (Go
// <Base><GoName>: LinearForward), its body checked against the class's
// fields as an inherited method's is, and the call rewritten to
// self.<Base>_<method>(...). Bases from the API table (module_bases: nn.Linear,
// nn.QuantizedLinear) carry the methods their subclasses call this way.
// super().__init__ (and __post_init__) stay inlined (the constructor), a
// classmethod's super() (from_dict) is the dataclass's, and a method the
// translation skips (pipeline) is left alone.

// superMethodCalls rewrites such calls in the methods of the unit's classes.
func (k *collector) superMethodCalls() {
	u := k.u
	for _, c := range u.Classes {
		if c.IsArgs {
			continue
		}
		for _, m := range c.Methods {
			if m.Class != c || m.Skipped != "" || m.IsClassMethod || m.Def == nil {
				continue
			}
			rw := func(e syntax.Expr) syntax.Expr {
				call, ok := e.(*syntax.Call)
				if !ok {
					return e
				}
				name, ok := superCall(call)
				if !ok || name == "__init__" || name == "__post_init__" {
					return e
				}
				base, ok := c.SuperBody(name)
				if !ok || base == nil || base.Def == nil || len(base.Def.Body) == 0 || base.IsProp ||
					base.IsClassMethod || base.Skipped != "" || base.Class == nil {
					return e
				}
				copyName := k.superCopy(c, base, name)
				a := call.Func.(*syntax.Attribute)
				call.Func = &syntax.Attribute{At: a.At, X: &syntax.Name{At: a.At, Id: "self"}, Attr: copyName}
				return e
			}
			syntax.ReplaceInBody(m.Def.Body, rw)
		}
	}
}

// superCopy copies base's method name into c (and the classes that inherit
// from c) as <Base>_<name>, once, and returns that name.
func (k *collector) superCopy(c *Class, base *Func, name string) string {
	key := base.Class.Name + "_" + name
	goName := names.GoExported(base.Class.Name) + base.GoName
	if base.GoName == "" {
		goName = names.GoExported(key)
	}
	if m, ok := c.ByMeth[key]; ok && m.SuperOf != "" {
		return key
	}
	for i := 2; c.ByMeth[key] != nil; i++ {
		key = base.Class.Name + "_" + name + strconv.Itoa(i)
		goName = names.GoExported(key)
	}
	add := func(target *Class) {
		mm := *base
		mm.Class = target
		mm.GoName = goName
		mm.SuperOf = base.Class.Name + "." + name
		mm.Params = k.params(mm.Def, true)
		target.Methods = append(target.Methods, &mm)
		target.ByMeth[key] = &mm
	}
	add(c)
	for _, d := range k.u.Classes {
		if d != c && derivesFrom(d, c) && d.ByMeth[key] == nil {
			add(d)
		}
	}
	return key
}
