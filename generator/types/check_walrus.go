package types

import "github.com/hf2go/hf2go/generator/syntax"

// Assignment expressions (walrus) inside an expression. An if whose whole
// condition, or the operand its condition evaluates first, is a walrus is
// rewritten into an assignment before the if (syntax/desugar.go); a walrus
// in a comprehension's filter cannot move out of the loop, so the checker
// types it here: its value is the assigned value, and it binds the name
// (in the function's scope, as Python does) for the rest of the filter and
// the element, with the facts a truth test of the name gives (`not (m :=
// p.match(k)) or m.group(1)`: m is not None in the second operand). The
// lowering assigns the name just before the filter's test
// (lower/lower_walrus.go), which is where Python evaluates it, when the
// walrus is what the filter evaluates first; anywhere else it is rejected.

func (t *checker) namedExpr(x *syntax.NamedExpr, en *env) Val {
	v := t.expr(x.Value, en)
	if v.Multi > 0 {
		return t.bad()
	}
	t.bindName(x.Target, v.T, en)
	t.expr(x.Target, en) // the lowering reads the name
	return Val{T: v.T}
}

// LeadWalrus is the walrus a condition evaluates before anything else
// (the condition itself, the operand of a not, the first operand of an
// and/or, the left side of a comparison or arithmetic), or nil.
func LeadWalrus(e syntax.Expr) *syntax.NamedExpr {
	switch x := e.(type) {
	case *syntax.NamedExpr:
		return x
	case *syntax.UnaryOp:
		return LeadWalrus(x.X)
	case *syntax.BoolOp:
		if len(x.Values) > 0 {
			return LeadWalrus(x.Values[0])
		}
	case *syntax.Compare:
		return LeadWalrus(x.Left)
	case *syntax.BinOp:
		return LeadWalrus(x.L)
	}
	return nil
}
