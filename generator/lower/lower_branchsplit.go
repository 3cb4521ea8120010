package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
)

// branchSplitVars declares, before an if, the new variable of a local that
// both branches rebind to another type (types/check_branchsplit.go); the
// then-branch's assignment sets it (assignName).
func (t *translator) branchSplitVars(x *syntax.If, en *env) []model.Stmt {
	var out []model.Stmt
	for _, s := range x.Body {
		a, ok := s.(*syntax.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		n, ok := a.Targets[0].(*syntax.Name)
		if !ok || !en.fn.BranchSplit(n) {
			continue
		}
		name, _ := en.fn.SplitAt(n)
		ty, ok := t.inst.Target[n]
		if !ok {
			t.fail(n, "internal", "the split variable %s has no checked type", n.Id)
			continue
		}
		out = append(out, &model.Var{Name: name, Type: t.goType(ty)})
	}
	return out
}
