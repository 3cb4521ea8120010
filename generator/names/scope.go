package names

import (
	"sync"

	"github.com/hf2go/hf2go/generator/syntax"
)

// builtins are the Python builtins model files use as names; any other
// unbound name is Unresolved.
var builtins = map[string]bool{
	"abs": true, "all": true, "any": true, "bool": true, "dict": true, "enumerate": true, "float": true,
	"getattr": true, "hasattr": true, "int": true, "isinstance": true, "len": true, "list": true, "max": true,
	"min": true, "next": true, "print": true, "range": true, "reversed": true, "round": true, "set": true,
	"setattr": true, "sorted": true, "str": true, "sum": true, "super": true, "tuple": true, "type": true,
	"zip": true, "map": true, "filter": true, "iter": true, "divmod": true, "pow": true, "object": true,
	"property": true, "classmethod": true, "staticmethod": true, "callable": true, "id": true, "hash": true,
	"repr": true, "format": true, "chr": true, "ord": true, "slice": true, "frozenset": true, "vars": true,
	"NotImplementedError": true, "ValueError": true, "TypeError": true, "KeyError": true, "IndexError": true,
	"AttributeError": true, "RuntimeError": true, "Exception": true, "AssertionError": true,
	"ImportError": true, "StopIteration": true, "True": true, "False": true, "None": true,
}

var (
	builtinMu   sync.Mutex
	builtinSyms = map[string]*Symbol{}
)

// builtinSymbol is the one symbol of a builtin name (shared by every file;
// symbols are never mutated after resolution, so sharing is safe).
func builtinSymbol(name string) *Symbol {
	builtinMu.Lock()
	defer builtinMu.Unlock()
	if s, ok := builtinSyms[name]; ok {
		return s
	}
	s := &Symbol{Name: name, Kind: Builtin}
	builtinSyms[name] = s
	return s
}

// resolver walks a file, opening scopes and recording what every Name
// resolves to.
type resolver struct {
	files *fileTables
}

func (r *resolver) open(kind ScopeKind, node syntax.Node, parent *Scope) *Scope {
	s := &Scope{Kind: kind, Node: node, Parent: parent, Symbols: map[string]*Symbol{}, file: r.files}
	r.files.scopes[node] = s
	return s
}

func (r *resolver) use(s *Scope, n *syntax.Name) {
	if n == nil {
		return
	}
	r.files.uses[n] = s.Lookup(n.Id)
}

func (r *resolver) body(s *Scope, body []syntax.Stmt) {
	for _, st := range body {
		r.stmt(s, st)
	}
}

// bind declares a name in a function-like scope (the first binding wins:
// every later assignment rebinds the same symbol).
func bind(s *Scope, name string, kind Kind, node syntax.Node) *Symbol {
	if sym, ok := s.Symbols[name]; ok {
		return sym
	}
	sym := &Symbol{Name: name, Kind: kind, Node: node, Scope: s}
	s.Symbols[name] = sym
	return sym
}

// bindTargets declares the names an assignment target binds.
func bindTargets(s *Scope, e syntax.Expr, node syntax.Node) {
	switch x := e.(type) {
	case *syntax.Name:
		bind(s, x.Id, Local, node)
	case *syntax.Tuple:
		for _, el := range x.Elts {
			bindTargets(s, el, node)
		}
	case *syntax.List:
		for _, el := range x.Elts {
			bindTargets(s, el, node)
		}
	case *syntax.Starred:
		bindTargets(s, x.X, node)
	}
}

// collectLocals declares every name a function body binds: assignment,
// augmented and annotated targets, for targets, del, nested def and class,
// imports, and walrus targets (also those inside comprehensions).
func collectLocals(s *Scope, body []syntax.Stmt) {
	defs := s.file.defs
	for _, st := range body {
		switch x := st.(type) {
		case *syntax.Assign:
			for _, t := range x.Targets {
				bindTargets(s, t, x)
			}
			walrus(s, x.Value)
		case *syntax.AnnAssign:
			bindTargets(s, x.Target, x)
			walrus(s, x.Value)
		case *syntax.AugAssign:
			bindTargets(s, x.Target, x)
			walrus(s, x.Value)
		case *syntax.For:
			bindTargets(s, x.Target, x)
			walrus(s, x.Iter)
			collectLocals(s, x.Body)
		case *syntax.While:
			walrus(s, x.Cond)
			collectLocals(s, x.Body)
		case *syntax.If:
			walrus(s, x.Cond)
			collectLocals(s, x.Body)
			collectLocals(s, x.Else)
		case *syntax.Delete:
			for _, t := range x.Targets {
				if n, ok := t.(*syntax.Name); ok {
					bind(s, n.Id, Local, x)
				}
			}
		case *syntax.FuncDef:
			defs[x] = bind(s, x.Name, LocalFunc, x)
		case *syntax.ClassDef:
			defs[x] = bind(s, x.Name, LocalClass, x)
		case *syntax.Import:
			for _, a := range x.Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				bind(s, name, Local, x)
			}
		case *syntax.ImportFrom:
			for _, a := range x.Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				bind(s, name, Local, x)
			}
		case *syntax.ExprStmt:
			walrus(s, x.X)
		case *syntax.Return:
			walrus(s, x.Value)
		case *syntax.Assert:
			walrus(s, x.Cond)
		}
	}
}

