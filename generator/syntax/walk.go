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
