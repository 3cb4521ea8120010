package types

// Methods of mlx.nn.Module on the file's own module classes. A module class
// inherits nn.Module's methods (named_modules() in prism_hadamard_qwen35's
// Model); those the translator supports are the API table's
// `Module` type's methods. A method the class itself defines comes first,
// as in Python.

// ModuleMethod is nn.Module's method name as the table gives it, for a
// class of the file that is not a config dataclass.
func (u *Unit) ModuleMethod(tab *Table, cls *Class, name string) (*Sig, bool) {
	if cls == nil || cls.IsArgs {
		return nil, false
	}
	et := tab.Types["Module"]
	if et == nil {
		return nil, false
	}
	sig, ok := et.Methods[name]
	return sig, ok
}
