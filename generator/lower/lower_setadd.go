package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// setAdd translates s.add(x) (types/check_setadd.go): s = py.SetAdd(s, x).
func (t *translator) setAdd(c *syntax.Call, a *syntax.Attribute, en *env) ([]model.Stmt, bool) {
	recv := t.expr(a.X, en)
	if recv.t.Kind != types.List || len(c.Args) != 1 || len(c.Keywords) != 0 {
		return nil, false
	}
	v := t.expr(c.Args[0], en)
	target := t.lvalue(a.X, en)
	return []model.Stmt{assign(target, call(t.qual("py", "SetAdd"), recv.c, t.coerce(v, recv.t.Elem, c.Args[0])))}, true
}