// walrus declares the targets of := in an expression (they bind in the
// enclosing function even inside a comprehension).
func walrus(s *Scope, e syntax.Expr) {
	syntax.Inspect(e, func(n syntax.Expr) bool {
		switch x := n.(type) {
		case *syntax.NamedExpr:
			bind(s, x.Target.Id, Local, x)
		case *syntax.Lambda:
			return false
		}
		return true
	})
}

func (r *resolver) stmt(s *Scope, st syntax.Stmt) {
	switch x := st.(type) {
	case *syntax.ClassDef:
		for _, b := range x.Bases {
			r.expr(s, b)
		}
		for _, d := range x.Decorators {
			r.expr(s, d)
		}
		cs := r.open(ClassScope, x, s)
		for _, b := range x.Body {
			switch m := b.(type) {
			case *syntax.FuncDef:
				r.files.defs[m] = bind(cs, m.Name, LocalFunc, m)
			case *syntax.Assign:
				for _, t := range m.Targets {
					if n, ok := t.(*syntax.Name); ok {
						bind(cs, n.Id, Local, m)
					}
				}
			case *syntax.AnnAssign:
				if n, ok := m.Target.(*syntax.Name); ok {
					bind(cs, n.Id, Local, m)
				}
			}
		}
		r.body(cs, x.Body)
	case *syntax.FuncDef:
		for _, d := range x.Decorators {
			r.expr(s, d)
		}
		for _, p := range x.Params {
			r.expr(s, p.Annotation)
			r.expr(s, p.Default)
		}
		r.expr(s, x.Returns)
		fs := r.open(FuncScope, x, s)
		for i := range x.Params {
			bind(fs, x.Params[i].Name, Param, x)
		}
		collectLocals(fs, x.Body)
		r.body(fs, x.Body)
	case *syntax.Assign:
		r.expr(s, x.Value)
		for _, t := range x.Targets {
			r.expr(s, t)
		}
	case *syntax.AnnAssign:
		r.expr(s, x.Value)
		r.expr(s, x.Annotation)
		r.expr(s, x.Target)
	case *syntax.AugAssign:
		r.expr(s, x.Value)
		r.expr(s, x.Target)
	case *syntax.Return:
		r.expr(s, x.Value)
	case *syntax.If:
		r.expr(s, x.Cond)
		r.body(s, x.Body)
		r.body(s, x.Else)
	case *syntax.For:
		r.expr(s, x.Iter)
		r.expr(s, x.Target)
		r.body(s, x.Body)
	case *syntax.While:
		r.expr(s, x.Cond)
		r.body(s, x.Body)
	case *syntax.ExprStmt:
		r.expr(s, x.X)
	case *syntax.Assert:
		r.expr(s, x.Cond)
		r.expr(s, x.Msg)
	case *syntax.Raise:
		r.expr(s, x.Exc)
	case *syntax.Delete:
		for _, t := range x.Targets {
			r.expr(s, t)
		}
	}
}

func (r *resolver) expr(s *Scope, e syntax.Expr) {
	switch x := e.(type) {
	case nil:
	case *syntax.Name:
		r.use(s, x)
	case *syntax.Lambda:
		for _, p := range x.Params {
			r.expr(s, p.Default)
		}
		ls := r.open(LambdaScope, x, s)
		for i := range x.Params {
			bind(ls, x.Params[i].Name, Param, x)
		}
		r.expr(ls, x.Body)
	case *syntax.Comp:
		// The first iterable is evaluated in the enclosing scope; the rest,
		// the conditions and the element in the comprehension's own.
		cs := r.open(CompScope, x, s)
		for _, g := range x.Generators {
			bindTargets(cs, g.Target, x)
		}
		for i, g := range x.Generators {
			if i == 0 {
				r.expr(s, g.Iter)
			} else {
				r.expr(cs, g.Iter)
			}
			r.expr(cs, g.Target)
			for _, c := range g.Ifs {
				r.expr(cs, c)
			}
		}
		r.expr(cs, x.Key)
		r.expr(cs, x.Elt)
	case *syntax.NamedExpr:
		r.expr(s, x.Value)
		// The target binds in the nearest function (or module) scope.
		fs := s
		for fs.Kind == CompScope {
			fs = fs.Parent
		}
		if sym, ok := fs.Symbols[x.Target.Id]; ok {
			r.files.uses[x.Target] = sym
		} else {
			r.use(fs, x.Target)
		}
	default:
		syntax.Children(e, func(c syntax.Expr) { r.expr(s, c) })
	}
}
