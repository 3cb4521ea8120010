package types

import (
	"slices"

	"github.com/hf2go/hf2go/generator/syntax"
)

// super().<method>(...) in a method that overrides a base's method
// (prism_hadamard_qwen35's `weights = super().sanitize(weights)` runs
// qwen3_5.Model.sanitize first). Base classes are flattened into the
// derived Go struct (inherit), so the overridden base method has no Go
// method of its own; one that the derived class calls through super() is
// copied into it as Super<Method> (its body checked with the derived
// instance as self, as Python runs it), and the call calls that.
// super().__init__ and __post_init__ keep their inlining (unit.go).

// superKey is the ByMeth key of the copy: not a Python identifier.
func superKey(name string) string { return "super()." + name }

// superMethods adds, for each super().<name>() a method of c calls
// (sanitize calling super().sanitize, as_linear calling super().__call__),
// a copy of the base's method of that name.
func (k *collector) superMethods(c *Class) {
	for _, m := range append([]*Func(nil), c.Methods...) {
		if m.Class != c {
			continue
		}
		for _, name := range superCalls(m.Def) {
			if name == "__init__" || name == "__post_init__" || name == "from_dict" {
				continue
			}
			if _, done := c.ByMeth[superKey(name)]; done {
				continue
			}
			base := baseMethod(c, name)
			if base == nil {
				continue
			}
			mm := *base
			mm.Class = c
			mm.Params = k.params(base.Def, true)
			mm.GoName = "Super" + base.GoName
			mm.SuperOf = name
			mm.IsProp = false
			c.Methods = append(c.Methods, &mm)
			c.ByMeth[superKey(name)] = &mm
		}
	}
}

// baseMethod is the method name of c's bases, first in Python's order
// (depth first, as the bases are listed).
func baseMethod(c *Class, name string) *Func {
	for _, b := range c.Bases {
		if m, ok := b.ByMeth[name]; ok {
			return m
		}
		if m := baseMethod(b, name); m != nil {
			return m
		}
	}
	return nil
}

// superCalls are the names of the super().<name>(...) calls in d.
func superCalls(d *syntax.FuncDef) []string {
	var out []string
	syntax.WalkExprs(d.Body, func(e syntax.Expr) {
		if c, ok := e.(*syntax.Call); ok {
			if n := SuperMethod(c); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	})
	return out
}

// SuperMethodCall is the copied base method a super().<name>(...) call in
// a method of cls runs, or nil.
func SuperMethodCall(c *syntax.Call, cls *Class) *Func {
	name := SuperMethod(c)
	if name == "" || cls == nil {
		return nil
	}
	return cls.ByMeth[superKey(name)]
}
