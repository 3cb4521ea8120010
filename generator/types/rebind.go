package types

import "github.com/hf2go/hf2go/generator/syntax"

// A Python local reused for a value of another type — deepseek_v3's
// sanitize uses wk for a key (a str) in one loop and for a weight (an array)
// in a later one — cannot be one Go variable. When the old and new uses
// cannot meet, the new binding is a new Go variable (the split of
// assignName); splitsInBlock decides that for a rebinding nested in loops
// or conditionals (one directly in the function body is always separable).

// occurrence is one appearance of a name in a function body.
type occurrence struct {
	name  *syntax.Name
	top   int   // index of the function-body statement it is in
	block []int // ids of the blocks from the function body down to its own
}

// splitsInBlock reports whether the assignment `n = value` (n nested in
// compound statements of fn's body) can start a new variable: every other
// appearance of the name is either in an earlier statement of the function
// body, or after n and inside n's own block (or blocks nested in it), so no
// read can see a value of the old type, and nothing after n's outermost
// statement reads the new one; and value does not read the name.
func splitsInBlock(fn *Func, n *syntax.Name) bool {
	if fn == nil || fn.Def == nil {
		return false
	}
	occ, self, selfValue, escapes := occurrencesOf(fn, n)
	if escapes || self == nil || selfValue == nil || len(nameNodes(selfValue, n.Id)) > 0 {
		return false
	}
	for _, o := range occ {
		switch {
		case o.name == n:
		case o.top < self.top:
		case o.top == self.top && after(o.name.Position(), n.Position()) && hasPrefix(o.block, self.block):
		default:
			return false
		}
	}
	return true
}

// occurrencesOf lists the appearances of n's name in fn's body, the one of
// n itself, the value n is assigned (the matching element of a tuple
// display for a tuple target), and whether a nested def or class mentions
// the name.
func occurrencesOf(fn *Func, n *syntax.Name) ([]occurrence, *occurrence, syntax.Expr, bool) {
	var occ []occurrence
	var self *occurrence
	selfValue := syntax.Expr(nil)
	nextBlock := 0
	escapes := false
	var stmts func(b []syntax.Stmt, top int, chain []int)
	add := func(e syntax.Expr, top int, chain []int) {
		for _, nm := range nameNodes(e, n.Id) {
			occ = append(occ, occurrence{name: nm, top: top, block: chain})
		}
	}
	stmts = func(b []syntax.Stmt, top int, outer []int) {
		nextBlock++
		chain := append(append([]int{}, outer...), nextBlock)
		for i, s := range b {
			t := top
			if t < 0 {
				t = i
			}
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					add(tg, t, chain)
					if tg == syntax.Expr(n) {
						selfValue = x.Value
					}
					if tt, ok := tg.(*syntax.Tuple); ok {
						if vt, ok := x.Value.(*syntax.Tuple); ok && len(vt.Elts) == len(tt.Elts) {
							for i, e := range tt.Elts {
								if e == syntax.Expr(n) {
									selfValue = vt.Elts[i]
								}
							}
						}
					}
				}
				add(x.Value, t, chain)
			case *syntax.AnnAssign:
				add(x.Target, t, chain)
				add(x.Value, t, chain)
			case *syntax.AugAssign:
				add(x.Target, t, chain)
				add(x.Value, t, chain)
			case *syntax.ExprStmt:
				add(x.X, t, chain)
			case *syntax.Return:
				add(x.Value, t, chain)
			case *syntax.Assert:
				add(x.Cond, t, chain)
				add(x.Msg, t, chain)
			case *syntax.Raise:
				add(x.Exc, t, chain)
			case *syntax.Delete:
				for _, tg := range x.Targets {
					add(tg, t, chain)
				}
			case *syntax.If:
				add(x.Cond, t, chain)
				stmts(x.Body, t, chain)
				stmts(x.Else, t, chain)
			case *syntax.For:
				add(x.Target, t, chain)
				add(x.Iter, t, chain)
				stmts(x.Body, t, chain)
			case *syntax.While:
				add(x.Cond, t, chain)
				stmts(x.Body, t, chain)
			case *syntax.FuncDef, *syntax.ClassDef:
				// A nested function may read the name whenever it is called.
				if mentions(s, n.Id) {
					escapes = true
				}
			}
		}
	}
	stmts(fn.Def.Body, -1, nil)
	for i := range occ {
		if occ[i].name == n {
			self = &occ[i]
		}
	}
	return occ, self, selfValue, escapes
}

func after(a, b syntax.Pos) bool { return a.Line > b.Line || (a.Line == b.Line && a.Col > b.Col) }

func hasPrefix(chain, prefix []int) bool {
	if len(chain) < len(prefix) {
		return false
	}
	for i := range prefix {
		if chain[i] != prefix[i] {
			return false
		}
	}
	return true
}

