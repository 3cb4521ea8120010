package lower

import (
	"sort"

	"github.com/hf2go/hf2go/generator/syntax"
)

// declPlan says where each Python local becomes a Go variable. Python scopes
// are per function; Go's are per block. A name is declared in the innermost
// block that contains every use of it: with := at its first assignment when
// that assignment is a statement of the block, otherwise with `var x T` just
// before the first statement of the block that uses it.
type declPlan struct {
	varsBefore map[syntax.Stmt][]string
	defineAt   map[*syntax.Name]bool
}

func planDecls(body []syntax.Stmt, locals map[string]bool) *declPlan {
	p := &declPlan{varsBefore: map[syntax.Stmt][]string{}, defineAt: map[*syntax.Name]bool{}}
	var ns []string
	for n := range locals {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	for _, n := range ns {
		p.place(body, n)
	}
	return p
}

func (p *declPlan) place(block []syntax.Stmt, name string) {
	var idx []int
	for i, s := range block {
		if refsStmt(s)[name] {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return
	}
	first := block[idx[0]]
	if len(idx) == 1 {
		if f, ok := first.(*syntax.For); ok && refsExpr(f.Target)[name] {
			return // the loop header declares it; the body reassigns that variable
		}
		if sub := subBlocks(first, name); sub != nil {
			p.place(sub, name)
			return
		}
	}
	if tn := definingTarget(first, name); tn != nil {
		p.defineAt[tn] = true
		return
	}
	p.varsBefore[first] = append(p.varsBefore[first], name)
}

// subBlocks returns the only nested block of a compound statement that
// references name, or nil when name appears in its header or several blocks.
func subBlocks(s syntax.Stmt, name string) []syntax.Stmt {
	switch x := s.(type) {
	case *syntax.If:
		if refsExpr(x.Cond)[name] {
			return nil
		}
		inBody, inElse := refsBlock(x.Body)[name], refsBlock(x.Else)[name]
		if inBody && !inElse {
			return x.Body
		}
		if inElse && !inBody {
			if len(x.Else) == 1 {
				if elif, ok := x.Else[0].(*syntax.If); ok {
					return subBlocks(elif, name)
				}
			}
			return x.Else
		}
	case *syntax.For:
		if refsExpr(x.Iter)[name] || refsExpr(x.Target)[name] {
			return nil
		}
		return x.Body
	case *syntax.While:
		if refsExpr(x.Cond)[name] {
			return nil
		}
		return x.Body
	}
	return nil
}

// definingTarget is the Name node through which s assigns name first, when
// s is a plain assignment whose value does not read name.
func definingTarget(s syntax.Stmt, name string) *syntax.Name {
	var targets []syntax.Expr
	var value syntax.Expr
	switch x := s.(type) {
	case *syntax.Assign:
		// In a = b = v the last target is assigned first (see assign).
		targets, value = x.Targets[len(x.Targets)-1:], x.Value
	case *syntax.AnnAssign:
		if x.Value == nil {
			return nil
		}
		targets, value = []syntax.Expr{x.Target}, x.Value
	default:
		return nil
	}
	if refsExpr(value)[name] {
		return nil
	}
	switch tg := targets[0].(type) {
	case *syntax.Name:
		if tg.Id == name {
			return tg
		}
	case *syntax.Tuple:
		for _, e := range tg.Elts {
			if n, ok := e.(*syntax.Name); ok && n.Id == name {
				return n
			}
		}
	}
	return nil
}

func refsBlock(b []syntax.Stmt) map[string]bool {
	out := map[string]bool{}
	for _, s := range b {
		for k := range refsStmt(s) {
			out[k] = true
		}
	}
	return out
}

// refsStmt is every name a statement reads or writes.
func refsStmt(s syntax.Stmt) map[string]bool {
	out := map[string]bool{}
	add := func(m map[string]bool) {
		for k := range m {
			out[k] = true
		}
	}
	switch x := s.(type) {
	case *syntax.Assign:
		for _, t := range x.Targets {
			add(refsExpr(t))
		}
		add(refsExpr(x.Value))
	case *syntax.AnnAssign:
		add(refsExpr(x.Target))
		add(refsExpr(x.Value))
	case *syntax.AugAssign:
		add(refsExpr(x.Target))
		add(refsExpr(x.Value))
	case *syntax.ExprStmt:
		add(refsExpr(x.X))
	case *syntax.Return:
		add(refsExpr(x.Value))
	case *syntax.If:
		add(refsExpr(x.Cond))
		add(refsBlock(x.Body))
		add(refsBlock(x.Else))
	case *syntax.For:
		add(refsExpr(x.Target))
		add(refsExpr(x.Iter))
		add(refsBlock(x.Body))
	case *syntax.While:
		add(refsExpr(x.Cond))
		add(refsBlock(x.Body))
	case *syntax.Assert:
		add(refsExpr(x.Cond))
		add(refsExpr(x.Msg))
	case *syntax.Raise:
		add(refsExpr(x.Exc))
	case *syntax.Delete:
		for _, t := range x.Targets {
			add(refsExpr(t))
		}
	}
	return out
}

// refsExpr is every name an expression mentions, except the variables that
// comprehensions and lambdas bind for themselves.
func refsExpr(e syntax.Expr) map[string]bool { return namesIn(e, true) }

// loadsExpr is every name an expression reads, including inside
// comprehensions (whose own loop variables count as read where used).
func loadsExpr(e syntax.Expr) map[string]bool { return namesIn(e, false) }

func namesIn(e syntax.Expr, excludeBound bool) map[string]bool {
	out := map[string]bool{}
	var walk func(e syntax.Expr, bound map[string]bool)
	walk = func(e syntax.Expr, bound map[string]bool) {
		switch x := e.(type) {
		case nil:
		case *syntax.Name:
			if !bound[x.Id] || !excludeBound {
				out[x.Id] = true
			}
		case *syntax.Attribute:
			walk(x.X, bound)
		case *syntax.Call:
			walk(x.Func, bound)
			for _, a := range x.Args {
				walk(a, bound)
			}
			for _, k := range x.Keywords {
				walk(k.Value, bound)
			}
		case *syntax.BinOp:
			walk(x.L, bound)
			walk(x.R, bound)
		case *syntax.UnaryOp:
			walk(x.X, bound)
		case *syntax.BoolOp:
			for _, v := range x.Values {
				walk(v, bound)
			}
		case *syntax.Compare:
			walk(x.Left, bound)
			for _, c := range x.Comparators {
				walk(c, bound)
			}
		case *syntax.IfExp:
			walk(x.Cond, bound)
			walk(x.Then, bound)
			walk(x.Else, bound)
		case *syntax.Subscript:
			walk(x.X, bound)
			for _, i := range x.Index {
				walk(i, bound)
			}
		case *syntax.Slice:
			walk(x.Lo, bound)
			walk(x.Hi, bound)
			walk(x.Step, bound)
		case *syntax.Tuple:
			for _, v := range x.Elts {
				walk(v, bound)
			}
		case *syntax.List:
			for _, v := range x.Elts {
				walk(v, bound)
			}
		case *syntax.Set:
			for _, v := range x.Elts {
				walk(v, bound)
			}
		case *syntax.Dict:
			for i := range x.Keys {
				walk(x.Keys[i], bound)
				walk(x.Values[i], bound)
			}
		case *syntax.Starred:
			walk(x.X, bound)
		case *syntax.FString:
			for _, p := range x.Parts {
				walk(p.X, bound)
			}
		case *syntax.NamedExpr:
			out[x.Target.Id] = true
			walk(x.Value, bound)
		case *syntax.Lambda:
			nb := copyBound(bound)
			for _, p := range x.Params {
				nb[p.Name] = true
			}
			walk(x.Body, nb)
		case *syntax.Comp:
			nb := copyBound(bound)
			for _, g := range x.Generators {
				walk(g.Iter, nb)
				for n := range refsExpr(g.Target) {
					if excludeBound {
						nb[n] = true
					}
				}
				for _, c := range g.Ifs {
					walk(c, nb)
				}
			}
			walk(x.Key, nb)
			walk(x.Elt, nb)
		}
	}
	walk(e, map[string]bool{})
	return out
}

func copyBound(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// readNames are the names a function body reads (not only assigns): Go
// rejects variables that are assigned and never read, so assignments to the
// others become assignments to _.
func readNames(body []syntax.Stmt) map[string]bool { return readNamesLive(body, nil) }

// readNamesLive is readNames over the code the lowering emits: fold says
// which conditions are known at translation time (nil: none), and only the
// branch taken is read, up to a certain exit (types/dead.go).
func readNamesLive(body []syntax.Stmt, fold func(syntax.Expr) (bool, bool)) map[string]bool {
	out := map[string]bool{}
	add := func(m map[string]bool) {
		for k := range m {
			out[k] = true
		}
	}
	// The base of an attribute or item target is read: x.a = v, x[i] = v.
	targetReads := func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Attribute:
			add(loadsExpr(x.X))
		case *syntax.Subscript:
			add(loadsExpr(x.X))
			for _, i := range x.Index {
				add(loadsExpr(i))
			}
		case *syntax.Tuple:
			for _, el := range x.Elts {
				switch el.(type) {
				case *syntax.Attribute, *syntax.Subscript:
					add(loadsExpr(el))
				}
			}
		}
	}
	var walk func(b []syntax.Stmt) bool
	walk = func(b []syntax.Stmt) bool {
		for _, s := range b {
			if x, ok := s.(*syntax.If); ok && fold != nil {
				if k, known := fold(x.Cond); known {
					taken := x.Body
					if !k {
						taken = x.Else
					}
					if walk(taken) {
						return true
					}
					continue
				}
			}
			switch x := s.(type) {
			case *syntax.FuncDef:
				// A closure reads the enclosing function's locals.
				walk(x.Body)
				for _, p := range x.Params {
					add(loadsExpr(p.Default))
				}
			case *syntax.Assign:
				for _, t := range x.Targets {
					targetReads(t)
				}
				add(loadsExpr(x.Value))
				// a = b = v reads the last target to assign the others.
				if len(x.Targets) > 1 {
					add(loadsExpr(x.Targets[len(x.Targets)-1]))
				}
			case *syntax.AnnAssign:
				targetReads(x.Target)
				add(loadsExpr(x.Value))
			case *syntax.AugAssign:
				add(loadsExpr(x.Target))
				add(loadsExpr(x.Value))
			case *syntax.For:
				targetReads(x.Target)
				add(loadsExpr(x.Iter))
				walk(x.Body)
			case *syntax.If:
				add(loadsExpr(x.Cond))
				walk(x.Body)
				walk(x.Else)
			case *syntax.While:
				add(loadsExpr(x.Cond))
				walk(x.Body)
			case *syntax.Return:
				add(loadsExpr(x.Value))
				return true
			case *syntax.ExprStmt:
				add(loadsExpr(x.X))
			case *syntax.Assert:
				add(loadsExpr(x.Cond))
				add(loadsExpr(x.Msg))
			case *syntax.Raise:
				add(loadsExpr(x.Exc))
				return true
			default:
				add(refsStmt(s))
			}
		}
		return false
	}
	walk(body)
	return out
}
