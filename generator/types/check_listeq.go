package types

// Equality of lists.
//
// recurrent_gemma asserts `a.shape == x.shape[-a.ndim :]`: two shapes,
// compared element by element as Python compares sequences of the same
// kind. Only lists (or tuples) of one scalar element type on both sides
// are compared: a list never equals a tuple in Python, and elements of
// other types would need Python's == on each.

// ListEq reports whether l == r (or !=) compares two sequences elementwise.
func ListEq(op string, l, r *Type) bool {
	if op != "==" && op != "!=" {
		return false
	}
	l, r = l.Base(), r.Base()
	if (l.Kind != List || r.Kind != List) && (l.Kind != Tuple || r.Kind != Tuple) {
		return false
	}
	le, re := l.Homogeneous(), r.Homogeneous()
	if le == nil || re == nil || le.Kind != re.Kind {
		return false
	}
	switch le.Kind {
	case Int, Float, Bool, Str:
		return true
	}
	return false
}
