package lower

import (
	"regexp"
	"strings"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// val is a translated expression: its Go code, its Python type, and the Go
// precedence of its outermost operator (so parentheses appear only where Go
// needs them).
type val struct {
	c     model.Expr
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

func prim(c model.Expr, t *types.Type) val { return val{c: c, t: t, prec: precPrimary} }

// paren wraps v when its operator binds looser than p.
func paren(v val, p int) model.Expr {
	if v.prec < p {
		return &model.Paren{Typed: typed(v.c), X: v.c}
	}
	return v.c
}

// typed is the Python type an expression carries (nil for none).
func typed(e model.Expr) model.Typed {
	if e == nil {
		return model.Typed{}
	}
	return model.Typed{T: e.PyType()}
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

// render expands a table template: its text, the package names it uses,
// args in place of {p} (nil for a missing one) and spread for {p...}.
func (t *translator) render(tmpl string, args map[string]model.Expr, spread map[string][]model.Expr) *model.Template {
	return &model.Template{Parts: t.renderParts(tmpl, args, spread)}
}

func (t *translator) renderParts(tmpl string, args map[string]model.Expr, spread map[string][]model.Expr) []model.Part {
	var parts []model.Part
	last := 0
	for _, m := range tmplToken.FindAllStringIndex(tmpl, -1) {
		if m[0] > last {
			parts = append(parts, model.Part{Text: tmpl[last:m[0]]})
		}
		tok := tmpl[m[0]:m[1]]
		switch {
		case strings.HasPrefix(tok, "{") && strings.HasSuffix(tok, "...}"):
			name := tok[1 : len(tok)-4]
			parts = append(parts, model.Part{Arg: true, Args: spread[name]})
		case strings.HasPrefix(tok, "{"):
			name := tok[1 : len(tok)-1]
			c, ok := args[name]
			if !ok || c == nil {
				c = nilLit()
			}
			parts = append(parts, model.Part{Arg: true, Args: []model.Expr{c}})
		default:
			pkg, id, _ := strings.Cut(tok, ".")
			if _, ok := t.tab.Imports[pkg]; ok {
				parts = append(parts, model.Part{Pkg: pkg, Name: id})
			} else {
				parts = append(parts, model.Part{Text: tok})
			}
		}
		last = m[1]
	}
	if last < len(tmpl) {
		parts = append(parts, model.Part{Text: tmpl[last:]})
	}
	return parts
}

// qual is a qualified Go name of one of the table's imports.
func (t *translator) qual(pkg, name string) *model.Qual { return &model.Qual{Pkg: pkg, Name: name} }

// goType is the Go type of a Python type.
func (t *translator) goType(ty *types.Type) model.Type {
	switch ty.Kind {
	case types.Int:
		return &model.Named{Name: "int"}
	case types.Float:
		return &model.Named{Name: "float64"}
	case types.Bool:
		return &model.Named{Name: "bool"}
	case types.Str:
		return &model.Named{Name: "string"}
	case types.AnyK, types.Unknown, types.None, types.Union:
		return &model.Named{Name: "any"}
	case types.Array:
		return &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}
	case types.Mask:
		return &model.QualType{Pkg: "mlx", Name: "AttentionMask"}
	case types.Dtype:
		return &model.QualType{Pkg: "mlx", Name: "Dtype"}
	case types.List:
		return &model.Slice{Elem: t.goType(ty.Elem)}
	case types.Tuple:
		if ty.IsModuleList() {
			return &model.Slice{Elem: &model.Named{Name: "any"}} // lower_modlist.go
		}
		if h := ty.Homogeneous(); h != nil {
			return &model.Slice{Elem: t.goType(h)}
		}
		return &model.Named{Name: "any"}
	case types.Dict:
		return &model.Map{Key: t.dictKeyType(ty.Key), Elem: t.goType(ty.Elem)} // lower_dictkey.go
	case types.Optional:
		return &model.Ptr{Elem: t.goType(ty.Elem)}
	case types.ClassK:
		return &model.Ptr{Elem: &model.Named{Name: ty.Name}}
	case types.Iface:
		if types.IsDynIface(ty) {
			return &model.Named{Name: "any"} // check_dyniface.go
		}
		call := t.ifaceCall(ty)
		it := &model.Interface{Method: "Forward"}
		for _, p := range call.Params {
			it.Params = append(it.Params, t.goType(p.Type))
		}
		if call.Ret != nil && call.Ret.Kind != types.None && call.Ret.Kind != types.Unknown {
			it.Results = []model.Type{t.goType(call.Ret)}
		}
		for _, m := range t.u.IfaceMethods(ty) {
			// Methods the unit calls on the interface (types/iface_methods.go).
			im := model.InterfaceMethod{Name: m.GoName}
			for _, p := range m.Params {
				im.Params = append(im.Params, t.goType(p.Type))
			}
			if m.Ret != nil && m.Ret.Kind != types.None && m.Ret.Kind != types.Unknown {
				im.Results = []model.Type{t.goType(m.Ret)}
			}
			it.More = append(it.More, im)
		}
		return it
	case types.Ext:
		if et, ok := t.tab.Types[ty.Name]; ok {
			return &model.TemplateType{Parts: t.renderParts(et.Go, nil, nil)}
		}
	case types.FuncK:
		// A function value (a nested def returned by its factory, such as
		// minimax's sharded_rms_norm): its Go signature.
		fn := t.u.ByFunc[ty.Name]
		if fn == nil {
			fn = t.u.Nested[ty.Name]
		}
		if fn != nil {
			ft := &model.FuncType{}
			for _, p := range fn.Params {
				ft.Params = append(ft.Params, t.goType(p.Type))
			}
			switch {
			case fn.Ret == nil || fn.Ret.Kind == types.None || fn.Ret.Kind == types.Unknown:
			case fn.Ret.Kind == types.Tuple:
				for _, e := range fn.Ret.Elems {
					ft.Results = append(ft.Results, t.goType(e))
				}
			default:
				ft.Results = []model.Type{t.goType(fn.Ret)}
			}
			return ft
		}
	}
	return &model.Named{Name: "any"}
}

// zero is the Go value of Python's None (or a missing value) for a type.
func (t *translator) zero(ty *types.Type) model.Expr {
	switch ty.Kind {
	case types.Int, types.Float:
		return lit(0)
	case types.Bool:
		return lit(false)
	case types.Str:
		return lit("")
	case types.Mask:
		return t.qual("mlx", "NoMask")
	case types.Dtype:
		return t.qual("mlx", "Float32")
	}
	return nilLit()
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
		return prim(sel(paren(v, precPrimary), "Array"), types.TArray)
	}
	return v
}

// ifaceCall is the __call__ that stands for an interface of classes.
func (t *translator) ifaceCall(ty *types.Type) *types.Func { return t.u.IfaceCall(ty) }

// ---- model constructors ----

func id(name string) *model.Ident                  { return &model.Ident{Name: name} }
func lit(v any) *model.Lit                         { return &model.Lit{Value: v} }
func nilLit() *model.Lit                           { return &model.Lit{} }
func rawLit(text string) *model.Lit                { return &model.Lit{Text: text} }
func sel(x model.Expr, name string) *model.Sel     { return &model.Sel{X: x, Name: name} }
func bin(op string, l, r model.Expr) *model.Binary { return &model.Binary{Op: op, L: l, R: r} }
func un(op string, x model.Expr) *model.Unary      { return &model.Unary{Op: op, X: x} }
func par(x model.Expr) *model.Paren                { return &model.Paren{X: x} }
func index(x, i model.Expr) *model.Index           { return &model.Index{X: x, Index: i} }
func named(name string) *model.Named               { return &model.Named{Name: name} }
func conv(to string, x model.Expr) *model.Conv     { return &model.Conv{To: named(to), X: x} }

func call(fun model.Expr, args ...model.Expr) *model.Call {
	return &model.Call{Fun: fun, Args: args}
}

func typeCall(fun model.Expr, typeArg model.Type, args ...model.Expr) *model.Call {
	return &model.Call{Fun: fun, TypeArgs: []model.Type{typeArg}, Args: args}
}

// closure is func() T { body }() — a Go expression that runs statements,
// keeping Python's evaluation order and laziness.
func closure(res model.Type, body ...model.Stmt) *model.Call {
	return call(&model.FuncLit{Results: []model.Type{res}, Body: body})
}

func ret(xs ...model.Expr) *model.Return  { return &model.Return{Results: xs} }
func exprs(xs ...model.Expr) []model.Expr { return xs }

// superClass is the class whose bases a call in this body refers to: the
// class of the inlined base body being translated, else the env's class.
func (e *env) superClass() *types.Class {
	if e.superFrom != nil {
		return e.superFrom
	}
	return e.cls
}
