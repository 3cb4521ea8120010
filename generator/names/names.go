// Package names is the translator's second phase: it binds every name of a
// model file to a symbol in a scope, the way Python does. A file has a
// module scope (imports, classes, functions, constants), a scope per class
// body, per function (its parameters and every name the body assigns),
// per comprehension (its loop targets) and per lambda (its parameters).
// Each *syntax.Name of the file, read or written, resolves to one Symbol:
// a local of the enclosing function, a free variable of an enclosing one,
// a module-level name, a Python builtin, or nothing (Unresolved).
//
// Module-level symbols also say what an import refers to: an imported
// module (mx, nn, math), a helper of mlx-lm (.base, .cache, .rope_utils,
// .switch_layers, .activations), a class or function of another model file
// (smollm3 imports llama), or a class, function or constant of the file.
//
// Later phases never look a name up by its string: they ask the scope for
// the symbol of a Name node (Use) and key everything they learn on it.
package names

import (
	"strings"

	"github.com/hf2go/hf2go/generator/syntax"
)

// Kind says what a name refers to.
type Kind int

const (
	Unresolved    Kind = iota
	Module             // an imported module: Qual is "mx", "nn", "math", ...
	Helper             // a name imported from mlx-lm's helpers: Qual "base.create_attention_mask"
	Sibling            // a name imported from another model file: File and Target
	SiblingModule      // another model file imported as a module: File
	Typing             // typing / dataclasses / functools names
	LocalClass         // a class of the file (Target: its translated name when renamed)
	LocalFunc          // a function of the file (or a nested def, in a function scope)
	LocalConst         // a module-level assignment
	Param              // a parameter of a function or lambda
	Local              // a name a function body (or comprehension) assigns
	Builtin            // a Python builtin (len, range, isinstance, ...)
)

var kindNames = [...]string{"unresolved", "module", "helper", "sibling", "sibling module", "typing", "class",
	"function", "constant", "parameter", "local", "builtin"}

func (k Kind) String() string { return kindNames[k] }

// Symbol is what a name resolves to.
type Symbol struct {
	Name   string // the Python name
	Kind   Kind
	Qual   string // qualified name for Module, Helper and Typing
	File   string // Sibling, SiblingModule: the model file (without .py)
	Target string // Sibling: the name there; LocalClass: the class's translated name when renamed
	Node   syntax.Node
	Scope  *Scope // the scope that binds it (nil for builtins and unresolved names)
}

// ScopeKind says what opens a scope.
type ScopeKind int

const (
	ModuleScope ScopeKind = iota
	ClassScope
	FuncScope
	CompScope
	LambdaScope
)

// Scope is one Python scope. The module scope also holds the file-wide
// tables: the symbol of every Name node and the scope of every node that
// opens one.
type Scope struct {
	Kind     ScopeKind
	Node     syntax.Node // *syntax.File, *syntax.ClassDef, *syntax.FuncDef, *syntax.Comp, *syntax.Lambda
	Parent   *Scope
	Symbols  map[string]*Symbol
	Siblings []string // module scope: model files this one imports from, in order of first import

	file *fileTables
}

type fileTables struct {
	uses   map[*syntax.Name]*Symbol
	scopes map[syntax.Node]*Scope
	defs   map[syntax.Node]*Symbol // def and class statements → the name they bind
}

// helperModules are mlx-lm's infrastructure modules (ported by hand).
var helperModules = map[string]bool{"base": true, "cache": true, "rope_utils": true, "switch_layers": true,
	"activations": true, "pipeline": true, "mla": true}

// moduleAliases maps imported Python modules to the qualifier the API table uses.
var moduleAliases = map[string]string{"mlx.core": "mx", "mlx.nn": "nn", "math": "math", "mlx": "mlx",
	"mlx.utils": "mlx.utils", "numpy": "numpy", "inspect": "inspect", "functools": "functools"}

// Resolve builds the scopes of a file and binds every name in it.
func Resolve(f *syntax.File) (*Scope, []syntax.Diagnostic) {
	s := &Scope{Kind: ModuleScope, Node: f, Symbols: map[string]*Symbol{},
		file: &fileTables{uses: map[*syntax.Name]*Symbol{}, scopes: map[syntax.Node]*Scope{}, defs: map[syntax.Node]*Symbol{}}}
	s.file.scopes[f] = s
	s.bindModule(f.Body, packageOf(f.Path))
	r := &resolver{files: s.file}
	r.body(s, f.Body)
	return s, nil
}

// ResolveIn binds the names of a snippet (a class the API table gives as
// Python source) as if it were written in the module scope of another
// file: its imports are that file's.
func ResolveIn(f *syntax.File, module *Scope) {
	r := &resolver{files: module.file}
	for _, st := range f.Body {
		r.stmt(module, st)
	}
}

