package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Module-level constants (types/check_modconst.go): a literal folds where
// it is read; a tuple, list or dict of literals is a package-level value;
// an array is a package-level py.ModuleArray (a sync.OnceValue) that the
// reads call.

// modConst is the value of a read of a module constant, if sym is one.
func (t *translator) modConst(sym *names.Symbol, n *syntax.Name) (val, bool) {
	if sym.Kind != names.LocalConst || t.scope != t.u.Scope {
		return val{}, false
	}
	mc := t.u.ModConstOf(n.Id)
	if mc == nil {
		return val{}, false
	}
	switch {
	case mc.Lit != nil:
		return t.constant(mc.Lit), true
	case mc.Array:
		return prim(call(id(mc.GoName)), mc.Type), true
	}
	return prim(id(mc.GoName), mc.Type), true
}

// emitModConsts declares the module constants that translated bodies read
// (after those bodies were lowered, so the reads are known).
func (t *translator) emitModConsts() []model.Decl {
	var out []model.Decl
	for _, mc := range t.u.ModuleConsts() {
		saved := t.inst
		t.inst = mc.Inst
		v := t.expr(mc.Value, newEnv(nil, nil, nil))
		t.inst = saved
		if mc.Array {
			out = append(out, &model.VarDecl{Name: mc.GoName,
				Doc: fmt.Sprintf("%s is the module-level array %s, built once per process on first use.", mc.GoName, mc.Name),
				Value: call(t.qual("py", "ModuleArray"), &model.FuncLit{
					Results: []model.Type{t.goType(types.TArray)},
					Body:    []model.Stmt{ret(v.c)}})})
			continue
		}
		out = append(out, &model.VarDecl{Name: mc.GoName, Value: t.coerce(v, mc.Type, mc.Value),
			Doc: fmt.Sprintf("%s is the module-level constant %s (never written).", mc.GoName, mc.Name)})
	}
	return out
}
