package types

// `and` / `or` over bools and numbers: Python's value semantics.
//
// `a and b` is a when a is false, else b; `a or b` is a when a is true,
// else b: the operand itself, not a bool. llama4's
// `self.use_qk_norm = args.use_qk_norm and self.use_rope` (a bool and an
// int) is False or the int. Where every operand is a bool or a number the
// value is a number: the widest operand type (int, float), a bool operand
// taking its numeric value (False == 0, True == 1 in every arithmetic,
// comparison and truth test Python does; only type() and repr tell them
// apart).

// numericBoolOp types a boolean operation whose operands are bools and at
// least one number.
func numericBoolOp(vals []Val) (*Type, bool) {
	out := TBool
	for _, v := range vals {
		switch v.T.Kind {
		case Bool:
		case Int:
			if out.Kind != Float {
				out = TInt
			}
		case Float:
			out = TFloat
		default:
			return nil, false
		}
	}
	return out, out.Kind != Bool
}
