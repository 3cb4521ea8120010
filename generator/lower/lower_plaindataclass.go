package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// plainCtor lowers a plain dataclass's constructor (types/check_plaindataclass.go):
// Cls(a=x, b=y) is py.Dataclass(NewCls(), map[string]any{"a": x, "b": y}),
// Cls(**d) is py.Dataclass(NewCls(), d): defaults first, the keywords by
// field name (an unknown one is Python's TypeError), then __post_init__.
func (t *translator) plainCtor(c *syntax.Call, cls *types.Class, en *env) val {
	if len(c.Args) > 0 {
		return t.bad(c, "dataclass "+cls.Def.Name, "positional arguments are not supported")
	}
	ctor := func(kw model.Expr) val {
		return prim(call(t.qual("py", "Dataclass"), call(id("New"+cls.Name)), kw), types.ClassT(cls.Name))
	}
	dictT := types.DictOf(types.TStr, types.TAny)
	if len(c.Keywords) == 1 && c.Keywords[0].Name == "" {
		v := t.expr(c.Keywords[0].Value, en)
		return ctor(t.coerce(v, dictT, c.Keywords[0].Value))
	}
	var kvs []model.Expr
	for _, k := range c.Keywords {
		if k.Name == "" {
			return t.bad(c, "dataclass "+cls.Def.Name, "**splat next to other keywords is not supported")
		}
		f := cls.ByName[k.Name]
		if f == nil || f.ClassAttr {
			return t.bad(c, "dataclass "+cls.Def.Name, "unexpected keyword argument %q (a Python TypeError)", k.Name)
		}
		kvs = append(kvs, &model.KeyValue{Key: lit(k.Name), Value: t.coerce(t.expr(k.Value, en), f.Type, k.Value)})
	}
	return ctor(&model.Composite{Type: t.goType(dictT), Elts: kvs})
}
