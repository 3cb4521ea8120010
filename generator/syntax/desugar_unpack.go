package syntax

import "fmt"

// More exact rewrites (see desugar.go).
//
// Nested tuple targets:
//
//	out, (a, b) = f()
//
// becomes
//
//	out, _unpack_L_C = f()
//	a, b = _unpack_L_C
//
// Python assigns the targets left to right, the inner tuple's after the
// outer names before it, which the two statements do in the same order; the
// extra local (_unpack_<line>_<col>) is read by nothing else.
//
// Item targets in a tuple:
//
//	output, cache[0] = f()
//
// becomes
//
//	output, _unpack_L_C = f()
//	cache[0] = _unpack_L_C
//
// Python assigns the targets left to right and evaluates a subscript
// target's container and index only when its turn comes, after the names
// before it are bound: the item assignment after the tuple does the same.
// Attribute targets (`ql.weight, ql.scales = f()`) move out the same way.
//
// A walrus that is the first thing an if condition evaluates:
//
//	if (r := Hv // Hk) > 1:
//
// becomes `r = Hv // Hk` followed by `if r > 1:`: the value is computed
// first and once either way, and binds r in the function's scope.

func desugarUnpack(s Stmt) []Stmt {
	a, ok := s.(*Assign)
	if !ok || len(a.Targets) != 1 {
		return nil
	}
	tg, ok := a.Targets[0].(*Tuple)
	if !ok {
		return nil
	}
	var after []Stmt
	elts := make([]Expr, len(tg.Elts))
	for i, e := range tg.Elts {
		if at, ok := storeTarget(e); ok {
			tmp := &Name{At: at, Id: fmt.Sprintf("_unpack_%d_%d", at.P.Line, at.P.Col)}
			elts[i] = tmp
			after = append(after, &Assign{At: at, Targets: []Expr{e}, Value: &Name{At: at, Id: tmp.Id}})
			continue
		}
		inner, ok := e.(*Tuple)
		if !ok {
			elts[i] = e
			continue
		}
		tmp := &Name{At: inner.At, Id: fmt.Sprintf("_unpack_%d_%d", inner.P.Line, inner.P.Col)}
		elts[i] = tmp
		st := &Assign{At: inner.At, Targets: []Expr{inner}, Value: &Name{At: inner.At, Id: tmp.Id}}
		after = append(after, desugarUnpackAll(st)...)
	}
	if after == nil {
		return nil
	}
	outer := &Assign{At: a.At, Targets: []Expr{&Tuple{At: tg.At, Elts: elts}}, Value: a.Value}
	return append([]Stmt{outer}, after...)
}

// storeTarget reports an item or attribute target (cache[0], ql.weight) and
// its position: a store whose container Python evaluates only when the
// target's turn comes, so it moves after the tuple assignment unchanged.
func storeTarget(e Expr) (At, bool) {
	switch x := e.(type) {
	case *Subscript:
		return x.At, true
	case *Attribute:
		return x.At, true
	}
	return At{}, false
}

func desugarUnpackAll(s Stmt) []Stmt {
	if out := desugarUnpack(s); out != nil {
		return out
	}
	return []Stmt{s}
}

// hoistWalrus rewrites an if whose condition starts by evaluating a walrus.
func hoistWalrus(x *If) []Stmt {
	var ne *NamedExpr
	var replace func(Expr)
	switch c := x.Cond.(type) {
	case *Compare:
		if n, ok := c.Left.(*NamedExpr); ok {
			ne = n
			replace = func(e Expr) { c.Left = e }
		}
	case *BinOp:
		if n, ok := c.L.(*NamedExpr); ok {
			ne = n
			replace = func(e Expr) { c.L = e }
		}
	case *UnaryOp:
		if n, ok := c.X.(*NamedExpr); ok {
			ne = n
			replace = func(e Expr) { c.X = e }
		}
	}
	if ne == nil {
		return nil
	}
	replace(&Name{At: ne.Target.At, Id: ne.Target.Id})
	return []Stmt{&Assign{At: ne.At, Targets: []Expr{ne.Target}, Value: ne.Value}, x}
}
