package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Sets and dict key views (types/check_sets.go).

// setBuiltin translates set(xs) and sorted(d).
func (t *translator) setBuiltin(c *syntax.Call, name string, en *env) (val, bool) {
	if name == "set" && len(c.Args) == 0 && len(c.Keywords) == 0 {
		// set(): an empty slice of the element type the checker settled on.
		ty := t.val(c).T
		if ty.Kind != types.List || ty.Elem.Kind == types.Unknown {
			return t.bad(c, "set()", "the element type of this empty set is not known"), true
		}
		return prim(&model.Composite{Type: t.goType(ty)}, ty), true
	}
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

// distinct makes a list value a set: py.Set keeps the first occurrence of
// each element ({x for x in xs} and {a, b} hold each value once, as len()
// and iteration see). A literal of distinct constants stays as written.
func (t *translator) distinct(v val) val {
	if v.t.Kind != types.List {
		return v
	}
	if comp, ok := v.c.(*model.Composite); ok && distinctLits(comp.Elts) {
		return v
	}
	return prim(call(t.qual("py", "Set"), v.c), v.t)
}

func distinctLits(elts []model.Expr) bool {
	seen := map[string]bool{}
	for _, e := range elts {
		l, ok := e.(*model.Lit)
		if !ok || l.Text != "" {
			return false // a value, or a number spelled in source (1 and 1.0 are one element)
		}
		k := fmt.Sprintf("%T:%v", l.Value, l.Value)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}
