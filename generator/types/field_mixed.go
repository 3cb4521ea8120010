package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Dataclass fields whose annotation understates what configs put there.
//
// A dataclass does not check its annotations: `time_step_rank: int` holds
// the string "auto" when the config says so, and the file then tests
// `self.time_step_rank == "auto"` and replaces it. A number-annotated field
// the file compares with a string literal holds either: the translator keeps
// it as Python holds it (Any), and reads convert where a number is needed.

// mayBeStr widens a number field of a dataclass that the code compares
// with a string literal (x == "auto") to Any: the config holds either.
func (t *checker) mayBeStr(v Val, other syntax.Expr) {
	f := v.Origin
	if f == nil || !t.learn || t.frozen {
		return
	}
	if c, ok := other.(*syntax.Constant); !ok || c.Kind != syntax.ConstStr {
		return
	}
	if f.Type.Base().Numeric() {
		f.Type = TAny
	}
}

// Class constants of a dataclass. An unannotated assignment in a dataclass
// body (nemotron_h's `_block_type_to_char = {...}`) is a class attribute,
// not a field: config.json does not set it, and __post_init__ reads it as
// self._x. It becomes a field that is not read from config.json, set to
// its value by the constructor.

// classAttr is the field of a class-level `name = value`, or nil.
func (k *collector) classAttr(a *syntax.Assign) *Field {
	if len(a.Targets) != 1 {
		return nil
	}
	n, ok := a.Targets[0].(*syntax.Name)
	if !ok {
		return nil
	}
	return &Field{Py: n.Id, Go: names.GoExported(n.Id), Type: TUnknown, Def: a.Value, HasDef: true, Pos: a.P, ClassAttr: true}
}

// classAttrTypes types class constants from their values.
func (t *checker) classAttrTypes() {
	was := t.learn
	t.learn = true
	defer func() { t.learn = was }()
	for _, c := range t.u.Classes {
		for _, f := range c.Fields {
			if f.ClassAttr && f.Type.Kind == Unknown {
				f.Type = t.expr(f.Def, newEnv(nil, nil, nil)).T
			}
		}
	}
}

// isProperty reports a method decorated @property.
func isProperty(d *syntax.FuncDef) bool {
	for _, dec := range d.Decorators {
		if n, ok := dec.(*syntax.Name); ok && n.Id == "property" {
			return true
		}
	}
	return false
}

// foreignArgs reports that `ModelArgs` in scope (a sibling file's) names
// that file's config class and this file's ModelArgs does not extend it:
// the sibling's classes then get whatever config the file passes them.
func (u *Unit) foreignArgs(scope *names.Scope) bool {
	if scope == nil || scope == u.Scope || u.Args == nil {
		return false
	}
	f, ok := scope.Node.(*syntax.File)
	if !ok {
		return false
	}
	for name, sf := range u.siblings {
		if sf != f {
			continue
		}
		sa := u.siblingArgs[name]
		if sa == nil {
			return false
		}
		for _, b := range u.Args.Bases {
			if b == sa {
				return false
			}
		}
		return true
	}
	return false
}

// foreignArgParams untypes the `args: ModelArgs` parameters of sibling
// classes built from another config class (foreignArgs): once the file's
// own classes are known, those parameters take what the call sites pass.
func (k *collector) foreignArgParams() {
	u := k.u
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if !u.foreignArgs(m.Scope) || (c.Name == "Model" && m.Def.Name == "__init__") {
				// Model's own __init__ (inherited from a sibling's Model)
				// takes the file's ModelArgs: the registry passes it.
				continue
			}
			for i, p := range m.Def.Params {
				n, ok := p.Annotation.(*syntax.Name)
				if !ok || n.Id != "ModelArgs" {
					continue
				}
				for _, pi := range m.Params {
					if pi.Py == m.Def.Params[i].Name {
						pi.Type, pi.Annotated = TUnknown, false
					}
				}
			}
		}
	}
}

// dropUnusedForeign removes sibling classes built from another file's
// config class (foreignArgs) that nothing the file translates uses: with
// no call site their config parameter has no type (qwen3_5 takes
// qwen3_next's attention and MLP but not its gated-delta layer, which it
// redefines). Uses are names in the bodies of the file's classes and
// functions and of the classes they use, transitively.
func (k *collector) dropUnusedForeign() {
	u := k.u
	used := map[*Class]bool{}
	mentioned := map[string]bool{}
	visit := func(body []syntax.Stmt, scope *names.Scope) {
		syntax.WalkExprs(body, func(e syntax.Expr) {
			switch x := e.(type) {
			case *syntax.Name:
				mentioned[x.Id] = true
				if sym, ok := scope.Symbols[x.Id]; ok && sym.Kind == names.LocalClass && sym.Target != "" {
					mentioned[sym.Target] = true // an alias (Qwen3NextAttention as Attention)
				}
			case *syntax.Attribute:
				mentioned[x.Attr] = true
			}
		})
	}
	mark := func(c *Class) {
		if used[c] {
			return
		}
		used[c] = true
		for _, m := range c.Methods {
			visit(m.Def.Body, m.Scope)
			u.reachBaseBodies(c, m, visit)
		}
	}
	for _, c := range u.Classes {
		if c.Scope == u.Scope {
			mark(c)
		}
	}
	// Model is what the loader instantiates: a root even when a sibling
	// defines it and this file only re-exports it (solar_open's
	// `from .glm4_moe import Model`).
	if c := u.ClassOf("Model"); c != nil {
		mark(c)
	}
	for _, f := range u.Funcs {
		visit(f.Def.Body, f.Scope)
	}
	for changed := true; changed; {
		changed = false
		for _, c := range u.Classes {
			if !used[c] && (mentioned[c.Def.Name] || mentioned[c.Name]) {
				mark(c)
				changed = true
			}
		}
	}
	// Aliases: `from .x import A as B` mentions B.
	for name, sym := range u.Scope.Symbols {
		if mentioned[name] && sym.Kind == names.LocalClass && sym.Target != "" {
			if c := u.ByClass[sym.Target]; c != nil && !used[c] {
				mark(c)
			}
		}
	}
	var keep []*Class
	for _, c := range u.Classes {
		if !used[c] && !c.IsArgs && u.foreignArgs(c.Scope) {
			delete(u.ByClass, c.Name)
			continue
		}
		keep = append(keep, c)
	}
	u.Classes = keep
}

// definesClass reports whether file f defines a top-level class name.
func definesClass(f *syntax.File, name string) bool {
	for _, st := range f.Body {
		if c, ok := st.(*syntax.ClassDef); ok && c.Name == name {
			return true
		}
	}
	return false
}

// ClassIn resolves a class name as the code of scope (the file's, or a
// sibling's that imports it under another name) sees it.
func (u *Unit) ClassIn(scope *names.Scope, id string) *Class {
	if scope != nil && scope != u.Scope {
		if sym, ok := scope.Symbols[id]; ok && sym.Kind == names.LocalClass && sym.Target != "" {
			return u.ByClass[sym.Target]
		}
	}
	return u.ClassOf(id)
}
