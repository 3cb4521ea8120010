package lower

import "github.com/hf2go/hf2go/generator/types"

// dictEq translates l == r (or !=) of two dicts (types.DictEq) as Python's
// value equality, py.ValueEq.
func (t *translator) dictEq(op string, l, r val) (val, bool) {
	if !types.DictEq(op, l.t, r.t) {
		return val{}, false
	}
	c := call(t.qual("py", "ValueEq"), l.c, r.c)
	if op == "!=" {
		return val{c: un("!", c), t: types.TBool, prec: precUnary}, true
	}
	return prim(c, types.TBool), true
}
