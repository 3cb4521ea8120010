package syntax

// Desugaring: rewrites of the AST into forms the later phases already
// translate, each exact in Python's semantics. It runs once, right after
// parsing, so that names, types and emit see only the plain form.

// DesugarNamedExprs rewrites an if (or elif) whose whole condition is an
// assignment expression,
//
//	if name := value:
//	    ...
//
// into the assignment followed by the test of the name,
//
//	name = value
//	if name:
//	    ...
//
// which Python evaluates identically: the condition is evaluated first and
// only once, and the walrus binds name in the enclosing function's scope,
// where the assignment binds it too. An elif's assignment goes into the
// else branch, where the elif's test is evaluated. Assignment expressions
// anywhere else are left alone (and still rejected by emit), since moving
// them out of a larger expression could change the order of evaluation or
// skip a short-circuit.
func DesugarNamedExprs(f *File) {
	f.Body = desugarBlock(f.Body, false)
}

// desugarBlock rewrites a block; inFunc says it is (in) a function body,
// where rewrites that add a local apply.
func desugarBlock(b []Stmt, inFunc bool) []Stmt {
	var out []Stmt
	for _, s := range b {
		out = append(out, desugarStmt(s, inFunc)...)
	}
	return out
}

func desugarStmt(s Stmt, inFunc bool) []Stmt {
	switch x := s.(type) {
	case *ClassDef:
		x.Body = desugarBlock(x.Body, false)
	case *FuncDef:
		x.Body = desugarBlock(x.Body, true)
	case *For:
		x.Body = desugarBlock(x.Body, inFunc)
	case *While:
		x.Body = desugarBlock(x.Body, inFunc)
	case *If:
		x.Body = desugarBlock(x.Body, inFunc)
		x.Else = desugarBlock(x.Else, inFunc)
		if ne, ok := x.Cond.(*NamedExpr); ok {
			assign := &Assign{At: ne.At, Targets: []Expr{ne.Target}, Value: ne.Value}
			x.Cond = &Name{At: ne.Target.At, Id: ne.Target.Id}
			return []Stmt{assign, x}
		}
		if inFunc {
			if out := hoistWalrus(x); out != nil {
				return out
			}
		}
	}
	if inFunc {
		if out := desugarUnpack(s); out != nil {
			return out
		}
	}
	return []Stmt{s}
}
