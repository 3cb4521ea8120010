package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
)

// A tuple assignment that binds constant locals (types/check_tuplelits.go):
// `rank, size = self.pipeline_rank, self.pipeline_size` with both names
// constants is no statement at all (their uses read the literals); with
// some of them constants, the pairs of the others are assigned as a
// tuple assignment of their own. Only a tuple display of the targets'
// length binds constants, and its elements are evaluated in order either
// way (a dropped element is a literal).

// constTupleAssign returns the statements of tg = value when some target is
// a constant local, and false when none is.
func (t *translator) constTupleAssign(tg *syntax.Tuple, value syntax.Expr, en *env, fc *fnCtx) ([]model.Stmt, bool) {
	tup, ok := value.(*syntax.Tuple)
	if !ok || len(tup.Elts) != len(tg.Elts) {
		return nil, false
	}
	var keepT, keepV []syntax.Expr
	for i, e := range tg.Elts {
		if nm, ok := e.(*syntax.Name); ok {
			if _, isConst := en.root().consts[t.sym(nm, en)]; isConst {
				continue
			}
		}
		keepT, keepV = append(keepT, e), append(keepV, tup.Elts[i])
	}
	switch {
	case len(keepT) == len(tg.Elts):
		return nil, false
	case len(keepT) == 0:
		return nil, true
	case len(keepT) == 1:
		if nm, ok := keepT[0].(*syntax.Name); ok {
			return t.assignName(nm, keepV[0], en, fc), true
		}
		return nil, false
	}
	rest := &syntax.Tuple{At: tg.At, Elts: keepT}
	return t.assignTuple(rest, &syntax.Tuple{At: tup.At, Elts: keepV}, en, fc), true
}
