package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Module-level literal constants. Model files name fixed values once, at
// module level, and only read them: `_ROUTER_SCORE_EPS = 1e-15`,
// `_BLOCKS = (0, 512, 1024)`, `_NAMESPACES = {1: "mlx-lm-text"}`,
// `_QUANTIZATION = {"bits": 2, "mode": "affine"}`, `_SCALE = _A * _B`.
//
// A module-level name is such a constant when the module body binds it by
// exactly one plain assignment, its value is built only from literals
// (numbers, strings, True/False/None), unary and binary operators, tuples,
// lists, sets and dicts of those, and names of earlier constants, and —
// for a list, set or dict — no code of the file can change it: it is never
// a store or del target, never passed to a call (other than a builtin that
// only reads), and only read-only methods (get, keys, values, items, copy,
// index, count) are called on it.
//
// Such a name reads as its value: the value expression is checked (and
// lowered) at each read, as if written there. For immutable values that is
// exactly Python's meaning; a container nothing changes is
// indistinguishable from a fresh copy of it.

// moduleConsts are the literal constants of one file: name → value.
type moduleConsts map[string]syntax.Expr

func findModuleConsts(f *syntax.File) moduleConsts {
	count := map[string]int{}
	value := map[string]*syntax.Assign{}
	bind := func(e syntax.Expr) {
		syntax.Inspect(e, func(x syntax.Expr) bool {
			if n, ok := x.(*syntax.Name); ok {
				count[n.Id]++
			}
			return true
		})
	}
	for _, st := range f.Body {
		switch x := st.(type) {
		case *syntax.Assign:
			for _, tg := range x.Targets {
				bind(tg)
				if n, ok := tg.(*syntax.Name); ok && len(x.Targets) == 1 {
					value[n.Id] = x
				}
			}
		case *syntax.AnnAssign:
			bind(x.Target)
		case *syntax.AugAssign:
			bind(x.Target)
		case *syntax.For:
			bind(x.Target)
		case *syntax.FuncDef:
			count[x.Name]++
		case *syntax.ClassDef:
			count[x.Name]++
		case *syntax.Import:
			for _, a := range x.Names {
				name := a.AsName
				if name == "" {
					name = strings.Split(a.Name, ".")[0]
				}
				count[name]++
			}
		case *syntax.ImportFrom:
			for _, a := range x.Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				count[name]++
			}
		}
	}
	out := moduleConsts{}
	for _, st := range f.Body {
		a, ok := st.(*syntax.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		n, ok := a.Targets[0].(*syntax.Name)
		if !ok || count[n.Id] != 1 || value[n.Id] != a {
			continue
		}
		if !literalValue(a.Value, out) {
			continue
		}
		if mutableLiteral(a.Value) && !onlyRead(f.Body, n.Id) {
			continue
		}
		out[n.Id] = a.Value
	}
	return out
}

// literalValue reports whether e is built from literals and the constants
// found so far (earlier in the file: no cycles).
func literalValue(e syntax.Expr, earlier moduleConsts) bool {
	switch x := e.(type) {
	case *syntax.Constant:
		return x.Kind != syntax.ConstEllipsis
	case *syntax.Name:
		_, ok := earlier[x.Id]
		return ok
	case *syntax.UnaryOp:
		return x.Op != "not" && literalValue(x.X, earlier)
	case *syntax.BinOp:
		return literalValue(x.L, earlier) && literalValue(x.R, earlier)
	case *syntax.Tuple:
		return allLiteral(x.Elts, earlier)
	case *syntax.List:
		return allLiteral(x.Elts, earlier)
	case *syntax.Set:
		return allLiteral(x.Elts, earlier)
	case *syntax.Dict:
		for _, k := range x.Keys {
			if k == nil {
				return false // a ** splat
			}
		}
		return len(x.Keys) > 0 && allLiteral(x.Keys, earlier) && allLiteral(x.Values, earlier)
	}
	return false
}

func allLiteral(es []syntax.Expr, earlier moduleConsts) bool {
	for _, e := range es {
		if _, ok := e.(*syntax.Starred); ok || !literalValue(e, earlier) {
			return false
		}
	}
	return true
}

