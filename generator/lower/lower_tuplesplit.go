package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// A tuple assignment that rebinds names to other types
// (types/check_tuplesplit.go) is lowered one name at a time:
// `layer, index = int(layer), int(index)` is `layer2 := py.ParseInt(layer)`
// then `index2 := ...`, each a new Go variable.

func (t *translator) tupleRebind(tg *syntax.Tuple, value syntax.Expr, en *env, fc *fnCtx) ([]model.Stmt, bool) {
	tup, ok := types.SequentialTuple(tg, value)
	if !ok {
		return nil, false
	}
	split := false
	for _, e := range tg.Elts {
		if _, ok := en.fn.SplitAt(e.(*syntax.Name)); ok {
			split = true
		}
	}
	if !split {
		return nil, false
	}
	var out []model.Stmt
	for i, e := range tg.Elts {
		out = append(out, t.assignName(e.(*syntax.Name), tup.Elts[i], en, fc)...)
	}
	return out, true
}
