package lower

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// dictView is the dict whose items(), keys() or values() a loop iterates
// (types.dictView): a typed dict as is, a value of no static type read
// through py.Dict as the Dict[str, Any] JSON decodes to.
func (t *translator) dictView(d val) (val, bool) {
	switch d.t.Kind {
	case types.Dict:
		return d, true
	case types.AnyK:
		return prim(call(t.qual("py", "Dict"), d.c), types.DictOf(types.TStr, types.TAny)), true
	}
	return d, false
}

// strSlice is s[lo:hi] on a str: py.StrSlice, by characters with Python's
// clamping of the bounds (a step is not supported).
func (t *translator) strSlice(s *syntax.Subscript, x val, en *env) (val, bool) {
	sl, ok := s.Index[0].(*syntax.Slice)
	if !ok || len(s.Index) != 1 || sl.Step != nil {
		return val{}, false
	}
	return prim(call(t.qual("py", "StrSlice"), t.deref(x, s.X), t.bound(sl.Lo, en), t.bound(sl.Hi, en)), types.TStr), true
}

// iterable makes a value a loop can iterate a Go slice: an array's rows
// (py.Rows, a[0], a[1], ... as mlx iterates), a dynamic value's elements
// (py.Iter: a tolist() result, a config list), a str's characters
// (py.Chars); other values as they are.
func (t *translator) iterable(v val) val {
	switch v.t.Base().Kind {
	case types.Array:
		return prim(call(t.qual("py", "Rows"), v.c), types.ListOf(types.TArray))
	case types.AnyK:
		return prim(call(t.qual("py", "Iter"), v.c), types.ListOf(types.TAny))
	case types.Str:
		// for c in "qkv": a str's characters, each a str (py.Chars).
		return prim(call(t.qual("py", "Chars"), v.c), types.ListOf(types.TStr))
	}
	return v
}
