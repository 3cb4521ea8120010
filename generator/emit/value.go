package emit

import (
	"regexp"
	"sort"
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
	superFrom *classInfo // the class whose super() calls resolve here (inlined base bodies)
	vars      map[string]*types.Type
	goName    map[string]string
	cls       *classInfo
	fn        *funcInfo
	parent    *env

	// Function-level bookkeeping (root env only): how often each local is
	// assigned and the literal of its last assignment, and the locals known
	// to hold one literal for the whole function (folded, never declared).
	assigns map[string]int
	lits    map[string]*syntax.Constant
	consts  map[string]*syntax.Constant
}

func (e *env) root() *env {
	for e.parent != nil {
		e = e.parent
	}
	return e
}

func newEnv(cls *classInfo, fn *funcInfo, parent *env) *env {
	e := &env{vars: map[string]*types.Type{}, goName: map[string]string{}, cls: cls, fn: fn, parent: parent,
		assigns: map[string]int{}, lits: map[string]*syntax.Constant{}}
	if parent != nil {
		e.superFrom = parent.superFrom
	}
	return e
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
	case types.Iface:
		call := t.ifaceCall(ty)
		var ps []jen.Code
		for _, p := range call.params {
			ps = append(ps, t.goType(p.typ))
		}
		var rs []jen.Code
		if call.ret != nil && call.ret.Kind != types.None && call.ret.Kind != types.Unknown {
			rs = []jen.Code{t.goType(call.ret)}
		}
		return jen.Interface(jen.Id("Forward").Params(ps...).Params(rs...))
	case types.Ext:
		if et, ok := t.tab.Types[ty.Name]; ok {
			return t.render(et.Go, nil, nil)
		}
	case types.Func:
		// A function value (a nested def returned by its factory, such as
		// minimax's sharded_rms_norm): its Go signature.
		fn := t.byFunc[ty.Name]
		if fn == nil {
			fn = t.nested[ty.Name]
		}
		if fn != nil {
			var ps []jen.Code
			for _, p := range fn.params {
				ps = append(ps, t.goType(p.typ))
			}
			var rs []jen.Code
			switch {
			case fn.ret == nil || fn.ret.Kind == types.None || fn.ret.Kind == types.Unknown:
			case fn.ret.Kind == types.Tuple:
				for _, e := range fn.ret.Elems {
					rs = append(rs, t.goType(e))
				}
			default:
				rs = []jen.Code{t.goType(fn.ret)}
			}
			return jen.Func().Params(ps...).Params(rs...)
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
	if u := t.unifyClasses(a, b); u != nil {
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

// unifyClasses merges module classes assigned to the same field (self.mlp =
// MoE(...) if sparse else MLP(...)) into an interface of their common
// __call__, when their __call__ signatures agree.
func (t *translator) unifyClasses(a, b *types.Type) *types.Type {
	if a == nil || b == nil {
		return nil
	}
	members := func(x *types.Type) []*types.Type {
		switch x.Kind {
		case types.Class:
			return []*types.Type{x}
		case types.Iface:
			return x.Elems
		}
		return nil
	}
	ma, mb := members(a), members(b)
	if ma == nil || mb == nil {
		return nil
	}
	all := append(append([]*types.Type{}, ma...), mb...)
	var out []*types.Type
	seen := map[string]bool{}
	var sig *funcInfo
	for _, m := range all {
		if seen[m.Name] {
			continue
		}
		seen[m.Name] = true
		cls := t.byClass[m.Name]
		if cls == nil || cls.byMeth["__call__"] == nil {
			return nil
		}
		call := cls.byMeth["__call__"]
		if sig == nil {
			sig = call
		} else if len(call.params) != len(sig.params) {
			return nil
		}
		out = append(out, m)
	}
	if len(out) == 1 {
		return out[0]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return &types.Type{Kind: types.Iface, Elems: out}
}

// ifaceCall is the __call__ that stands for an interface of classes.
func (t *translator) ifaceCall(ty *types.Type) *funcInfo {
	return t.byClass[ty.Elems[0].Name].byMeth["__call__"]
}
