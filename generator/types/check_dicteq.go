package types

// Equality of dicts.
//
// prism_hadamard_qwen35 checks its config with `self.quantization !=
// _QUANTIZATION`: two dicts, equal in Python when they have the same keys
// and == values (2 == 2.0 == True, so a config number parsed as a float
// equals the literal int). Two dicts of the same key type compare through
// py.DictEqual, which applies Python's == to the values (py.Equal).

// DictEq reports whether l == r (or !=) compares two dicts.
func DictEq(op string, l, r *Type) bool {
	if op != "==" && op != "!=" {
		return false
	}
	l, r = l.Base(), r.Base()
	return l.Kind == Dict && r.Kind == Dict && l.Key != nil && r.Key != nil && l.Key.Equal(r.Key)
}
