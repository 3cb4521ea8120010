package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// isinstance(x, nn.Linear), isinstance(x, (nn.Linear, nn.Embedding)): a test
// of the mlx.nn class itself, for a value known only as a module (what
// named_modules gives). The table type's `class` is the concrete Go type
// the class is (*nn.Linear), so the test is exact as in Python: a
// QuantizedLinear, which is not a Linear subclass, is not a Linear.

// NNClasses are the table types an isinstance class argument names (one
// nn.<Class>, or a tuple of them), nil when it is anything else.
func NNClasses(tab *Table, scope *names.Scope, arg syntax.Expr) []*ExtType {
	elts := []syntax.Expr{arg}
	if tup, ok := arg.(*syntax.Tuple); ok {
		elts = tup.Elts
	}
	var out []*ExtType
	for _, e := range elts {
		q := scope.Qualify(e)
		if !strings.HasPrefix(q, "nn.") {
			return nil
		}
		et := tab.Types[strings.TrimPrefix(q, "nn.")]
		if et == nil || et.Class == "" {
			return nil
		}
		out = append(out, et)
	}
	return out
}

// nnIsinstance checks isinstance(x, nn.C...) of a module value or a value of
// no static type.
func (t *checker) nnIsinstance(c *syntax.Call, v Val) (Val, bool) {
	if len(c.Args) != 2 || NNClasses(t.tab, t.scope, c.Args[1]) == nil {
		return Val{}, false
	}
	switch k := v.T.Base(); {
	case k.Kind == AnyK, k.Kind == Ext && k.Name == "Module":
		return tv(TBool), true
	}
	return Val{}, false
}
