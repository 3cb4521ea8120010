package syntax

// WalkExprs visits the expressions of a body (pre-order) the checker's
// syntactic heuristics look at: not inside dicts, sets, f-strings, lambdas
// or slices.
func WalkExprs(body []Stmt, fn func(Expr)) {
	var we func(e Expr)
	we = func(e Expr) {
		if e == nil {
			return
		}
		fn(e)
		switch x := e.(type) {
		case *Attribute:
			we(x.X)
		case *Call:
			we(x.Func)
			for _, a := range x.Args {
				we(a)
			}
			for _, k := range x.Keywords {
				we(k.Value)
			}
		case *BinOp:
			we(x.L)
			we(x.R)
		case *UnaryOp:
			we(x.X)
		case *BoolOp:
			for _, v := range x.Values {
				we(v)
			}
		case *Compare:
			we(x.Left)
			for _, c := range x.Comparators {
				we(c)
			}
		case *IfExp:
			we(x.Cond)
			we(x.Then)
			we(x.Else)
		case *Subscript:
			we(x.X)
			for _, i := range x.Index {
				we(i)
			}
		case *Tuple:
			for _, v := range x.Elts {
				we(v)
			}
		case *List:
			for _, v := range x.Elts {
				we(v)
			}
		case *Comp:
			for _, g := range x.Generators {
				we(g.Iter)
			}
			we(x.Elt)
		case *Starred:
			we(x.X)
		}
	}
	var ws func(b []Stmt)
	ws = func(b []Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *Assign:
				for _, t := range x.Targets {
					we(t)
				}
				we(x.Value)
			case *AnnAssign:
				we(x.Value)
			case *AugAssign:
				we(x.Value)
			case *ExprStmt:
				we(x.X)
			case *Return:
				we(x.Value)
			case *If:
				we(x.Cond)
				ws(x.Body)
				ws(x.Else)
			case *For:
				we(x.Iter)
				ws(x.Body)
			case *While:
				we(x.Cond)
				ws(x.Body)
			case *Assert:
				we(x.Cond)
			}
		}
	}
	ws(body)
}

// AssignedNames are the names a function body assigns outside for-loop
// headers (which declare their own variables).
func AssignedNames(body []Stmt) map[string]bool {
	out := map[string]bool{}
	var walk func(b []Stmt)
	target := func(e Expr) {
		switch x := e.(type) {
		case *Name:
			out[x.Id] = true
		case *Tuple:
			for _, el := range x.Elts {
				if n, ok := el.(*Name); ok {
					out[n.Id] = true
				}
			}
		}
	}
	walk = func(b []Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *Assign:
				for _, t := range x.Targets {
					target(t)
				}
			case *AnnAssign:
				target(x.Target)
			case *AugAssign:
				target(x.Target)
			case *If:
				walk(x.Body)
				walk(x.Else)
			case *For:
				walk(x.Body)
			case *While:
				walk(x.Body)
			}
		}
	}
	walk(body)
	delete(out, "_")
	return out
}
