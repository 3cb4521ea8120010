package types

import "github.com/hf2go/hf2go/generator/syntax"

// ReprAble reports whether repr()/str()/ascii() of a value of type ty has a
// Go translation (runtime/py.Repr): the Python values a config or a model
// file formats into a message — str, int, float, bool, None, a dynamic
// value, and lists, dicts and Optionals of those (a tuple is a Go slice, and
// would print with brackets, not parentheses). An array, a module
// or a cache has a repr Python builds from its own state; formatting one is
// rejected rather than guessed.
func ReprAble(ty *Type) bool {
	switch ty.Kind {
	case Int, Float, Bool, Str, None, AnyK:
		return true
	case List, Optional:
		return ReprAble(ty.Elem)
	case Dict:
		return ReprAble(ty.Key) && ReprAble(ty.Elem)
	}
	return false
}

// fstringConv checks the value of an f-string part with a !r, !s or !a
// conversion.
func (t *checker) fstringConv(p syntax.FPart, v Val) {
	if p.Conv == "" || v.T.Kind == Unknown {
		return
	}
	if !ReprAble(v.T) {
		t.fail(p.X, "f-string conversion", "!%s of a %s: only str, numbers, bool, None and containers of them", p.Conv, v.T)
	}
}
