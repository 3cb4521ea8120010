package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Lists of modules of different types (types/check_modlist.go): a Go
// []any whose members keep their indices in the parameter tree
// (lora.0.weight), read by constant index with a type assertion.

func (t *translator) moduleList(lt *types.Type, elts []syntax.Expr, en *env) val {
	var cs []model.Expr
	for _, e := range elts {
		cs = append(cs, t.expr(e, en).c)
	}
	return val{c: &model.Composite{Type: t.goType(lt), Elts: cs}, t: lt, prec: precPrimary}
}

func (t *translator) moduleListIndex(s *syntax.Subscript, x, iv val) val {
	xt := x.t.Base()
	i, ok := types.ModuleListIndex(xt, iv.lit)
	if !ok {
		return t.bad(s, "subscript", "of a list of modules of different types: the index must be a constant in range")
	}
	et := xt.Elems[i]
	return prim(&model.TypeAssert{X: index(paren(x, precPrimary), lit(i)), Type: t.goType(et)}, et)
}
