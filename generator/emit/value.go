package emit

import (
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/names"
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

// of is an expression's code with its recorded type and literal.
func of(c jen.Code, v types.Val) val {
	return val{c: c, t: v.T, prec: precPrimary, lit: v.Lit, multi: v.Multi}
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

// env is the scope of a body being lowered: its locals' types (the
// checker's, updated as the lowering passes assignments that bind a new
// version) and their Go names.
type env struct {
	superFrom *types.Class // the class whose super() calls resolve here (inlined base bodies)
	vars      map[*names.Symbol]*types.Type
	goName    map[*names.Symbol]string
	cls       *types.Class
	fn        *types.Func
	parent    *env

	// Root env only: the locals known to hold one literal for the whole
	// body (folded, never declared).
	consts map[*names.Symbol]*syntax.Constant
}

func (e *env) root() *env {
	for e.parent != nil {
		e = e.parent
	}
	return e
}

func newEnv(cls *types.Class, fn *types.Func, parent *env) *env {
	e := &env{vars: map[*names.Symbol]*types.Type{}, goName: map[*names.Symbol]string{}, cls: cls, fn: fn, parent: parent}
	if parent != nil {
		e.superFrom = parent.superFrom
	}
	return e
}

func (e *env) lookup(s *names.Symbol) (*types.Type, string, bool) {
	if s == nil {
		return nil, "", false
	}
	for x := e; x != nil; x = x.parent {
		if t, ok := x.vars[s]; ok {
			g := x.goName[s]
			if g == "" {
				g = names.GoLocal(s.Name)
			}
			return t, g, true
		}
	}
	return nil, "", false
}

// lookupName finds a local by its Python name (for the declarations the
// plan places by name), innermost first.
func (e *env) lookupName(name string) (*types.Type, string, bool) {
	for x := e; x != nil; x = x.parent {
		for s := range x.vars {
			if s.Name == name {
				return x.lookup(s)
			}
		}
	}
	return nil, "", false
}

// bound reports whether a Python name is bound in the env chain (for
// choosing a Go name that no local uses).
func (e *env) bound(name string) bool {
	for x := e; x != nil; x = x.parent {
		for s := range x.vars {
			if s.Name == name {
				return true
			}
		}
	}
	return false
}

// sym is the symbol of a Name node of the body being lowered.
func (t *translator) sym(n *syntax.Name, en *env) *names.Symbol {
	if s := t.scope.Use(n); s != nil {
		return s
	}
	for x := en; x != nil; x = x.parent {
		for s := range x.vars {
			if s.Name == n.Id {
				return s
			}
		}
	}
	return t.scope.Lookup(n.Id)
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
	case types.ClassK:
		return jen.Op("*").Id(ty.Name)
	case types.Iface:
		call := t.ifaceCall(ty)
		var ps []jen.Code
		for _, p := range call.Params {
			ps = append(ps, t.goType(p.Type))
		}
		var rs []jen.Code
		if call.Ret != nil && call.Ret.Kind != types.None && call.Ret.Kind != types.Unknown {
			rs = []jen.Code{t.goType(call.Ret)}
		}
		return jen.Interface(jen.Id("Forward").Params(ps...).Params(rs...))
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

// unify is the unit's unification (table supertypes, module interfaces).
func (t *translator) unify(a, b *types.Type) *types.Type { return t.u.UnifyIn(t.tab, a, b) }

func (t *translator) root(name string) string { return t.tab.Root(name) }

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

// ifaceCall is the __call__ that stands for an interface of classes.
func (t *translator) ifaceCall(ty *types.Type) *types.Func { return t.u.IfaceCall(ty) }
