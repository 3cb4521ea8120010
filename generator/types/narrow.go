package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/syntax"
)

// Narrowing: which Optional values the code knows are not None.
//
// The checker carries, through each body, the set of paths (a local `n`,
// an attribute chain `self.q_lora_rank`, `args.head_dim`) known to hold a
// value that is not None: a test proves it in the branch it guards
// (`x is not None`, a truthy `x`, the right operand of `x is not None and
// ...`, the else of `x is None`), an assignment of a value that cannot be
// None establishes it, and a branch that cannot fall through (return,
// raise) leaves its complement's facts after the if. Facts meet at joins
// (both branches must know), a loop forgets what its body assigns, and an
// assignment forgets the path and everything below it.
//
// A read of an Optional path the facts cover has the element type and is
// recorded with Deref: the lowering reads the pointer (*x) instead of
// checking it again (py.Deref raises Python's TypeError for None; here
// None cannot occur).
//
// __post_init__ is the same analysis: the self.f it leaves known are
// filled for every reader outside the dataclass, since lmbase.FromDict runs
// it before the model sees the arguments (Class.Filled).

type facts map[string]bool

func (f facts) copy() facts {
	out := make(facts, len(f))
	for k, v := range f {
		out[k] = v
	}
	return out
}

func union(a, b facts) facts {
	out := a.copy()
	for k, v := range b {
		if v {
			out[k] = true
		}
	}
	return out
}

func intersect(a, b facts) facts {
	out := facts{}
	for k, v := range a {
		if v && b[k] {
			out[k] = true
		}
	}
	return out
}

// kill forgets path and every path below it.
func (f facts) kill(path string) {
	for k := range f {
		if k == path || strings.HasPrefix(k, path+".") || strings.HasPrefix(k, path+":") {
			delete(f, k)
		}
	}
}

// PathKey names a local or an attribute chain ("self.mlp.gate"); "" for
// any other expression.
func PathKey(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Name:
		return x.Id
	case *syntax.Attribute:
		if k := PathKey(x.X); k != "" {
			return k + "." + x.Attr
		}
	}
	return ""
}

// condFacts are the paths a condition proves not None when it is true and
// when it is false.
func condFacts(e syntax.Expr) (whenTrue, whenFalse facts) {
	whenTrue, whenFalse = facts{}, facts{}
	switch x := e.(type) {
	case *syntax.Compare:
		if len(x.Ops) == 1 {
			if k, ok := x.Comparators[0].(*syntax.Constant); ok && k.Kind == syntax.ConstNone {
				if p := PathKey(x.Left); p != "" {
					switch x.Ops[0] {
					case "is not":
						whenTrue[p] = true
					case "is":
						whenFalse[p] = true
					}
				}
			}
		}
	case *syntax.Name, *syntax.Attribute:
		if p := PathKey(e); p != "" {
			whenTrue[p] = true // a truthy value is not None
		}
	case *syntax.NamedExpr:
		return condFacts(x.Target) // (m := v) tests m (check_walrus.go)
	case *syntax.Call:
		// isinstance(p, C) with C a class: p is a C, or not one.
		if f, ok := x.Func.(*syntax.Name); ok && f.Id == "isinstance" && len(x.Args) == 2 {
			if c := PathKey(x.Args[1]); c != "" {
				if p := PathKey(x.Args[0]); p != "" {
					whenTrue[p+":is:"+c] = true
					whenTrue[p] = true
					whenFalse[p+":not:"+c] = true
				}
			}
		}
	case *syntax.UnaryOp:
		if x.Op == "not" {
			t, f := condFacts(x.X)
			return f, t
		}
	case *syntax.BoolOp:
		for i, v := range x.Values {
			t, f := condFacts(v)
			if x.Op == "and" {
				whenTrue = union(whenTrue, t)
				if i == 0 {
					whenFalse = f
				} else {
					whenFalse = intersect(whenFalse, f)
				}
			} else {
				whenFalse = union(whenFalse, f)
				if i == 0 {
					whenTrue = t
				} else {
					whenTrue = intersect(whenTrue, t)
				}
			}
		}
	}
	return whenTrue, whenFalse
}

// notNone reports whether a value of type ty cannot be None.
func notNone(ty *Type) bool {
	switch ty.Kind {
	case Optional, None, Unknown, AnyK:
		return false
	}
	return true
}

