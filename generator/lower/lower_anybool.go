package lower

import "github.com/hf2go/hf2go/generator/types"

// anyBoolEq translates x == b / x != b for x of no static type (a config
// value) and b a bool (prism_hadamard_qwen35's `record["embedding"] !=
// isinstance(...)`): Python's ==, py.ValueEq (True == 1, and a JSON bool
// equals a bool), not the float comparison other numbers take — a Go bool
// has no float conversion.
func (t *translator) anyBoolEq(op string, l, r val) (val, bool) {
	if op != "==" && op != "!=" {
		return val{}, false
	}
	lt, rt := l.t.Base(), r.t.Base()
	if !(lt.Kind == types.AnyK && rt.Kind == types.Bool) && !(rt.Kind == types.AnyK && lt.Kind == types.Bool) {
		return val{}, false
	}
	c := call(t.qual("py", "ValueEq"), l.c, r.c)
	if op == "!=" {
		return val{c: un("!", c), t: types.TBool, prec: precUnary}, true
	}
	return prim(c, types.TBool), true
}
