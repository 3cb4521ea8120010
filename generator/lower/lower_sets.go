package lower

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Sets and dict key views (types/check_sets.go).

// setBuiltin translates set(xs) and sorted(d).
func (t *translator) setBuiltin(c *syntax.Call, name string, en *env) (val, bool) {
	if len(c.Args) != 1 || len(c.Keywords) > 0 {
		return val{}, false
	}
	switch name {
	case "set":
		v := t.expr(c.Args[0], en)
		if v.t.Kind == types.Dict {
			return prim(call(t.qual("py", "SortedKeys"), v.c), types.ListOf(v.t.Key)), true
		}
		if h := v.t.Homogeneous(); h != nil {
			return prim(call(t.qual("py", "Set"), v.c), types.ListOf(h)), true
		}
	case "sorted":
		v := t.expr(c.Args[0], en)
		if v.t.Kind == types.Dict && (v.t.Key.Kind == types.Str || v.t.Key.Numeric()) {
			return prim(call(t.qual("py", "SortedKeys"), v.c), types.ListOf(v.t.Key)), true
		}
	}
	return val{}, false
}

// setDiff translates a - b of lists standing for sets.
func (t *translator) setDiff(op string, l, r val) (val, bool) {
	if res := types.SetDiff(op, l.t, r.t); res != nil {
		return prim(call(t.qual("py", "SetDiff"), l.c, r.c), res), true
	}
	return val{}, false
}
