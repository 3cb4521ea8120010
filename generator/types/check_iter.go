package types

import "github.com/hf2go/hf2go/generator/syntax"

// dictView is the dict whose items(), keys() or values() a loop iterates:
// a typed dict as is, and a value of no static type (a config value such
// as rope_parameters[layer_type]) as the dict JSON decodes to,
// Dict[str, Any] (lowered through py.Dict, a TypeError on anything else, as
// Python's AttributeError on a non-dict).
func dictView(ty *Type) (*Type, bool) {
	switch ty.Kind {
	case Dict:
		return ty, true
	case AnyK:
		return DictOf(TStr, TAny), true
	}
	return nil, false
}

// strSlice checks s[lo:hi] on a str (no step): a str, sliced by characters.
func (t *checker) strSlice(s *syntax.Subscript, en *env) (Val, bool) {
	sl, ok := s.Index[0].(*syntax.Slice)
	if !ok || len(s.Index) != 1 || sl.Step != nil {
		return Val{}, false
	}
	t.bound(sl.Lo, en)
	t.bound(sl.Hi, en)
	return tv(TStr), true
}

// iterElem is the element a loop over a value of type ty binds: a list's or
// homogeneous tuple's element, an array's rows (arrays), a dynamic value's
// elements (Any: tolist() results, config lists); nil when not iterable so.
func iterElem(ty *Type) *Type {
	if h := ty.Homogeneous(); h != nil {
		return h
	}
	switch ty.Kind {
	case Array:
		return TArray
	case AnyK:
		return TAny
	}
	return nil
}
