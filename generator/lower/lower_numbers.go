package lower

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Methods of Python numbers and list slices with a step (types/check_numbers.go).

// floatMethod translates x.name(...) on a float.
func (t *translator) floatMethod(c *syntax.Call, name string, recv val) val {
	if name == "is_integer" && len(c.Args) == 0 && len(c.Keywords) == 0 {
		return prim(call(t.qual("py", "FloatIsInteger"), t.deref(recv, c.Func)), types.TBool)
	}
	return t.bad(c, "float."+name, "not supported")
}

// steppedSlice translates xs[lo:hi:step]: Python's slice.indices, a new list.
func (t *translator) steppedSlice(x val, sl *syntax.Slice, et *types.Type, en *env) val {
	return prim(call(t.qual("py", "SliceStep"), x.c, t.bound(sl.Lo, en), t.bound(sl.Hi, en), t.bound(sl.Step, en)), types.ListOf(et))
}
