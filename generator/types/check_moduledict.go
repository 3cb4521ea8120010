package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Module-level container constants. `_ACT2FN = {"silu": nn.silu, "relu":
// nn.relu}` (nemotron-nas) is a table the file builds once and only reads
// (`_ACT2FN[name]`, `name not in _ACT2FN`); `_BLOCKS = (0, 512, 1024)` and
// `_NAMESPACES = {1: "a", 2: "b"}` (prism_hadamard_qwen35) are the same. A
// module-level name bound by one plain assignment to a dict literal whose
// keys are str or int constants of one kind, or to a tuple or list literal,
// whose values are constants or table values (nn.silu), that the file
// never binds again, stores into, deletes from or mutates through a method
// (update, pop, setdefault, clear, popitem) or passes to a call, is a
// package-level Go var holding the same map (read-only: concurrent readers
// are safe). Its type is the literal's, checked with no locals.

// ModuleDict is a module-level dict constant: its Go name and literal.
type ModuleDict struct {
	Py, Go string
	Dict   syntax.Expr // the literal: a dict, tuple or list
	Scope  *names.Scope
	T      *Type
	Inst   *Inst // the literal's recorded values, for the lowering
}

// moduleDict resolves sym (a module-level name of scope) to its dict
// constant, nil when it is none.
func (t *checker) moduleDict(sym *names.Symbol, id string) *ModuleDict {
	if sym == nil || sym.Kind != names.LocalConst || sym.Scope == nil || sym.Scope.Kind != names.ModuleScope {
		return nil
	}
	u := t.u
	if md, ok := u.modDicts[sym]; ok {
		return md
	}
	if u.modDicts == nil {
		u.modDicts = map[*names.Symbol]*ModuleDict{}
	}
	u.modDicts[sym] = nil
	a, ok := sym.Node.(*syntax.Assign)
	if !ok || len(a.Targets) != 1 {
		return nil
	}
	if n, ok := a.Targets[0].(*syntax.Name); !ok || n.Id != id {
		return nil
	}
	if !constContainer(a.Value) {
		return nil
	}
	file := u.fileOfScope(sym.Scope)
	if file == nil || !onlyReadDict(file.Body, id, a) {
		return nil
	}
	in := newInst(nil, nil)
	prev, prevScope := t.rec, t.scope
	t.rec, t.scope = in, sym.Scope
	v := t.expr(a.Value, newEnv(nil, nil, nil))
	t.rec, t.scope = prev, prevScope
	if v.T == nil || v.T.Kind == Unknown || (v.T.Kind == Dict || v.T.Kind == List) && v.T.Elem.Kind == Unknown {
		return nil
	}
	md := &ModuleDict{Py: id, Go: moduleDictGoName(id), Dict: a.Value, Scope: sym.Scope, T: v.T, Inst: in}
	u.modDicts[sym] = md
	u.ModDicts = append(u.ModDicts, md)
	return md
}

// fileOfScope is the parsed file whose module scope is s: the unit's own
// (a sibling file's dict constants are not taken over).
func (u *Unit) fileOfScope(s *names.Scope) *syntax.File {
	if s == u.Scope {
		return u.File
	}
	return nil
}

