package syntax

// Children calls fn for each direct sub-expression of e, in source order.
func Children(e Expr, fn func(Expr)) {
	visit := func(x Expr) {
		if x != nil {
			fn(x)
		}
	}
	switch x := e.(type) {
	case *Attribute:
		visit(x.X)
	case *Call:
		visit(x.Func)
		for _, a := range x.Args {
			visit(a)
		}
		for _, k := range x.Keywords {
			visit(k.Value)
		}
	case *FString:
		for _, p := range x.Parts {
			visit(p.X)
		}
	case *BinOp:
		visit(x.L)
		visit(x.R)
	case *UnaryOp:
		visit(x.X)
	case *BoolOp:
		for _, v := range x.Values {
			visit(v)
		}
	case *Compare:
		visit(x.Left)
		for _, c := range x.Comparators {
			visit(c)
		}
	case *IfExp:
		visit(x.Then)
		visit(x.Cond)
		visit(x.Else)
	case *Lambda:
		for _, p := range x.Params {
			visit(p.Default)
		}
		visit(x.Body)
	case *Subscript:
		visit(x.X)
		for _, i := range x.Index {
			visit(i)
		}
	case *Slice:
		visit(x.Lo)
		visit(x.Hi)
		visit(x.Step)
	case *Tuple:
		for _, v := range x.Elts {
			visit(v)
		}
	case *List:
		for _, v := range x.Elts {
			visit(v)
		}
	case *Set:
		for _, v := range x.Elts {
			visit(v)
		}
	case *Dict:
		for i := range x.Keys {
			visit(x.Keys[i])
			visit(x.Values[i])
		}
	case *Comp:
		for _, g := range x.Generators {
			visit(g.Iter)
			visit(g.Target)
			for _, c := range g.Ifs {
				visit(c)
			}
		}
		visit(x.Key)
		visit(x.Elt)
	case *Starred:
		visit(x.X)
	case *NamedExpr:
		visit(x.Target)
		visit(x.Value)
	}
}

// Inspect walks e depth-first, calling fn for each expression; when fn
// returns false the expression's children are skipped.
func Inspect(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	Children(e, func(c Expr) { Inspect(c, fn) })
}

// ReplaceChildren sets each direct sub-expression c of e to fn(c), in
// source order: the in-place counterpart of Children, for rewrites of the
// AST (types/classval.go).
func ReplaceChildren(e Expr, fn func(Expr) Expr) {
	r := func(x Expr) Expr {
		if x == nil {
			return nil
		}
		return fn(x)
	}
	all := func(xs []Expr) {
		for i := range xs {
			xs[i] = r(xs[i])
		}
	}
	switch x := e.(type) {
	case *Attribute:
		x.X = r(x.X)
	case *Call:
		x.Func = r(x.Func)
		all(x.Args)
		for i := range x.Keywords {
			x.Keywords[i].Value = r(x.Keywords[i].Value)
		}
	case *FString:
		for i := range x.Parts {
			x.Parts[i].X = r(x.Parts[i].X)
		}
	case *BinOp:
		x.L, x.R = r(x.L), r(x.R)
	case *UnaryOp:
		x.X = r(x.X)
	case *BoolOp:
		all(x.Values)
	case *Compare:
		x.Left = r(x.Left)
		all(x.Comparators)
	case *IfExp:
		x.Then, x.Cond, x.Else = r(x.Then), r(x.Cond), r(x.Else)
	case *Lambda:
		for i := range x.Params {
			x.Params[i].Default = r(x.Params[i].Default)
		}
		x.Body = r(x.Body)
	case *Subscript:
		x.X = r(x.X)
		all(x.Index)
	case *Slice:
		x.Lo, x.Hi, x.Step = r(x.Lo), r(x.Hi), r(x.Step)
	case *Tuple:
		all(x.Elts)
	case *List:
		all(x.Elts)
	case *Set:
		all(x.Elts)
	case *Dict:
		all(x.Keys)
		all(x.Values)
	case *Comp:
		for i := range x.Generators {
			g := &x.Generators[i]
			g.Iter, g.Target = r(g.Iter), r(g.Target)
			all(g.Ifs)
		}
		x.Key, x.Elt = r(x.Key), r(x.Elt)
	case *Starred:
		x.X = r(x.X)
	case *NamedExpr:
		x.Value = r(x.Value)
	}
}

// ReplaceInBody applies fn to every top-level expression of the statements
// of body, nested blocks included (not nested function or class bodies):
// fn returns the expression to keep in its place.
func ReplaceInBody(body []Stmt, fn func(Expr) Expr) {
	r := func(x Expr) Expr {
		if x == nil {
			return nil
		}
		return fn(x)
	}
	for _, s := range body {
		switch x := s.(type) {
		case *Assign:
			for i := range x.Targets {
				x.Targets[i] = r(x.Targets[i])
			}
			x.Value = r(x.Value)
		case *AnnAssign:
			x.Value = r(x.Value)
		case *AugAssign:
			x.Target, x.Value = r(x.Target), r(x.Value)
		case *Return:
			x.Value = r(x.Value)
		case *If:
			x.Cond = r(x.Cond)
			ReplaceInBody(x.Body, fn)
			ReplaceInBody(x.Else, fn)
		case *For:
			x.Iter = r(x.Iter)
			ReplaceInBody(x.Body, fn)
		case *While:
			x.Cond = r(x.Cond)
			ReplaceInBody(x.Body, fn)
		case *ExprStmt:
			x.X = r(x.X)
		case *Assert:
			x.Cond, x.Msg = r(x.Cond), r(x.Msg)
		case *Raise:
			x.Exc = r(x.Exc)
		}
	}
}
