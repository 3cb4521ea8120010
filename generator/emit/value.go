package emit

import (
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// val is a translated expression: its Go code, its Python type, and the Go
// precedence of its outermost operator (so parentheses appear only where Go
// needs them).
type val struct {
	c     jen.Code
	t     *types.Type
	prec  int
	lit   *syntax.Constant
	multi int // >1: a Go call returning that many values (a Python tuple)
}

const (
	precOr      = 1
	precAnd     = 2
	precCmp     = 3
	precAdd     = 4
	precMul     = 5
	precUnary   = 6
	precPrimary = 7
)

func prim(c jen.Code, t *types.Type) val { return val{c: c, t: t, prec: precPrimary} }

// paren wraps v when its operator binds looser than p.
func paren(v val, p int) jen.Code {
	if v.prec < p {
		return jen.Parens(v.c)
	}
	return v.c
}

// env is the scope of a function body: Python local names and their types.
type env struct {
	vars   map[string]*types.Type
	goName map[string]string
	cls    *classInfo
	fn     *funcInfo
	parent *env
}

func newEnv(cls *classInfo, fn *funcInfo, parent *env) *env {
	return &env{vars: map[string]*types.Type{}, goName: map[string]string{}, cls: cls, fn: fn, parent: parent}
}

func (e *env) lookup(name string) (*types.Type, string, bool) {
	for s := e; s != nil; s = s.parent {
		if t, ok := s.vars[name]; ok {
			g := s.goName[name]
			if g == "" {
				g = local(name)
			}
			return t, g, true
		}
	}
	return nil, "", false
}

func (e *env) set(name string, t *types.Type) {
	for s := e; s != nil; s = s.parent {
		if _, ok := s.vars[name]; ok {
			s.vars[name] = t
			return
		}
	}
	e.vars[name] = t
}

// ---- templates of the API table ----

var tmplToken = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*(\.\.\.)?\}|\b[a-z][A-Za-z0-9]*\.[A-Za-z_][A-Za-z0-9_]*`)

// render expands a table template. args maps a placeholder to its code;
// spread maps a placeholder to a list of codes (for {p...}).
func (t *translator) render(tmpl string, args map[string]jen.Code, spread map[string][]jen.Code) jen.Code {
	var parts []jen.Code
	last := 0
	for _, m := range tmplToken.FindAllStringIndex(tmpl, -1) {
		if m[0] > last {
			parts = append(parts, jen.Op(tmpl[last:m[0]]))
		}
		tok := tmpl[m[0]:m[1]]
		switch {
		case strings.HasPrefix(tok, "{") && strings.HasSuffix(tok, "...}"):
			name := tok[1 : len(tok)-4]
			codes := spread[name]
			for i, c := range codes {
				if i > 0 {
					parts = append(parts, jen.Op(","))
				}
				parts = append(parts, c)
			}
		case strings.HasPrefix(tok, "{"):
			name := tok[1 : len(tok)-1]
			if c, ok := args[name]; ok && c != nil {
				parts = append(parts, c)
			} else {
				parts = append(parts, jen.Nil())
			}
		default:
			pkg, id, _ := strings.Cut(tok, ".")
			if path, ok := t.tab.Imports[pkg]; ok {
				t.imports[pkg] = true
				parts = append(parts, jen.Qual(path, id))
			} else {
				parts = append(parts, jen.Op(tok))
			}
		}
		last = m[1]
	}
	if last < len(tmpl) {
		parts = append(parts, jen.Op(tmpl[last:]))
	}
	return jen.Add(parts...)
}

// qual is a qualified Go name of one of the table's imports.
func (t *translator) qual(pkg, name string) *jen.Statement {
	t.imports[pkg] = true
	return jen.Qual(t.tab.Imports[pkg], name)
}

// goType renders a type as Go.
func (t *translator) goType(ty *types.Type) jen.Code {
	switch ty.Kind {
	case types.Int:
		return jen.Int()
	case types.Float:
		return jen.Float64()
	case types.Bool:
		return jen.Bool()
	case types.Str:
		return jen.String()
	case types.AnyK, types.Unknown, types.None:
		return jen.Any()
	case types.Array:
		return jen.Op("*").Add(t.qual("mlx", "Array"))
	case types.Mask:
		return t.qual("mlx", "AttentionMask")
	case types.Dtype:
		return t.qual("mlx", "Dtype")
	case types.List:
		return jen.Index().Add(t.goType(ty.Elem))
	case types.Tuple:
		if h := ty.Homogeneous(); h != nil {
			return jen.Index().Add(t.goType(h))
		}
		return jen.Any()
	case types.Dict:
		return jen.Map(t.goType(ty.Key)).Add(t.goType(ty.Elem))
	case types.Optional:
		return jen.Op("*").Add(t.goType(ty.Elem))
	case types.Class:
		return jen.Op("*").Id(ty.Name)
	case types.Ext:
		if et, ok := t.tab.Types[ty.Name]; ok {
			return t.render(et.Go, nil, nil)
		}
	}
	return jen.Any()
}

// zero is the Go value of Python's None (or a missing value) for a type.
func (t *translator) zero(ty *types.Type) jen.Code {
	switch ty.Kind {
	case types.Int, types.Float:
		return jen.Lit(0)
	case types.Bool:
		return jen.False()
	case types.Str:
		return jen.Lit("")
	case types.Mask:
		return t.qual("mlx", "NoMask")
	case types.Dtype:
		return t.qual("mlx", "Float32")
	}
	return jen.Nil()
}

// unify is types.Unify that also merges table types sharing a supertype
// (KVCache and RotatingKVCache are both Caches).
func (t *translator) unify(a, b *types.Type) *types.Type {
	if u := types.Unify(a, b); u != nil {
		return u
	}
	if a != nil && b != nil && a.Kind == types.Ext && b.Kind == types.Ext {
		ra, rb := t.root(a.Name), t.root(b.Name)
		if ra == rb {
			return types.ExtT(ra)
		}
	}
	if a != nil && b != nil && a.Kind == types.List && b.Kind == types.List {
		if e := t.unify(a.Elem, b.Elem); e != nil {
			return types.ListOf(e)
		}
	}
	return nil
}

func (t *translator) root(name string) string {
	for {
		et, ok := t.tab.Types[name]
		if !ok || et.Is == "" {
			return name
		}
		name = et.Is
	}
}

// constBool reports a condition whose value the translator knows.
func constBool(v val) (bool, bool) {
	if v.lit == nil {
		return false, false
	}
	switch v.lit.Kind {
	case syntax.ConstTrue:
		return true, true
	case syntax.ConstFalse:
		return false, true
	}
	return false, false
}

// maskAsArray reads a mask that Python code uses as an array (mask.dtype,
// scores + mask): the mask's array, nil for None or "causal".
func (t *translator) maskAsArray(v val) val {
	if v.t.Kind == types.Mask {
		return prim(jen.Add(paren(v, precPrimary)).Dot("Array"), types.TArray)
	}
	return v
}
