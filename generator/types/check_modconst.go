package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Module-level constants. A model file can name values at module level
// that its functions read (deepseek_v41: `_ALIGN = 8`, `_DROP_PREFIXES =
// ("vision.", ...)`, `_EXPERT_PROJ = {"w1": "gate_proj", ...}`, and
// `_FP4_LUT = mx.array([...], dtype=mx.float32)`). A name the module binds
// exactly once, with an assignment whose value reads no name but the
// modules it imports (mx, math), is a constant of the program:
//
//   - a literal (int, float, str, bool, None, a signed number) folds where
//     it is read, like any literal;
//   - a tuple or a dict of literals is a package-level Go value of its
//     checked type; a dict only when the file never stores into it,
//     mutates it or passes it on (check_moduledict.go's onlyReadDict), a
//     list never;
//   - an array (an mx call) is built once per process, lazily, by a
//     package-level sync.OnceValue (py.ModuleArray): no global mutable
//     state two goroutines could race on, and the array is outside every
//     mlx.Scope, as the Python module's array lives as long as the module.

// ModConst is a module-level constant of the unit's file.
type ModConst struct {
	Name   string // the Python name
	GoName string // the Go name of its package-level value (not for a literal)
	Value  syntax.Expr
	Lit    *syntax.Constant // a literal, folded where read
	Type   *Type            // the value's type (checked on first read)
	Array  bool             // an array built once (py.ModuleArray)
	Inst   *Inst            // the recorded value expression, for the lowering
	Read   bool             // some translated body reads it (the lowering emits it)
	Pos    syntax.Pos
	broken bool
}

// ModuleConsts are the module constants translated bodies read, in the
// order of the file.
func (u *Unit) ModuleConsts() []*ModConst {
	var out []*ModConst
	for _, st := range u.File.Body {
		if a, ok := st.(*syntax.Assign); ok && len(a.Targets) == 1 {
			if nm, ok := a.Targets[0].(*syntax.Name); ok {
				if mc := u.modConsts[nm.Id]; mc != nil && mc.Read && mc.Lit == nil && !mc.broken {
					out = append(out, mc)
				}
			}
		}
	}
	return out
}

// modConst is the module constant sym names, or nil.
func (t *checker) modConst(sym *names.Symbol, name string) *ModConst {
	u := t.u
	if sym == nil || sym.Kind != names.LocalConst || t.scope != u.Scope {
		return nil
	}
	if mc, ok := u.modConsts[name]; ok {
		return mc
	}
	if u.modConsts == nil {
		u.modConsts = map[string]*ModConst{}
	}
	u.modConsts[name] = nil
	var value syntax.Expr
	var at syntax.Pos
	var bind *syntax.Assign
	n := 0
	for _, st := range u.File.Body {
		switch a := st.(type) {
		case *syntax.Assign:
			for _, tg := range a.Targets {
				if nm, ok := tg.(*syntax.Name); ok && nm.Id == name {
					n++
					if len(a.Targets) == 1 {
						value, at, bind = a.Value, a.At.P, a
					}
				}
			}
		case *syntax.AnnAssign:
			if nm, ok := a.Target.(*syntax.Name); ok && nm.Id == name {
				n++
			}
		}
	}
	if n != 1 || value == nil || !readsOnlyModules(value, u.Scope) {
		return nil
	}
	switch value.(type) {
	case *syntax.List:
		return nil // mutable, and its methods (append, ...) are many: not a constant
	case *syntax.Dict:
		// Mutable: a constant only if the file never stores into it,
		// mutates it through a method or passes it on (check_moduledict.go).
		if !onlyReadDict(u.File.Body, name, bind) {
			return nil
		}
	}
	mc := &ModConst{Name: name, Value: value, Pos: at, GoName: constGoName(name)}
	if k, ok := value.(*syntax.Constant); ok {
		mc.Lit = k
	} else if k := literalOf(value); k != nil {
		mc.Lit = k
	}
	u.modConsts[name] = mc
	return mc
}

// readsOnlyModules reports an expression that names nothing but imported
// modules (mx.array, mx.float32, math.pi) and builtins of literals.
func readsOnlyModules(e syntax.Expr, scope *names.Scope) bool {
	ok := true
	syntax.Inspect(e, func(x syntax.Expr) bool {
		switch n := x.(type) {
		case *syntax.Attribute:
			if scope.Qualify(n) != "" {
				return false // mx.array, mx.float32: a table name
			}
		case *syntax.Name:
			if s := scope.Symbols[n.Id]; s == nil || s.Kind != names.Module {
				ok = false
			}
		case *syntax.Lambda, *syntax.Comp, *syntax.NamedExpr:
			ok = false
		}
		return ok
	})
	return ok
}

// modConstVal is the value a read of module constant mc has; the first
// read checks (and records) the value expression in the module scope.
func (t *checker) modConstVal(mc *ModConst) Val {
	if mc.Lit != nil {
		return t.constant(mc.Lit)
	}
	if mc.Type == nil {
		mc.Type = TUnknown
		in := newInst(nil, nil)
		prevRec, prevLearn := t.rec, t.learn
		t.rec, t.learn = in, false
		v := t.expr(mc.Value, newEnv(nil, nil, nil))
		t.rec, t.learn = prevRec, prevLearn
		mc.Type, mc.Inst = v.T, in
		mc.Array = v.T.Kind == Array
		if v.T.Kind == Unknown {
			mc.broken = true
		}
	}
	if t.frozen && !t.learn {
		mc.Read = true
	}
	return tv(mc.Type)
}

// ModConstOf is the module constant of the file named name that the
// checker resolved, or nil.
func (u *Unit) ModConstOf(name string) *ModConst {
	if mc := u.modConsts[name]; mc != nil && !mc.broken {
		return mc
	}
	return nil
}

// constGoName is the Go name of a module constant: _FP4_LUT is fp4Lut
// (SCREAMING_CASE is Python's spelling of a constant, not an acronym).
func constGoName(py string) string {
	s := strings.Trim(py, "_")
	if strings.ToUpper(s) == s {
		s = strings.ToLower(s)
	}
	return names.GoLocal(s)
}
