// Package names is the translator's second phase: it resolves what each
// top-level name of a model file refers to — an imported module (mx, nn,
// math), a helper of mlx-lm (.base, .cache, .rope_utils, .switch_layers,
// .activations), a class or function of another model file (smollm3 imports
// llama), or a class, function or constant of the file itself.
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
	Sibling            // a name imported from another model file: File and Name
	SiblingModule      // another model file imported as a module: File
	Typing             // typing / dataclasses / functools names
	LocalClass
	LocalFunc
	LocalConst
)

// Symbol is what a top-level name resolves to.
type Symbol struct {
	Kind Kind
	Qual string // qualified name for Module and Helper
	File string // Sibling: the model file (without .py)
	Name string // Sibling: the name there; LocalClass: the class's translated name when renamed
	Node syntax.Node
}

// Scope is the module scope of one model file.
type Scope struct {
	Symbols  map[string]Symbol
	Siblings []string // model files this one imports from, in order of first import
}

// helperModules are mlx-lm's infrastructure modules (ported by hand).
var helperModules = map[string]bool{"base": true, "cache": true, "rope_utils": true, "switch_layers": true,
	"activations": true, "pipeline": true, "mla": true}

// moduleAliases maps imported Python modules to the qualifier the API table uses.
var moduleAliases = map[string]string{"mlx.core": "mx", "mlx.nn": "nn", "math": "math", "mlx": "mlx",
	"mlx.utils": "mlx.utils", "numpy": "numpy", "inspect": "inspect", "functools": "functools"}

// Resolve builds the scope of a file and reports imports it cannot place.
func Resolve(f *syntax.File) (*Scope, []syntax.Diagnostic) {
	s := &Scope{Symbols: map[string]Symbol{}}
	var diags []syntax.Diagnostic
	addSibling := func(file string) {
		for _, x := range s.Siblings {
			if x == file {
				return
			}
		}
		s.Siblings = append(s.Siblings, file)
	}
	for _, st := range f.Body {
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
				s.Symbols[name] = Symbol{Kind: Module, Qual: qual, Node: n}
			}
		case *syntax.ImportFrom:
			for _, a := range n.Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				switch {
				case n.Level == 1 && n.Module == "":
					// from . import llama: the sibling model file itself.
					s.Symbols[name] = Symbol{Kind: SiblingModule, File: a.Name, Node: n}
					addSibling(a.Name)
				case n.Level == 1 && helperModules[n.Module]:
					s.Symbols[name] = Symbol{Kind: Helper, Qual: n.Module + "." + a.Name, Node: n}
				case n.Level == 1:
					s.Symbols[name] = Symbol{Kind: Sibling, File: n.Module, Name: a.Name, Node: n}
					addSibling(n.Module)
				case n.Module == "typing" || n.Module == "dataclasses" || n.Module == "functools" || n.Module == "__future__":
					s.Symbols[name] = Symbol{Kind: Typing, Qual: n.Module + "." + a.Name, Node: n}
				case n.Module == "mlx.nn.layers.distributed" || n.Module == "mlx.utils":
					s.Symbols[name] = Symbol{Kind: Helper, Qual: n.Module + "." + a.Name, Node: n}
				case n.Module == "mlx" && (a.Name == "core" || a.Name == "nn"):
					q := "mx"
					if a.Name == "nn" {
						q = "nn"
					}
					s.Symbols[name] = Symbol{Kind: Module, Qual: q, Node: n}
				default:
					s.Symbols[name] = Symbol{Kind: Helper, Qual: n.Module + "." + a.Name, Node: n}
				}
			}
		case *syntax.ClassDef:
			s.Symbols[n.Name] = Symbol{Kind: LocalClass, Node: n}
		case *syntax.FuncDef:
			s.Symbols[n.Name] = Symbol{Kind: LocalFunc, Node: n}
		case *syntax.Assign:
			for _, t := range n.Targets {
				if nm, ok := t.(*syntax.Name); ok {
					s.Symbols[nm.Id] = Symbol{Kind: LocalConst, Node: n}
				}
			}
		case *syntax.AnnAssign:
			if nm, ok := n.Target.(*syntax.Name); ok {
				s.Symbols[nm.Id] = Symbol{Kind: LocalConst, Node: n}
			}
		}
	}
	return s, diags
}

// Qualify returns the qualified name of a dotted expression whose root is an
// imported module or helper (mx.fast.rope → "mx.fast.rope", swiglu →
// "activations.swiglu"), or "" when the root is not one.
func (s *Scope) Qualify(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Name:
		sym, ok := s.Symbols[x.Id]
		if !ok {
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
