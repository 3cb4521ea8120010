package syntax

// object.__setattr__(self, "name", value) as a statement is the attribute
// store self.name = value: it is how a frozen dataclass's __post_init__
// (nemotron-nas's AttentionConfig) sets its own fields, bypassing the
// dataclass's __setattr__ that raises FrozenInstanceError. Python's
// object.__setattr__ with a str constant that is an identifier stores
// exactly that attribute, so the rewrite is exact. It applies only when the
// file does not rebind `object`.

func desugarSetattr(s Stmt, objectBuiltin bool) Stmt {
	if !objectBuiltin {
		return nil
	}
	es, ok := s.(*ExprStmt)
	if !ok {
		return nil
	}
	c, ok := es.X.(*Call)
	if !ok || len(c.Args) != 3 || len(c.Keywords) != 0 {
		return nil
	}
	f, ok := c.Func.(*Attribute)
	if !ok || f.Attr != "__setattr__" {
		return nil
	}
	if n, ok := f.X.(*Name); !ok || n.Id != "object" {
		return nil
	}
	name, ok := c.Args[1].(*Constant)
	if !ok || name.Kind != ConstStr || !isIdentifier(name.Value) {
		return nil
	}
	for _, a := range c.Args {
		if _, ok := a.(*Starred); ok {
			return nil
		}
	}
	target := &Attribute{At: name.At, X: c.Args[0], Attr: name.Value}
	return &Assign{At: es.At, Targets: []Expr{target}, Value: c.Args[2]}
}

// isIdentifier reports whether s is an ASCII Python identifier.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
