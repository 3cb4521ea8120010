package types

import "github.com/hf2go/hf2go/generator/syntax"

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