// onlyReadDict reports whether the file's only binding of id is def and no
// statement stores into, deletes from, mutates or passes on the dict.
func onlyReadDict(body []syntax.Stmt, id string, def *syntax.Assign) bool {
	isID := func(e syntax.Expr) bool { n, ok := e.(*syntax.Name); return ok && n.Id == id }
	ok := true
	mutating := map[string]bool{"update": true, "pop": true, "setdefault": true, "clear": true, "popitem": true,
		"__setitem__": true, "__delitem__": true, "append": true, "extend": true, "insert": true, "remove": true,
		"sort": true, "reverse": true}
	checkExpr := func(e syntax.Expr) {
		syntax.Inspect(e, func(x syntax.Expr) bool {
			switch c := x.(type) {
			case *syntax.Call:
				if a, isAttr := c.Func.(*syntax.Attribute); isAttr && isID(a.X) && mutating[a.Attr] {
					ok = false
				}
				for _, arg := range c.Args {
					if isID(arg) {
						ok = false
					}
				}
				for _, k := range c.Keywords {
					if isID(k.Value) {
						ok = false
					}
				}
			case *syntax.Lambda, *syntax.NamedExpr:
				if mentionsName([]syntax.Stmt{&syntax.ExprStmt{X: x}}, id) {
					ok = false // a lambda parameter or walrus could rebind it
				}
			}
			return true
		})
	}
	var walk func(b []syntax.Stmt)
	walk = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					if s != def && mentionsName([]syntax.Stmt{&syntax.ExprStmt{X: tg}}, id) {
						ok = false // rebound, or an item/attribute store
					}
				}
				checkExpr(x.Value)
			case *syntax.AugAssign, *syntax.AnnAssign, *syntax.Delete:
				if mentionsName([]syntax.Stmt{s}, id) {
					ok = false
				}
			case *syntax.For:
				if mentionsName([]syntax.Stmt{&syntax.ExprStmt{X: x.Target}}, id) {
					ok = false
				}
				checkExpr(x.Iter)
				walk(x.Body)
			case *syntax.FuncDef:
				for _, p := range x.Params {
					if p.Name == id {
						ok = false
					}
				}
				walk(x.Body)
			case *syntax.ClassDef:
				walk(x.Body)
			case *syntax.If:
				checkExpr(x.Cond)
				walk(x.Body)
				walk(x.Else)
			case *syntax.While:
				checkExpr(x.Cond)
				walk(x.Body)
			case *syntax.ExprStmt:
				checkExpr(x.X)
			case *syntax.Return:
				checkExpr(x.Value)
			default:
				syntax.WalkExprs([]syntax.Stmt{s}, checkExpr)
			}
		}
	}
	walk(body)
	return ok
}

// ModuleDictOf is the dict constant a module-level name resolved to (nil:
// none).
func (u *Unit) ModuleDictOf(sym *names.Symbol) *ModuleDict { return u.modDicts[sym] }

// moduleDictGoName is the package-level Go name of a dict constant: the
// Python name without its leading underscores, camel-cased from lower case
// when it is spelt as a constant (_ACT2FN: act2fn), unexported either way.
func moduleDictGoName(py string) string {
	n := strings.TrimLeft(py, "_")
	if strings.ToUpper(n) == n {
		n = strings.ToLower(n)
	}
	return names.GoLocal(n)
}

// constContainer reports a dict literal with str or int constant keys of
// one kind, or a tuple or list literal, whose values are constants (a
// negative number too) or dotted names (table values such as nn.silu).
func constContainer(e syntax.Expr) bool {
	leaf := func(v syntax.Expr) bool {
		if u, ok := v.(*syntax.UnaryOp); ok && u.Op == "-" {
			v = u.X
		}
		switch x := v.(type) {
		case *syntax.Constant:
			return x.Kind != syntax.ConstNone
		case *syntax.Attribute:
			return pureRead(x)
		}
		return false
	}
	switch x := e.(type) {
	case *syntax.Dict:
		if len(x.Keys) == 0 {
			return false
		}
		var kind syntax.ConstKind
		for i, k := range x.Keys {
			c, ok := k.(*syntax.Constant)
			if !ok || c.Kind != syntax.ConstStr && c.Kind != syntax.ConstInt || i > 0 && c.Kind != kind || !leaf(x.Values[i]) {
				return false
			}
			kind = c.Kind
		}
		return true
	case *syntax.Tuple, *syntax.List:
		var elts []syntax.Expr
		if tu, ok := x.(*syntax.Tuple); ok {
			elts = tu.Elts
		} else {
			elts = x.(*syntax.List).Elts
		}
		if len(elts) == 0 {
			return false
		}
		for _, el := range elts {
			if !leaf(el) {
				return false
			}
		}
		return true
	}
	return false
}
