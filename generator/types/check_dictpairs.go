package types

// dict(pairs): a dict built from a list of (key, value) tuples, such as
// dict(module.named_modules()) (prism_hadamard_qwen35), is a Dict of the
// tuples' key and value types, made by py.DictFromPairs.

// DictPairs is the dict type of dict(v) for v a list of two-element
// tuples, or nil.
func DictPairs(v *Type) *Type {
	if v == nil || v.Kind != List || v.Elem == nil || v.Elem.Kind != Tuple || len(v.Elem.Elems) != 2 {
		return nil
	}
	k := v.Elem.Elems[0]
	switch k.Kind {
	case Str, Int:
	default:
		return nil
	}
	return DictOf(k, v.Elem.Elems[1])
}
