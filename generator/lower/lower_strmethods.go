package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/types"
)

// strPredicate is s.isdigit() / isdecimal() / isspace(): runtime/py's
// functions over the pinned CPython's character classes (Go's unicode
// tables are another Unicode version and another definition of a digit).
func (t *translator) strPredicate(name string, recv val, args []model.Expr) (val, bool) {
	fn, ok := types.StrPredicates[name]
	if !ok || len(args) != 0 {
		return val{}, false
	}
	return prim(call(t.qual("py", fn), recv.c), types.TBool), true
}
