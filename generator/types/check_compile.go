package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// CompileShapeless reports whether d's compile decorator (see
// CompileDecorator) is @partial(mx.compile, shapeless=True): one trace for
// every input shape. A plain @mx.compile traces once per shape.
func CompileShapeless(d *syntax.FuncDef, scope *names.Scope) bool {
	for _, dec := range d.Decorators {
		c, ok := dec.(*syntax.Call)
		if !ok || scope.Qualify(c.Func) != "functools.partial" || len(c.Args) != 1 || scope.Qualify(c.Args[0]) != "mx.compile" {
			continue
		}
		for _, k := range c.Keywords {
			if v, ok := k.Value.(*syntax.Constant); ok && k.Name == "shapeless" && v.Kind == syntax.ConstTrue {
				return true
			}
		}
	}
	return false
}
