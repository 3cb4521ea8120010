package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// ifaceField reads field attr through an interface of classes
// (types/iface_attrs.go): a function literal asks which class the value
// holds, one type assertion per member, and returns that class's field as
// the unified type,
//
//	func() T {
//		r := recv
//		if v, ok := r.(*A); ok {
//			return v.Model
//		}
//		...
//		return r.(*C).Model
//	}()
//
// with the receiver evaluated once, into r, before the assertions.
func (t *translator) ifaceField(a syntax.Node, recv val, rt *types.Type, attr string) (val, bool) {
	ft := t.u.IfaceField(t.tab, rt, attr)
	if ft == nil {
		return val{}, false
	}
	body := []model.Stmt{&model.Define{Lhs: []model.Expr{id("r")}, Rhs: []model.Expr{recv.c}}}
	r := prim(id("r"), rt)
	for i, e := range rt.Elems {
		c := t.u.ByClass[e.Name]
		f := c.ByName[attr]
		as := &model.TypeAssert{X: paren(r, precPrimary), Type: t.goType(e)}
		read := func(x model.Expr) model.Expr {
			if ft.Kind == types.List && types.IsDynIface(ft.Elem) && f.Type.Kind == types.List {
				// []*Block as []any: the members' layer lists.
				return call(t.qual("py", "AnyList"), x)
			}
			return t.coerce(prim(x, f.Type), ft, a)
		}
		if i == len(rt.Elems)-1 {
			body = append(body, &model.Return{Results: []model.Expr{read(sel(as, f.Go))}})
			break
		}
		body = append(body, &model.If{
			Init: &model.Define{Lhs: []model.Expr{id("v"), id("ok")}, Rhs: []model.Expr{as}},
			Cond: id("ok"),
			Then: []model.Stmt{&model.Return{Results: []model.Expr{read(sel(id("v"), f.Go))}}},
		})
	}
	fl := &model.FuncLit{Results: []model.Type{t.goType(ft)}, Body: body}
	return prim(call(fl), ft), true
}
