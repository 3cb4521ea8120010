package types

// Interfaces of module classes (unifyClasses: self.mixer = Mamba(...) if
// is_mamba else Attention(...)) are one Go interface, so the members'
// __call__ must have one Go signature. Python lets them differ where the
// values passed are the same: plamo2's Mamba takes `mask: Optional[array]`
// and its Attention an attention mask, and the decoder layer passes both
// the same mask. Each parameter takes the union of the members' types
// (array and mask: a mask), so the interface has one signature.

// widenIfaceParams unifies the __call__ parameters of the members of every
// interface a field holds; it reports whether a type changed.
func (t *checker) widenIfaceParams() bool {
	changed := false
	seen := map[string]bool{}
	for _, c := range t.u.Classes {
		for _, f := range c.Fields {
			ty := f.Type
			for ty != nil && ty.Kind == List {
				ty = ty.Elem
			}
			if ty == nil || ty.Kind != Iface || IsDynIface(ty) || seen[ty.String()] {
				continue
			}
			seen[ty.String()] = true
			var calls []*Func
			for _, m := range ty.Elems {
				if cls := t.u.ByClass[m.Name]; cls != nil && cls.ByMeth["__call__"] != nil {
					calls = append(calls, cls.ByMeth["__call__"])
				}
			}
			if len(calls) < 2 {
				continue
			}
			for i := range calls[0].Params {
				var u *Type
				ok := true
				for _, call := range calls {
					if i >= len(call.Params) {
						ok = false
						break
					}
					if u = t.unify(u, call.Params[i].Type); u == nil {
						ok = false
						break
					}
				}
				if !ok || u.Kind == Unknown {
					continue
				}
				for _, call := range calls {
					if !call.Params[i].Type.Equal(u) {
						call.Params[i].Type = u
						changed = true
					}
				}
			}
		}
	}
	return changed
}
