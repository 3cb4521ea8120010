package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Module-level dict constants. `_ACT2FN = {"silu": nn.silu, "relu": nn.relu}`
// (nemotron-nas) is a table the file builds once and only reads
// (`_ACT2FN[name]`, `name not in _ACT2FN`). A module-level name bound by one
// plain assignment to a dict literal with str-constant keys, that the file
// never binds again, stores into, deletes from or mutates through a method
// (update, pop, setdefault, clear, popitem) or passes to a call, is a
// package-level Go var holding the same map (read-only: concurrent readers
// are safe). Its type is the literal's, checked with no locals.

// ModuleDict is a module-level dict constant: its Go name and literal.
type ModuleDict struct {
	Py, Go string
	Dict   *syntax.Dict
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
	d, ok := a.Value.(*syntax.Dict)
	if !ok || len(d.Keys) == 0 {
		return nil
	}
	for _, k := range d.Keys {
		if c, ok := k.(*syntax.Constant); !ok || c.Kind != syntax.ConstStr {
			return nil
		}
	}
	file := u.fileOfScope(sym.Scope)
	if file == nil || !onlyReadDict(file.Body, id, a) {
		return nil
	}
	in := newInst(nil, nil)
	prev, prevScope := t.rec, t.scope
	t.rec, t.scope = in, sym.Scope
	v := t.expr(d, newEnv(nil, nil, nil))
	t.rec, t.scope = prev, prevScope
	if v.T == nil || v.T.Kind != Dict || v.T.Elem.Kind == Unknown || v.T.Elem.Kind == AnyK {
		return nil
	}
	md := &ModuleDict{Py: id, Go: moduleDictGoName(id), Dict: d, Scope: sym.Scope, T: v.T, Inst: in}
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
	mutating := map[string]bool{"update": true, "pop": true, "setdefault": true, "clear": true, "popitem": true, "__setitem__": true, "__delitem__": true}
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