// mutableLiteral reports whether e builds a value code could change in
// place (a list, set or dict, anywhere in it).
func mutableLiteral(e syntax.Expr) bool {
	found := false
	syntax.Inspect(e, func(x syntax.Expr) bool {
		switch x.(type) {
		case *syntax.List, *syntax.Set, *syntax.Dict:
			found = true
		}
		return !found
	})
	return found
}

// readOnlyMethods do not change the container they are called on.
var readOnlyMethods = map[string]bool{"get": true, "keys": true, "values": true, "items": true, "copy": true,
	"index": true, "count": true}

// readOnlyBuiltins take a container and leave it as it is.
var readOnlyBuiltins = map[string]bool{"len": true, "sorted": true, "list": true, "tuple": true, "set": true,
	"dict": true, "any": true, "all": true, "sum": true, "min": true, "max": true, "enumerate": true, "zip": true,
	"isinstance": true, "str": true, "repr": true, "frozenset": true, "reversed": true}

// onlyRead reports whether no statement of body (at any depth) can change
// the container bound to the module-level name id.
func onlyRead(body []syntax.Stmt, id string) bool {
	ok := true
	isName := func(e syntax.Expr) bool {
		n, is := e.(*syntax.Name)
		return is && n.Id == id
	}
	target := func(e syntax.Expr) {
		syntax.Inspect(e, func(x syntax.Expr) bool {
			if s, is := x.(*syntax.Subscript); is && isName(s.X) {
				ok = false
			}
			if a, is := x.(*syntax.Attribute); is && isName(a.X) {
				ok = false
			}
			return ok
		})
	}
	exprs := func(e syntax.Expr) {
		syntax.Inspect(e, func(x syntax.Expr) bool {
			switch c := x.(type) {
			case *syntax.Attribute:
				if isName(c.X) && !readOnlyMethods[c.Attr] {
					ok = false
				}
			case *syntax.Call:
				fn, isFn := c.Func.(*syntax.Name)
				if isFn && readOnlyBuiltins[fn.Id] {
					break
				}
				for _, a := range c.Args {
					if s, is := a.(*syntax.Starred); is {
						a = s.X
					}
					if isName(a) {
						ok = false
					}
				}
				for _, k := range c.Keywords {
					if isName(k.Value) {
						ok = false
					}
				}
			}
			return ok
		})
	}
	var walk func(b []syntax.Stmt)
	walk = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					target(tg)
				}
			case *syntax.AugAssign:
				target(x.Target)
				if isName(x.Target) {
					ok = false
				}
			case *syntax.AnnAssign:
				target(x.Target)
			case *syntax.Delete:
				for _, tg := range x.Targets {
					target(tg)
				}
			case *syntax.For:
				target(x.Target)
			case *syntax.If:
				walk(x.Body)
				walk(x.Else)
			case *syntax.While:
				walk(x.Body)
			case *syntax.FuncDef:
				walk(x.Body)
			case *syntax.ClassDef:
				walk(x.Body)
			}
		}
	}
	walk(body)
	stmtExprs(body, func(e syntax.Expr) bool {
		exprs(e)
		return ok
	})
	for _, s := range body {
		if cd, is := s.(*syntax.ClassDef); is {
			stmtExprs(cd.Body, func(e syntax.Expr) bool {
				exprs(e)
				return ok
			})
		}
	}
	return ok
}

// ModuleConst is the value expression a read of a module-level literal
// constant stands for (nil when sym is none).
func (u *Unit) ModuleConst(sym *names.Symbol, id string) syntax.Expr {
	if sym == nil || sym.Kind != names.LocalConst || sym.Scope == nil || sym.Scope.Kind != names.ModuleScope {
		return nil
	}
	f, ok := sym.Scope.Node.(*syntax.File)
	if !ok {
		return nil
	}
	if u.modConsts == nil {
		u.modConsts = map[*names.Scope]moduleConsts{}
	}
	mc, ok := u.modConsts[sym.Scope]
	if !ok {
		mc = findModuleConsts(f)
		u.modConsts[sym.Scope] = mc
	}
	return mc[id]
}
