package types

// Parameters annotated Any.
//
// `cache_slot: Optional[Any]` (olmo_hybrid's _apply_conv1d) says nothing of
// what the function receives: Any is the annotation of "whatever the caller
// has". Go needs one type, so the call sites decide it, as they do for an
// unannotated parameter: the first known type passed is the parameter's
// (Optional where the annotation was Optional[Any]); call sites that pass
// types that do not unify keep it Any, the dynamic value it was.

// looseAny reports an annotation type that is Any or Optional[Any].
func looseAny(ty *Type) bool {
	return ty.Kind == AnyK || (ty.Kind == Optional && ty.Elem.Kind == AnyK)
}

// learnLoose teaches a parameter annotated Any the type v a call site
// passes; it reports whether p was such a parameter.
func (t *checker) learnLoose(p *Param, v *Type) bool {
	if p.Loose == nil {
		return false
	}
	if p.looseMixed || v.Kind == Unknown || v.Kind == None || v.Kind == AnyK {
		return true
	}
	want := v
	if p.Loose.Kind == Optional {
		want = OptionalOf(v)
	}
	switch {
	case looseAny(p.Type):
		p.Type = want
	case p.Type.Equal(want):
	default:
		if un := t.unify(p.Type, want); un != nil {
			p.Type = un
		} else {
			p.Type, p.looseMixed = p.Loose, true
		}
	}
	return true
}
