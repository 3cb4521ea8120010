package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Dataclass fields whose annotation understates what configs put there.
//
// A dataclass does not check its annotations: `time_step_rank: int` holds
// the string "auto" when the config says so, and the file then tests
// `self.time_step_rank == "auto"` and replaces it. A number-annotated field
// the file compares with a string literal holds either: the translator keeps
// it as Python holds it (Any), and reads convert where a number is needed.

// comparedToStr reports whether the file (or a sibling it builds on)
// compares <x>.name with == / != against a string literal.
func (k *collector) comparedToStr(name string) bool {
	files := []*syntax.File{k.u.File}
	for _, f := range k.u.siblings {
		if f != nil {
			files = append(files, f)
		}
	}
	found := false
	isStr := func(e syntax.Expr) bool {
		c, ok := e.(*syntax.Constant)
		return ok && c.Kind == syntax.ConstStr
	}
	isField := func(e syntax.Expr) bool {
		a, ok := e.(*syntax.Attribute)
		return ok && a.Attr == name
	}
	for _, f := range files {
		var visit func(b []syntax.Stmt)
		visit = func(b []syntax.Stmt) {
			for _, st := range b {
				switch x := st.(type) {
				case *syntax.ClassDef:
					visit(x.Body)
				case *syntax.FuncDef:
					syntax.WalkExprs(x.Body, func(e syntax.Expr) {
						c, ok := e.(*syntax.Compare)
						if !ok || len(c.Ops) != 1 || (c.Ops[0] != "==" && c.Ops[0] != "!=") {
							return
						}
						l, r := c.Left, c.Comparators[0]
						if (isField(l) && isStr(r)) || (isStr(l) && isField(r)) {
							found = true
						}
					})
				}
			}
		}
		visit(f.Body)
	}
	return found
}

// Class constants of a dataclass. An unannotated assignment in a dataclass
// body (nemotron_h's `_block_type_to_char = {...}`) is a class attribute,
// not a field: config.json does not set it, and __post_init__ reads it as
// self._x. It becomes a field that is not read from config.json, set to
// its value by the constructor.

// classAttr is the field of a class-level `name = value`, or nil.
func (k *collector) classAttr(a *syntax.Assign) *Field {
	if len(a.Targets) != 1 {
		return nil
	}
	n, ok := a.Targets[0].(*syntax.Name)
	if !ok {
		return nil
	}
	return &Field{Py: n.Id, Go: names.GoExported(n.Id), Type: TUnknown, Def: a.Value, HasDef: true, Pos: a.P, ClassAttr: true}
}

// classAttrTypes types class constants from their values.
func (t *checker) classAttrTypes() {
	was := t.learn
	t.learn = true
	defer func() { t.learn = was }()
	for _, c := range t.u.Classes {
		for _, f := range c.Fields {
			if f.ClassAttr && f.Type.Kind == Unknown {
				f.Type = t.expr(f.Def, newEnv(nil, nil, nil)).T
			}
		}
	}
}

// isProperty reports a method decorated @property.
func isProperty(d *syntax.FuncDef) bool {
	for _, dec := range d.Decorators {
		if n, ok := dec.(*syntax.Name); ok && n.Id == "property" {
			return true
		}
	}
	return false
}
