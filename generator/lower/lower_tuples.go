package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Tuples of mixed element types as values. A tuple whose elements do not
// unify — (name, array) pairs a sanitize builds a list of — has the Go type
// any; as a value it is the []any of its elements, which py.Pair unpacks
// (each element asserted to its static type) and py.UpdatePairs stores into
// a dict. Returned and unpacked-in-place tuples never reach this value.

// mixedTuple is the []any of a tuple literal's elements; vs holds the ones
// already translated.
func (t *translator) mixedTuple(elts []syntax.Expr, vs []val, en *env) val {
	for _, e := range elts[len(vs):] {
		vs = append(vs, t.expr(e, en))
	}
	var ts []*types.Type
	var codes []model.Expr
	for _, v := range vs {
		ts = append(ts, v.t)
		codes = append(codes, v.c)
	}
	return val{c: &model.Composite{Type: &model.Slice{Elem: named("any")}, Elts: codes}, t: types.TupleOf(ts...), prec: precPrimary}
}

// pairTypes is the element types of a two-element tuple whose elements do
// not unify (a mixed pair), or nil.
func pairTypes(ty *types.Type) []*types.Type {
	if ty.Kind == types.Tuple && len(ty.Elems) == 2 && ty.Homogeneous() == nil {
		return ty.Elems
	}
	return nil
}

// unpackPair is `a, b := py.Pair[A, B](e)`: a mixed pair unpacked with each
// element asserted to its type.
func (t *translator) unpackPair(lhs []model.Expr, elems []*types.Type, e model.Expr) model.Stmt {
	return &model.Define{Lhs: lhs, Rhs: exprs(&model.Call{Fun: t.qual("py", "Pair"),
		TypeArgs: []model.Type{t.goType(elems[0]), t.goType(elems[1])}, Args: []model.Expr{e}})}
}
