package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// splatDict is a dict literal with ** entries (types/check_dictsplat.go): a
// closure that fills a new map entry by entry, in the literal's order.
func (t *translator) splatDict(d *syntax.Dict, en *env) val {
	dt := t.val(d).T
	if dt == nil || dt.Kind != types.Dict {
		return t.bad(d, "dict", "**splat of a value that is not a dict")
	}
	out := id("splatOut")
	body := []model.Stmt{define(out, &model.Composite{Type: t.goType(dt)})}
	for i := range d.Keys {
		v := t.expr(d.Values[i], en)
		if d.Keys[i] != nil {
			k := t.expr(d.Keys[i], en)
			body = append(body, assign(&model.Index{X: out, Index: k.c}, t.coerce(v, dt.Elem, d.Values[i])))
			continue
		}
		if b := v.t.Base(); b.Kind == types.Dict && !b.Elem.Equal(dt.Elem) && dt.Elem.Kind != types.AnyK {
			return t.bad(d.Values[i], "dict", "**splat of a %s into a %s", v.t, dt)
		}
		src := v.c
		if v.t.Base().Kind == types.AnyK {
			src = call(t.qual("py", "Dict"), v.c)
		}
		body = append(body, &model.For{Range: true, Key: id("splatK"), Value: id("splatV"), Over: src,
			Body: []model.Stmt{assign(&model.Index{X: out, Index: id("splatK")}, id("splatV"))}})
	}
	body = append(body, ret(out))
	return prim(closure(t.goType(dt), body...), dt)
}
