package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// A walrus in a comprehension's filter (types/check_walrus.go). When the
// filter evaluates it first, the name is assigned just before the filter's
// test, in the loop body: Python evaluates it there, once per element, and
// the test then reads the name. The Go variable is local to the loop body:
// a Python read of the name after the comprehension would find no Go
// variable, which the type check of the generated package reports.

// walrusFilter lowers the lead walrus of a filter (if any) into the
// statement that assigns it, and marks it so that the test reads the name.
func (t *translator) walrusFilter(cond syntax.Expr, en *env) []model.Stmt {
	ne := types.LeadWalrus(cond)
	if ne == nil {
		return nil
	}
	v := t.expr(ne.Value, en)
	s := t.sym(ne.Target, en)
	g := names.GoLocal(ne.Target.Id)
	en.vars[s] = v.t
	en.goName[s] = g
	if t.hoisted == nil {
		t.hoisted = map[*syntax.NamedExpr]bool{}
	}
	t.hoisted[ne] = true
	return []model.Stmt{define(id(g), v.c)}
}

// namedExpr is a walrus the enclosing statement already assigned: a read
// of its name.
func (t *translator) namedExpr(x *syntax.NamedExpr, en *env) val {
	if !t.hoisted[x] {
		return t.bad(x, "walrus", "only where a condition evaluates it first (it is assigned before the test)")
	}
	return t.expr(x.Target, en)
}
