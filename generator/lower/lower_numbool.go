package lower

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// numericBoolOp translates `a and b` / `a or b` over bools and numbers
// (types/check_numbool.go) as Python evaluates it: each operand once, left
// to right, stopping at the one that decides, the value that operand's
// (bools as 0 / 1 of the result's type):
//
//	func() T { x := a; if !truth(x) { return x }; return b }()   // and
func (t *translator) numericBoolOp(b *syntax.BoolOp, vals []val) (val, bool) {
	res := t.val(b).T
	if res == nil || (res.Kind != types.Int && res.Kind != types.Float) {
		return val{}, false
	}
	for _, v := range vals {
		if k := v.t.Kind; k != types.Bool && k != types.Int && k != types.Float {
			return val{}, false
		}
	}
	var body []model.Stmt
	for i, v := range vals[:len(vals)-1] {
		x := prim(id("x"+strconv.Itoa(i)), res)
		body = append(body, define(x.c, t.coerce(v, res, b.Values[i])))
		tv := t.truthOf(x, b.Values[i])
		cond := tv.c
		if b.Op == "and" {
			cond = &model.Unary{Op: "!", X: paren(tv, precUnary)}
		}
		body = append(body, &model.If{Cond: cond, Then: []model.Stmt{ret(x.c)}})
	}
	last := len(vals) - 1
	body = append(body, ret(t.coerce(vals[last], res, b.Values[last])))
	return prim(closure(t.goType(res), body...), res), true
}