func (s *Scope) bindModule(body []syntax.Stmt, pkg string) {
	addSibling := func(file string) {
		for _, x := range s.Siblings {
			if x == file {
				return
			}
		}
		s.Siblings = append(s.Siblings, file)
	}
	set := func(name string, sym *Symbol) {
		sym.Name, sym.Scope = name, s
		s.Symbols[name] = sym
	}
	for _, st := range body {
		switch n := st.(type) {
		case *syntax.Import:
			for _, a := range n.Names {
				name := a.AsName
				if name == "" {
					name = strings.Split(a.Name, ".")[0]
				}
				qual, ok := moduleAliases[a.Name]
				if !ok {
					qual = a.Name
				}
				set(name, &Symbol{Kind: Module, Qual: qual, Node: n})
			}
		case *syntax.ImportFrom:
			level, module := n.Level, n.Module
			if level == 0 && strings.HasPrefix(module, "mlx_lm.models.") {
				// from mlx_lm.models.base import X is from .base import X.
				level, module = 1, strings.TrimPrefix(module, "mlx_lm.models.")
			}
			other := "" // a module of another mlx-lm package (relimport.go)
			if level > 1 || level == 1 && pkg != modelsDir {
				if tgt, ok := relModule(pkg, level, module); ok && outsideModels(tgt) {
					other = tgt
				} else if ok {
					level, module = 1, tgt
				}
			}
			for _, a := range n.Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				switch {
				case other != "" && n.Module == "":
					// from . import qk_norm, in mlx_lm/kernels: the submodule.
					set(name, &Symbol{Kind: SiblingModule, File: other + "/" + a.Name, Node: n})
					addSibling(other + "/" + a.Name)
				case other != "":
					set(name, &Symbol{Kind: Sibling, File: other, Target: a.Name, Node: n})
					addSibling(other)
				case level == 1 && module == "":
					// from . import llama: the sibling model file itself.
					set(name, &Symbol{Kind: SiblingModule, File: a.Name, Node: n})
					addSibling(a.Name)
				case level == 1 && helperModules[module]:
					set(name, &Symbol{Kind: Helper, Qual: module + "." + a.Name, Node: n})
				case level == 1:
					set(name, &Symbol{Kind: Sibling, File: module, Target: a.Name, Node: n})
					addSibling(module)
				case n.Module == "typing" || n.Module == "dataclasses" || n.Module == "functools" || n.Module == "__future__":
					set(name, &Symbol{Kind: Typing, Qual: n.Module + "." + a.Name, Node: n})
				case n.Module == "mlx.nn.layers.distributed" || n.Module == "mlx.utils":
					set(name, &Symbol{Kind: Helper, Qual: n.Module + "." + a.Name, Node: n})
				case n.Module == "mlx" && (a.Name == "core" || a.Name == "nn"):
					q := "mx"
					if a.Name == "nn" {
						q = "nn"
					}
					set(name, &Symbol{Kind: Module, Qual: q, Node: n})
				default:
					set(name, &Symbol{Kind: Helper, Qual: n.Module + "." + a.Name, Node: n})
				}
			}
		case *syntax.ClassDef:
			set(n.Name, &Symbol{Kind: LocalClass, Node: n})
			s.file.defs[n] = s.Symbols[n.Name]
		case *syntax.FuncDef:
			set(n.Name, &Symbol{Kind: LocalFunc, Node: n})
			s.file.defs[n] = s.Symbols[n.Name]
		case *syntax.Assign:
			for _, t := range n.Targets {
				if nm, ok := t.(*syntax.Name); ok {
					set(nm.Id, &Symbol{Kind: LocalConst, Node: n})
				}
			}
		case *syntax.AnnAssign:
			if nm, ok := n.Target.(*syntax.Name); ok {
				set(nm.Id, &Symbol{Kind: LocalConst, Node: n})
			}
		}
	}
}

// Qualify returns the qualified name of a dotted expression whose root is an
// imported module or helper (mx.fast.rope → "mx.fast.rope", swiglu →
// "activations.swiglu"), or "" when the root is not one. Only module-level
// symbols qualify: a local that shadows an import does not.
func (s *Scope) Qualify(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Name:
		sym := s.Use(x)
		if sym == nil {
			sym = s.module().Symbols[x.Id]
		}
		if sym == nil || sym.Scope == nil || sym.Scope.Kind != ModuleScope {
			return ""
		}
		switch sym.Kind {
		case Module, Helper, Typing:
			return sym.Qual
		}
	case *syntax.Attribute:
		if q := s.Qualify(x.X); q != "" {
			return q + "." + x.Attr
		}
	}
	return ""
}

func (s *Scope) module() *Scope {
	for s.Parent != nil {
		s = s.Parent
	}
	return s
}

// Use is the symbol a Name node of the file resolves to (nil for a node the
// resolver did not see, such as one the translator synthesized).
func (s *Scope) Use(n *syntax.Name) *Symbol {
	if s.file == nil {
		return nil
	}
	return s.file.uses[n]
}

// Of is the scope that a class, function, comprehension or lambda node opens.
func (s *Scope) Of(n syntax.Node) *Scope {
	if s.file == nil {
		return nil
	}
	return s.file.scopes[n]
}

// DefOf is the symbol a def or class statement binds its name to.
func (s *Scope) DefOf(n syntax.Node) *Symbol {
	if s.file == nil {
		return nil
	}
	return s.file.defs[n]
}

// Lookup resolves a name from this scope outward as Python does: the scope
// itself, enclosing function scopes (class scopes are skipped for code
// nested in them), the module, then the builtins.
func (s *Scope) Lookup(name string) *Symbol {
	for sc := s; sc != nil; sc = sc.Parent {
		if sc != s && sc.Kind == ClassScope {
			continue
		}
		if sym, ok := sc.Symbols[name]; ok {
			return sym
		}
	}
	if builtins[name] {
		return builtinSymbol(name)
	}
	return &Symbol{Name: name, Kind: Unresolved}
}

// Locals lists the symbols a scope binds, by name.
func (s *Scope) Locals() map[string]*Symbol { return s.Symbols }