// mentions reports whether a nested def or class refers to id anywhere
// (its body, its parameters' defaults, its decorators).
func mentions(s syntax.Stmt, id string) bool {
	found := false
	check := func(e syntax.Expr) {
		if len(nameNodes(e, id)) > 0 {
			found = true
		}
	}
	var block func(b []syntax.Stmt)
	block = func(b []syntax.Stmt) {
		for _, st := range b {
			switch x := st.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					check(tg)
				}
				check(x.Value)
			case *syntax.AnnAssign:
				check(x.Target)
				check(x.Value)
			case *syntax.AugAssign:
				check(x.Target)
				check(x.Value)
			case *syntax.ExprStmt:
				check(x.X)
			case *syntax.Return:
				check(x.Value)
			case *syntax.Assert:
				check(x.Cond)
				check(x.Msg)
			case *syntax.Raise:
				check(x.Exc)
			case *syntax.Delete:
				for _, tg := range x.Targets {
					check(tg)
				}
			case *syntax.If:
				check(x.Cond)
				block(x.Body)
				block(x.Else)
			case *syntax.For:
				check(x.Target)
				check(x.Iter)
				block(x.Body)
			case *syntax.While:
				check(x.Cond)
				block(x.Body)
			case *syntax.FuncDef:
				for _, p := range x.Params {
					check(p.Default)
				}
				for _, d := range x.Decorators {
					check(d)
				}
				block(x.Body)
			case *syntax.ClassDef:
				for _, d := range x.Decorators {
					check(d)
				}
				block(x.Body)
			}
		}
	}
	block([]syntax.Stmt{s})
	return found
}

// nameNodes lists the Name nodes of e that are id (the same walk as
// namesIn), except inside comprehensions and lambdas that bind id
// themselves (their own scope in Python 3).
func nameNodes(e syntax.Expr, id string) []*syntax.Name {
	var out []*syntax.Name
	var walk func(e syntax.Expr)
	walk = func(e syntax.Expr) {
		switch x := e.(type) {
		case nil:
		case *syntax.Name:
			if x.Id == id {
				out = append(out, x)
			}
		case *syntax.Attribute:
			walk(x.X)
		case *syntax.Call:
			walk(x.Func)
			for _, a := range x.Args {
				walk(a)
			}
			for _, k := range x.Keywords {
				walk(k.Value)
			}
		case *syntax.BinOp:
			walk(x.L)
			walk(x.R)
		case *syntax.UnaryOp:
			walk(x.X)
		case *syntax.BoolOp:
			for _, v := range x.Values {
				walk(v)
			}
		case *syntax.Compare:
			walk(x.Left)
			for _, c := range x.Comparators {
				walk(c)
			}
		case *syntax.IfExp:
			walk(x.Cond)
			walk(x.Then)
			walk(x.Else)
		case *syntax.Subscript:
			walk(x.X)
			for _, i := range x.Index {
				walk(i)
			}
		case *syntax.Slice:
			walk(x.Lo)
			walk(x.Hi)
			walk(x.Step)
		case *syntax.Tuple:
			for _, v := range x.Elts {
				walk(v)
			}
		case *syntax.List:
			for _, v := range x.Elts {
				walk(v)
			}
		case *syntax.Set:
			for _, v := range x.Elts {
				walk(v)
			}
		case *syntax.Dict:
			for i := range x.Keys {
				walk(x.Keys[i])
				walk(x.Values[i])
			}
		case *syntax.Starred:
			walk(x.X)
		case *syntax.FString:
			for _, p := range x.Parts {
				walk(p.X)
			}
		case *syntax.NamedExpr:
			walk(x.Target)
			walk(x.Value)
		case *syntax.Lambda:
			for _, p := range x.Params {
				if p.Name == id {
					return
				}
			}
			walk(x.Body)
		case *syntax.Comp:
			// The first iterable is evaluated in the enclosing scope.
			if len(x.Generators) > 0 {
				walk(x.Generators[0].Iter)
			}
			for _, g := range x.Generators {
				if len(targetNames(g.Target, id)) > 0 {
					return // the comprehension's own variable from here on
				}
			}
			for i, g := range x.Generators {
				if i > 0 {
					walk(g.Iter)
				}
				for _, c := range g.Ifs {
					walk(c)
				}
			}
			walk(x.Key)
			walk(x.Elt)
		}
	}
	walk(e)
	return out
}

// targetNames are the Name nodes called id that a target binds.
func targetNames(e syntax.Expr, id string) []*syntax.Name {
	switch x := e.(type) {
	case *syntax.Name:
		if x.Id == id {
			return []*syntax.Name{x}
		}
	case *syntax.Tuple:
		var out []*syntax.Name
		for _, el := range x.Elts {
			out = append(out, targetNames(el, id)...)
		}
		return out
	case *syntax.Starred:
		return targetNames(x.X, id)
	}
	return nil
}
