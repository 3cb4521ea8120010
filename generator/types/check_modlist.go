package types

import (
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/generator/syntax"
)

// Lists of modules of different types. mlx-lm builds small pipelines as a
// Python list of layers (rwkv7's LoRA: `self.lora = [nn.Linear(...),
// self.activation, nn.Linear(...)]`) and calls them by constant index
// (`self.lora[2](self.lora[1](self.lora[0](x)))`). mlx's Module tree holds
// the list's members under their indices (lora.0.weight, lora.2.bias), so
// Go keeps it a slice — of any, since the members' types differ — and each
// constant-index read asserts the member's type. The type is a Tuple of the
// members' types marked ModuleList (Python's list, not a tuple value).

// ModuleList is the Name of a Tuple type that is a list of modules of
// different types.
const ModuleList = "modules"

// ModuleListOf is the type of a list of modules of the given types.
func ModuleListOf(ts ...*Type) *Type { return &Type{Kind: Tuple, Elems: ts, Name: ModuleList} }

// IsModuleList reports whether t is a list of modules of different types.
func (t *Type) IsModuleList() bool { return t != nil && t.Kind == Tuple && t.Name == ModuleList }

// ModuleLike reports whether a value of type ty is a module a list of
// modules can hold: a class of the unit, an interface of classes, or a
// callable type of the API table (a layer, an activation).
func (tab *Table) ModuleLike(ty *Type) bool {
	switch ty.Kind {
	case ClassK, Iface:
		return true
	case Ext:
		et := tab.Types[ty.Name]
		return et != nil && et.Call != nil
	}
	return false
}

// ModuleListIndex is the member a constant index reads (Python's negative
// indices count from the end), or false when it is out of range.
func ModuleListIndex(lt *Type, k *syntax.Constant) (int, bool) {
	if k == nil || k.Kind != syntax.ConstInt {
		return 0, false
	}
	i, ok := intLit(k)
	if !ok {
		return 0, false
	}
	if i < 0 {
		i += len(lt.Elems)
	}
	if i < 0 || i >= len(lt.Elems) {
		return 0, false
	}
	return i, true
}

// moduleList types a list display whose members do not unify: a list of
// modules when every member is one, else nothing.
func (t *checker) moduleList(elts []syntax.Expr, vs []Val, en *env) (Val, bool) {
	var ts []*Type
	for i, e := range elts {
		if _, ok := e.(*syntax.Starred); ok {
			return Val{}, false
		}
		var v Val
		if i < len(vs) {
			v = vs[i]
		} else {
			v = t.expr(e, en)
		}
		if !t.tab.ModuleLike(v.T) {
			return Val{}, false
		}
		ts = append(ts, v.T)
	}
	return tv(ModuleListOf(ts...)), true
}

func intLit(k *syntax.Constant) (int, bool) {
	n, err := strconv.ParseInt(strings.ReplaceAll(strings.ToLower(k.Value), "_", ""), 0, 64)
	return int(n), err == nil
}
