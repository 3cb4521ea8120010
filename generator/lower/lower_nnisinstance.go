package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// nnIsinstance translates isinstance(x, nn.C) / (nn.C, nn.D)
// (types/check_nnisinstance.go): py.IsInstance of each class's concrete Go
// type, or-ed.
func (t *translator) nnIsinstance(c *syntax.Call, v val) (val, bool) {
	classes := types.NNClasses(t.tab, t.scope, c.Args[1])
	if classes == nil {
		return val{}, false
	}
	if k := v.t.Base(); k.Kind != types.AnyK && !(k.Kind == types.Ext && k.Name == "Module") {
		return val{}, false
	}
	var out model.Expr
	for _, et := range classes {
		test := typeCall(t.qual("py", "IsInstance"), &model.TemplateType{Parts: t.renderParts(et.Class, nil, nil)}, v.c)
		if out == nil {
			out = test
		} else {
			out = bin("||", out, test)
		}
	}
	if len(classes) > 1 {
		out = par(out)
	}
	return prim(out, types.TBool), true
}
