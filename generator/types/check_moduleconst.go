package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Module-level scalar constants. Model files name fixed numbers and
// strings once, at module level, and only read them:
// `_ROUTER_SCORE_EPS = 1e-15`, `POOLED_TP_MAX_TOKENS = 8`,
// `_SCALE = _E2M1_MAX * _E4M3_MAX`.
//
// A module-level name is such a constant when the module body binds it by
// exactly one plain assignment and its value is built only from literals
// (numbers, strings, True/False/None), unary and binary operators and
// names of earlier such constants. Such a name reads as its value: the
// value expression is checked (and lowered) at each read, as if written
// there — exactly Python's meaning for an immutable value the file never
// rebinds. Containers (tuples, lists, sets, dicts) are check_moduledict.go's
// package-level vars.

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
		if containerLiteral(a.Value) {
			// Tuples, lists, sets, dicts: check_moduledict.go's package-level vars.
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

// containerLiteral reports whether e builds a container (a tuple, list,
// set or dict, anywhere in it).
func containerLiteral(e syntax.Expr) bool {
	found := false
	syntax.Inspect(e, func(x syntax.Expr) bool {
		switch x.(type) {
		case *syntax.Tuple, *syntax.List, *syntax.Set, *syntax.Dict:
			found = true
		}
		return !found
	})
	return found
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
