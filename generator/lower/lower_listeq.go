package lower

import "github.com/hf2go/hf2go/generator/types"

// listEq translates l == r (or !=) of two sequences (types.ListEq).
func (t *translator) listEq(op string, l, r val) (val, bool) {
	if !types.ListEq(op, l.t, r.t) {
		return val{}, false
	}
	c := call(t.qual("slices", "Equal"), l.c, r.c)
	if op == "!=" {
		return val{c: un("!", c), t: types.TBool, prec: precUnary}, true
	}
	return prim(c, types.TBool), true
}
