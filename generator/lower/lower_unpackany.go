package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// unpackTyped is `a, b = xs` where xs is held in Go as a []any (a list of
// heterogeneous tuples, gemma4_text's intermediates of (kvs, offset)) but
// the names have typed Go variables: py.UnpackAs2[A, B](xs) checks the
// length as Unpack2 does and gives each element as its name's type (None as
// the zero value). nil when the plain Unpack fits.
func (t *translator) unpackTyped(tg *syntax.Tuple, single val, en *env) model.Expr {
	st := single.t.Base()
	var elem *types.Type
	switch st.Kind {
	case types.List:
		elem = st.Elem
	case types.Tuple:
		elem = st.Homogeneous()
	}
	if elem == nil {
		return nil
	}
	if g, ok := t.goType(elem).(*model.Named); !ok || g.Name != "any" {
		return nil
	}
	fn := map[int]string{2: "UnpackAs2", 3: "UnpackAs3", 4: "UnpackAs4", 5: "UnpackAs5"}[len(tg.Elts)]
	var targs []model.Type
	typed := false
	for _, e := range tg.Elts {
		nm := e.(*syntax.Name)
		ty, _, _ := en.lookup(t.sym(nm, en))
		if ty == nil {
			ty = types.TAny
		}
		gt := t.goType(ty)
		if g, ok := gt.(*model.Named); !ok || g.Name != "any" {
			typed = true
		}
		targs = append(targs, gt)
	}
	if !typed || fn == "" {
		return nil
	}
	return &model.Call{Fun: t.qual("py", fn), TypeArgs: targs, Args: []model.Expr{single.c}}
}
