package types

// Fields read through an interface of module classes. mistral3's layers
// property reads self.language_model.model.layers, where language_model is
// one of three text models: a Go interface holds no fields, so the read
// asks which class the value holds (lower_ifaceattrs.go). It is one when
// every member class has the field; its type is the unification of the
// members' field types (three decoder classes: the interface of them; three
// lists of layer classes: a list of that interface).

// IfaceField is the type of field attr read on an interface of classes, or
// nil when a member lacks the field or the types do not unify.
func (u *Unit) IfaceField(tab *Table, ty *Type, attr string) *Type {
	if ty == nil || ty.Kind != Iface {
		return nil
	}
	var out *Type
	for i, e := range ty.Elems {
		if e.Kind != ClassK {
			return nil
		}
		c := u.ByClass[e.Name]
		if c == nil {
			return nil
		}
		f := c.ByName[attr]
		if f == nil || f.Type == nil || f.Type.Kind == Unknown {
			return nil
		}
		if i == 0 {
			out = f.Type
			continue
		}
		if out = u.UnifyIn(tab, out, f.Type); out == nil {
			return nil
		}
	}
	return out
}
