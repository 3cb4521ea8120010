package types

import "github.com/hf2go/hf2go/generator/syntax"

// Methods of Python numbers, and list slices with a step.
//
// bailing_moe_linear's ALiBi-style slopes test `math.log2(n).is_integer()`
// and take every second slope of a longer list (`slopes[::2]`).

// floatMethod checks x.name(...) on a float.
func (t *checker) floatMethod(c *syntax.Call, name string, en *env) Val {
	for _, a := range c.Args {
		t.expr(a, en)
	}
	if name == "is_integer" && len(c.Args) == 0 && len(c.Keywords) == 0 {
		return tv(TBool)
	}
	return t.bad()
}

// steppedSlice checks xs[lo:hi:step] on a list or tuple of one element type.
func (t *checker) steppedSlice(sl *syntax.Slice, et *Type, en *env) Val {
	t.bound(sl.Lo, en)
	t.bound(sl.Hi, en)
	t.bound(sl.Step, en)
	return tv(ListOf(et))
}

// IntPowIsInt reports whether int ** int (exponent e of value v) is typed
// int. Python's result is an int for a non-negative exponent and a float
// for a negative one; statically that is known only for a literal or an
// explicit negation, which are floats. Any other exponent (`2 **
// math.floor(math.log2(n))`, `2 ** k`) is an int, and py.PowInt raises
// ValueError if it turns out negative at run time: the program stops
// rather than compute with a wrong type.
func IntPowIsInt(e syntax.Expr, v Val) bool {
	if n, ok := IntLit(v); ok {
		return n >= 0
	}
	if v.Lit != nil {
		return false
	}
	if u, ok := e.(*syntax.UnaryOp); ok && u.Op == "-" {
		return false
	}
	return true
}
