package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/types"
)

// The registration of a model with its own cache class
// (types/check_localcache.go): MakeCache wraps the instances make_cache
// returns in py.LocalCache (a cache.Cache through the class's protocol
// methods), Forward unwraps the caches it is given.

func (t *translator) localCacheType(c *types.Class) model.Type {
	return &model.Ptr{Elem: named(c.Name)}
}

// unwrapLocalCaches is py.UnwrapCaches[*C](caches).
func (t *translator) unwrapLocalCaches(c *types.Class) model.Expr {
	return typeCall(t.qual("py", "UnwrapCaches"), t.localCacheType(c), id("caches"))
}

// wrapLocalCaches is py.WrapCaches(made, &py.LocalCacheOps[*C]{...}) with
// the protocol methods the class has.
func (t *translator) wrapLocalCaches(c *types.Class, made model.Expr) model.Expr {
	opsT := &model.QualType{Pkg: "py", Name: "LocalCacheOps", TypeArgs: []model.Type{t.localCacheType(c)}}
	elts := []model.Expr{&model.KeyValue{Key: id("Name"), Value: lit(c.Def.Name)}}
	for _, m := range []struct{ py, key string }{{"state", "State"}, {"is_trimmable", "IsTrimmable"}, {"empty", "Empty"}, {"nbytes", "Nbytes"}} {
		f := c.ByMeth[m.py]
		if f == nil || f.Skipped != "" {
			continue
		}
		var v model.Expr = sel(par(un("*", id(c.Name))), f.GoName)
		if r := f.Ret; m.py == "state" && r != nil && r.Kind == types.Tuple {
			// A state tuple of n arrays is n Go results: collect them.
			var names []model.Expr
			for i := range r.Elems {
				names = append(names, id(fmt.Sprintf("s%d", i)))
			}
			arr := &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}
			v = &model.FuncLit{Params: []*model.Param{{Name: "c", Type: t.localCacheType(c)}}, Results: []model.Type{&model.Slice{Elem: arr}},
				Body: []model.Stmt{
					&model.Define{Lhs: names, Rhs: []model.Expr{call(sel(id("c"), f.GoName))}},
					ret(&model.Composite{Type: &model.Slice{Elem: arr}, Elts: names}),
				}}
		}
		elts = append(elts, &model.KeyValue{Key: id(m.key), Value: v})
	}
	return call(t.qual("py", "WrapCaches"), made, un("&", &model.Composite{Type: opsT, Elts: elts}))
}
