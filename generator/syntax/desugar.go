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
	f.Body = desugarBlock(f.Body, dctx{mapBuiltin: !bindsName(f.Body, "map"), objectBuiltin: !bindsName(f.Body, "object"),
		listBuiltin: !bindsName(f.Body, "list")})
}

// dctx is where a rewrite happens: inFunc, (in) a function body, where
// rewrites that add a local apply; mapBuiltin, the file does not rebind map
// (desugar_map.go); objectBuiltin, nor object (desugar_setattr.go);
// listBuiltin, nor list (desugar_starred.go).
type dctx struct{ inFunc, mapBuiltin, objectBuiltin, listBuiltin bool }

func (d dctx) in(fn bool) dctx { d.inFunc = fn; return d }

// desugarBlock rewrites a block; inFunc says it is (in) a function body,
// where rewrites that add a local apply.
func desugarBlock(b []Stmt, d dctx) []Stmt {
	var out []Stmt
	for _, s := range b {
		out = append(out, desugarStmt(s, d)...)
	}
	return out
}

func desugarStmt(s Stmt, d dctx) []Stmt {
	inFunc := d.inFunc
	switch x := s.(type) {
	case *ClassDef:
		x.Body = desugarBlock(x.Body, d.in(false))
	case *FuncDef:
		x.Body = desugarBlock(x.Body, d.in(true))
	case *For:
		x.Body = desugarBlock(x.Body, d)
	case *While:
		x.Body = desugarBlock(x.Body, d)
	case *If:
		x.Body = desugarBlock(x.Body, d)
		x.Else = desugarBlock(x.Else, d)
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
		if a := desugarSetattr(s, d.objectBuiltin); a != nil {
			s = a
		}
	}
	if a, ok := s.(*Assign); ok && inFunc {
		desugarMap(a, d.mapBuiltin)
	}
	if a, ok := s.(*Assign); ok && inFunc {
		if out := desugarStarredTarget(a, d); out != nil {
			return out
		}
	}
	if inFunc {
		if out := desugarUnpack(s); out != nil {
			return out
		}
	}
	return []Stmt{s}
}
