package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// callDyn translates a call of a dynamic interface (types/check_dyniface.go)
// into a closure that tries each member whose __call__ binds the call:
//
//	func() R {
//		m1, ok1 := rt.As[*A](x)
//		if ok1 { return m1.Forward(...) }
//		...
//		py.Raise("TypeError", ...)
//		return zero
//	}()
func (t *translator) callDyn(c *syntax.Call, callee val, en *env) val {
	ty := callee.t.Base()
	ms, fns := t.u.DynMembers(c, ty)
	if len(fns) == 0 {
		return t.bad(c, "call", "no class of %s takes these arguments", ty)
	}
	ret := t.val(c).T
	if ret == nil || ret.Kind == types.Unknown || ret.Kind == types.Tuple {
		return t.bad(c, "call", "of %s with a %v result", ty, ret)
	}
	var body []model.Stmt
	x := id("dynRecv") // the value, evaluated once
	body = append(body, define(x, callee.c))
	for i, m := range ms {
		mv, ok := id(fmt.Sprintf("m%d", i+1)), id(fmt.Sprintf("ok%d", i+1))
		body = append(body, &model.Define{Lhs: exprs(mv, ok), Rhs: exprs(typeCall(t.qual("py", "As"), t.goType(m), x))})
		v := t.callLocal(c, fns[i], sel(mv, "Forward"), en, m.Name+".__call__")
		body = append(body, &model.If{Cond: ok, Then: []model.Stmt{ret1(t.coerce(v, ret, c))}})
	}
	body = append(body, exprStmt(call(t.qual("py", "Raise"), lit("TypeError"), lit(fmt.Sprintf("%s: no class of %s takes these arguments (got %%T)", exprText(c.Func), ty)), x)))
	body = append(body, ret1(t.zero(ret)))
	return prim(closure(t.goType(ret), body...), ret)
}

func ret1(x model.Expr) model.Stmt { return ret(x) }
