package types

// Equality of dicts. `self.quantization != _QUANTIZATION`
// (prism_hadamard_qwen35) compares a config dict with a constant one as
// Python does: the same keys, each value equal by Python's == (2 == 2.0:
// config.json's numbers decode as floats). The Go is py.ValueEq of the two
// maps (lower/lower_dicteq.go).

// DictEq reports whether l == r (or !=) compares two dicts.
func DictEq(op string, l, r *Type) bool {
	if op != "==" && op != "!=" {
		return false
	}
	l, r = l.Base(), r.Base()
	return l.Kind == Dict && r.Kind == Dict
}
