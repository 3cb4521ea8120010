package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// anyMinMax lowers min/max over numbers and dynamic config values
// (types/check_minmax.go) to py.MinAny / py.MaxAny of their list.
func (t *translator) anyMinMax(c *syntax.Call, name string, vs []val) (val, bool) {
	var ts []*types.Type
	var elts []model.Expr
	for _, v := range vs {
		ts = append(ts, v.t)
		elts = append(elts, v.c)
	}
	if !types.AnyMinMax(c, ts) {
		return val{}, false
	}
	fn := map[string]string{"min": "MinAny", "max": "MaxAny"}[name]
	list := &model.Composite{Type: &model.Slice{Elem: &model.Named{Name: "any"}}, Elts: elts}
	return prim(call(t.qual("py", fn), list), types.TAny), true
}
