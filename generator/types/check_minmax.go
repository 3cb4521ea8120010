package types

import "github.com/hf2go/hf2go/generator/syntax"

// min(a, b) / max(a, b) where some arguments are dynamic config values
// (minimax_m3_vl: `min(args.rotary_dim, self.index_head_dim)`, the second
// read from a nested config dict): Python compares the values as they are,
// so the translation compares them at run time (py.MinAny over the
// arguments, the first smallest as Python's min) and the result is Any.
// Every argument must be a number or Any (an Optional number where it is
// known not to be None reads as the number).
func anyMinMax(c *syntax.Call, arg func(int) Val) bool {
	if len(c.Args) < 2 || len(c.Keywords) > 0 {
		return false
	}
	hasAny := false
	for i := range c.Args {
		ty := arg(i).T
		if ty.Kind == Optional {
			return false
		}
		switch {
		case ty.Kind == AnyK:
			hasAny = true
		case ty.Numeric():
		default:
			return false
		}
	}
	return hasAny
}

// AnyMinMax is anyMinMax for the lowering.
func AnyMinMax(c *syntax.Call, ts []*Type) bool {
	return anyMinMax(c, func(i int) Val { return tv(ts[i]) })
}
