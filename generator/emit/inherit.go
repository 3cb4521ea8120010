package emit

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Inheritance. mlx-lm model files inherit in three ways: a ModelArgs that
// extends another file's (smollm3's extends llama's), modules built from a
// helper mixin (PipelineMixin), and modules subclassing another class. The
// translator flattens each into the derived Go struct: the base's fields
// first, its methods where the derived class does not override them, and
// its __init__ / __post_init__ body inlined where the derived one calls
// super().

func (t *translator) definedInMain(name string) bool {
	for _, st := range t.file.Body {
		switch n := st.(type) {
		case *syntax.ClassDef:
			if n.Name == name {
				return true
			}
		case *syntax.FuncDef:
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// load parses a sibling or helper file once.
func (t *translator) load(module string, at syntax.Node) (*syntax.File, *names.Scope) {
	if f, ok := t.siblings[module]; ok {
		if f == nil {
			return nil, nil
		}
		s, _ := names.Resolve(f)
		return f, s
	}
	if t.opts.Load == nil {
		t.fail(at, "import of "+module, "no loader for other model files")
		t.siblings[module] = nil
		return nil, nil
	}
	f, s, err := t.opts.Load(module)
	if err != nil {
		t.fail(at, "import of "+module, "%v", err)
		t.siblings[module] = nil
		return nil, nil
	}
	t.siblings[module] = f
	return f, s
}

// importSibling merges the classes and functions of a sibling model file.
func (t *translator) importSibling(file string, seen map[string]bool) {
	if seen[file] {
		return
	}
	seen[file] = true
	f, scope := t.load(file, t.file.Body[0])
	if f == nil {
		return
	}
	for _, s := range scope.Siblings {
		t.importSibling(s, seen)
	}
	t.collectFile(f, scope, file)
	// Names imported from the sibling now refer to the merged definitions.
	for name, sym := range t.scope.Symbols {
		if sym.Kind != names.Sibling || sym.File != file {
			continue
		}
		if _, ok := t.byClass[sym.Target]; ok {
			t.scope.Symbols[name] = &names.Symbol{Name: name, Kind: names.LocalClass, Node: sym.Node, Scope: t.scope}
		} else if _, ok := t.byFunc[sym.Target]; ok {
			t.scope.Symbols[name] = &names.Symbol{Name: name, Kind: names.LocalFunc, Node: sym.Node, Scope: t.scope}
		}
	}
}

// baseClass resolves a base-class expression to a class the translator can
// flatten: a class of this file, of a sibling file (llama.ModelArgs), or a
// helper mixin (PipelineMixin).
func (t *translator) baseClass(b syntax.Expr, scope *names.Scope) *classInfo {
	switch x := b.(type) {
	case *syntax.Name:
		if c, ok := t.byClass[x.Id]; ok {
			return c
		}
		sym, ok := scope.Symbols[x.Id]
		if !ok {
			return nil
		}
		switch {
		case sym.Kind == names.Helper && sym.Qual == "pipeline.PipelineMixin":
			return t.helperClass("pipeline", "PipelineMixin", b)
		case sym.Kind == names.Sibling:
			if a, ok := t.siblingArgs[sym.File]; ok && a.name == sym.Target {
				return a
			}
		}
	case *syntax.Attribute:
		if q := scope.Qualify(x); q != "" {
			if src, ok := t.tab.ModuleBases[q]; ok {
				return t.tableBase(q, src, b)
			}
		}
		if n, ok := x.X.(*syntax.Name); ok {
			if sym, ok := scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if a, ok := t.siblingArgs[sym.File]; ok && a.name == x.Attr {
					return a
				}
				if c, ok := t.siblingClasses[sym.File][x.Attr]; ok {
					return c
				}
			}
		}
	}
	return nil
}

// helperClass loads a class of a helper module (not a model) as a base.
func (t *translator) helperClass(module, name string, at syntax.Node) *classInfo {
	f, scope := t.load(module, at)
	if f == nil {
		return nil
	}
	for _, st := range f.Body {
		if cd, ok := st.(*syntax.ClassDef); ok && cd.Name == name {
			c := &classInfo{def: cd, name: cd.Name, scope: scope, byName: map[string]*fieldInfo{}, byMeth: map[string]*funcInfo{}, props: map[string]bool{}}
			t.collectClass(c)
			return c
		}
	}
	t.fail(at, "base class "+name, "not found in %s.py", module)
	return nil
}

// inherit copies the methods of c's bases that c does not define.
func (t *translator) inherit(c *classInfo) {
	for _, b := range c.bases {
		for _, m := range b.methods {
			if _, ok := c.byMeth[m.def.Name]; ok || m.def.Name == "__init__" || m.def.Name == "__post_init__" {
				continue
			}
			mm := *m
			mm.class = c
			mm.params = t.params(m.def, true)
			c.methods = append(c.methods, &mm)
			c.byMeth[m.def.Name] = &mm
			if m.isProp {
				c.props[m.def.Name] = true
			}
		}
	}
}

// superInit is the body of the base __init__ (or __post_init__) that a
// super().<method>() call in c runs.
func (c *classInfo) superBody(method string) (*funcInfo, bool) {
	for _, b := range c.bases {
		if m, ok := b.byMeth[method]; ok {
			return m, true
		}
		if m, ok := b.superBody(method); ok {
			return m, true
		}
	}
	return nil, false
}

var _ = types.TUnknown

// tableBase is an mlx.nn class used as a base: its __init__ from the API
// table's Python source, resolved against the model file's own imports.
func (t *translator) tableBase(name, src string, at syntax.Node) *classInfo {
	f, diags := syntax.Parse("api.yaml:"+name, []byte(src))
	if len(diags) > 0 || f == nil || len(f.Body) != 1 {
		t.fail(at, "base class "+name, "the API table's source does not parse")
		return nil
	}
	cd, ok := f.Body[0].(*syntax.ClassDef)
	if !ok {
		t.fail(at, "base class "+name, "the API table's source is not a class")
		return nil
	}
	c := &classInfo{def: cd, name: cd.Name, scope: t.scope, byName: map[string]*fieldInfo{}, byMeth: map[string]*funcInfo{}, props: map[string]bool{}}
	t.collectClass(c)
	return c
}
