package types

// unifyFromClass merges a module class of the file with a table type that
// adapts such classes (from_class in api.yaml), as in step3p5's
// `ClampedSwiGLU(limit) if limit > 0 else SwiGLU()`: both are GLU
// activations, so the value is the table type, the class converted where it
// is one. The class's __call__ must take as many arguments as the table
// type's call (the same test unifyClasses applies between classes).
func (u *Unit) unifyFromClass(tab *Table, a, b *Type) *Type {
	if a == nil || b == nil {
		return nil
	}
	if b.Kind == ClassK {
		a, b = b, a
	}
	if a.Kind != ClassK || b.Kind != Ext || tab == nil {
		return nil
	}
	et := tab.Types[b.Name]
	if et == nil || et.FromClass == "" || et.Call == nil {
		return nil
	}
	cls := u.ByClass[a.Name]
	if cls == nil || cls.ByMeth["__call__"] == nil {
		return nil
	}
	call := cls.ByMeth["__call__"]
	sig := et.Call
	if len(sig.Alts) > 0 {
		sig = sig.Alts[0]
	}
	if len(call.Params) != len(sig.Params) {
		return nil
	}
	return b
}
