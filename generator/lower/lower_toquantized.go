package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/types"
)

// A model class's own to_quantized (afm7's FusedLinear.to_quantized(
// group_size, bits) returning a FusedQuantizedLinear) is what nn.quantize
// calls on that module: in Go, the method nn.Quantize calls
// (nn.Quantizable's ToQuantized(q nn.QuantParams) (any, error)). Its body is
// the translated Python method, a function literal called with the
// parameters Python's nn.quantize passes by name from q: group_size,
// bits, mode, global_scale (any other parameter takes its default); before
// that, py.QuantizeTakes refuses settings the method has no parameter for.

// quantizeKeyword is the QuantParams field nn.quantize passes as each
// keyword, with its type.
var quantizeKeyword = map[string]struct {
	field string
	ty    *types.Type
}{
	"group_size":   {"GroupSize", types.TInt},
	"bits":         {"Bits", types.TInt},
	"mode":         {"Mode", types.TStr},
	"global_scale": {"GlobalScale", types.TBool},
}

// isToQuantized reports whether fn is a module class's to_quantized.
func isToQuantized(fn *types.Func) bool {
	return fn.Class != nil && !fn.Class.IsArgs && fn.Def.Name == "to_quantized" && !fn.IsClassMethod && !fn.IsProp
}

// toQuantizedProtocol wraps the translated method (params, results, body)
// as nn.Quantizable's ToQuantized.
func (t *translator) toQuantizedProtocol(fn *types.Func, params []*model.Param, results []model.Type, body []model.Stmt, en *env) *model.Func {
	q := id("q")
	method := fn.Class.Name + "." + fn.Def.Name
	takes := []model.Expr{q, lit(method)}
	var args []model.Expr
	for _, p := range fn.Params {
		takes = append(takes, lit(p.Py))
		if kw, ok := quantizeKeyword[p.Py]; ok {
			args = append(args, t.coerce(prim(sel(q, kw.field), kw.ty), p.Type, fn.Def))
			continue
		}
		if p.Def == nil {
			t.bad(fn.Def, "to_quantized", "parameter %s has no default and nn.quantize does not pass it", p.Py)
			continue
		}
		args = append(args, t.coerce(t.expr(p.Def, en), p.Type, p.Def))
	}
	if len(results) != 1 {
		t.bad(fn.Def, "to_quantized", "returns %d values, not a module", len(results))
	}
	flit := &model.FuncLit{Params: params, Results: results, Body: body}
	errv := id("err")
	out := []model.Stmt{
		define(errv, call(t.qual("py", "QuantizeTakes"), takes...)),
		&model.If{Cond: bin("!=", errv, nilLit()), Then: []model.Stmt{ret(nilLit(), errv)}},
		ret(call(flit, args...), nilLit()),
	}
	return &model.Func{
		Doc: fmt.Sprintf("%s is %s as nn.quantize calls it (nn.Quantizable): its parameters from q by their Python names.",
			names.GoExported(fn.Def.Name), method),
		Name: fn.GoName, Py: fn.Def.Name,
		Params:  []*model.Param{{Name: "q", Type: &model.QualType{Pkg: "nn", Name: "QuantParams"}}},
		Results: []model.Type{named("any"), named("error")},
		Body:    out,
		Recv:    &model.Param{Name: "self", Type: &model.Ptr{Elem: named(fn.Class.Name)}},
	}
}