// assigned records an assignment of a value of type ty to path.
func (t *checker) assigned(path string, ty *Type) {
	if path == "" {
		return
	}
	t.facts.kill(path)
	if notNone(ty) {
		t.facts[path] = true
	}
	if ty.Kind == ClassK || ty.Kind == Dict {
		t.facts[holdsKey(path, ty)] = true // what a union field holds (config_union.go)
	}
}

// narrowed is the value of a read of path whose type is Optional, when the
// facts know it is not None.
func (t *checker) narrowed(path string, v Val) Val {
	if v.T.Kind == Optional && path != "" && t.facts[path] {
		return Val{T: v.T.Elem, Deref: true}
	}
	return v
}

// classNarrowed is the value of a read of path whose type is an interface
// of module classes, when an isinstance test decides which class it holds:
// that class, read through a type assertion (Val.Assert).
func (t *checker) classNarrowed(path string, v Val) Val {
	if v.T.Kind == Union && path != "" {
		return t.unionNarrowed(path, v)
	}
	if v.T.Kind != Iface || path == "" {
		return v
	}
	var left []*Type
	for _, m := range v.T.Elems {
		is, not := false, false
		for k := range t.facts {
			py, ok := strings.CutPrefix(k, path+":is:")
			if ok {
				if c := t.u.ClassOf(py); c != nil && c.Name == m.Name {
					is = true
				}
			}
			py, ok = strings.CutPrefix(k, path+":not:")
			if ok {
				if c := t.u.ClassOf(py); c != nil && c.Name == m.Name {
					not = true
				}
			}
		}
		if is {
			return Val{T: m, Assert: true}
		}
		if !not {
			left = append(left, m)
		}
	}
	if len(left) == 1 && len(left) < len(v.T.Elems) {
		return Val{T: left[0], Assert: true}
	}
	return v
}

// unionNarrowed is a union read where isinstance tests decide its member
// (isinstance(offset, mx.array): the array; its else: the int).
func (t *checker) unionNarrowed(path string, v Val) Val {
	member := func(name string) *Type {
		switch name {
		case "mx.array":
			return TArray
		case "int":
			return TInt
		case "float":
			return TFloat
		case "str":
			return TStr
		}
		if c := t.u.ClassOf(name); c != nil {
			return ClassT(c.Name)
		}
		return nil
	}
	var left []*Type
	for _, m := range v.T.Elems {
		is, not := false, false
		for k := range t.facts {
			if n, ok := strings.CutPrefix(k, path+":is:"); ok {
				if mt := member(n); mt != nil && mt.Equal(m) || dictMember(n, m) {
					is = true
				}
			}
			if n, ok := strings.CutPrefix(k, path+":not:"); ok {
				if mt := member(n); mt != nil && mt.Equal(m) || dictMember(n, m) {
					not = true
				}
			}
		}
		if is {
			return Val{T: m, Assert: true}
		}
		if !not {
			left = append(left, m)
		}
	}
	if len(left) == 1 && len(left) < len(v.T.Elems) {
		return Val{T: left[0], Assert: true}
	}
	return v
}

// terminates reports whether a block never falls through to the statement
// after it.
func terminates(body []syntax.Stmt) bool {
	if len(body) == 0 {
		return false
	}
	switch x := body[len(body)-1].(type) {
	case *syntax.Return, *syntax.Raise, *syntax.Break, *syntax.Continue:
		return true
	case *syntax.If:
		return len(x.Else) > 0 && terminates(x.Body) && terminates(x.Else)
	}
	return false
}

// assignedPaths are the paths a block may assign (loop bodies forget them).
func assignedPaths(body []syntax.Stmt) []string {
	var out []string
	var target func(e syntax.Expr)
	target = func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Tuple:
			for _, el := range x.Elts {
				target(el)
			}
		case *syntax.Starred:
			target(x.X)
		default:
			if p := PathKey(e); p != "" {
				out = append(out, p)
			}
		}
	}
	var walk func(b []syntax.Stmt)
	walk = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					target(tg)
				}
			case *syntax.AnnAssign:
				target(x.Target)
			case *syntax.AugAssign:
				target(x.Target)
			case *syntax.For:
				target(x.Target)
				walk(x.Body)
			case *syntax.While:
				walk(x.Body)
			case *syntax.If:
				walk(x.Body)
				walk(x.Else)
			}
		}
	}
	walk(body)
	return out
}

// withFacts runs f with the current facts extended by more, then restores
// them.
func (t *checker) withFacts(more facts, f func()) {
	saved := t.facts
	t.facts = union(saved, more)
	f()
	t.facts = saved
}
