package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// One layer's cache passed where a function takes a list of caches.
//
// A `cache` parameter that a function indexes by a computed position is
// typed as a list of caches (types.listCacheParams). When the caller hands
// it one layer's cache, as longcat_flash's model does (`for layer, c in
// zip(self.layers, cache): layer(h, mask, cache=c)`, make_cache giving each
// layer a CacheList(KVCache(), KVCache())), the value is a CacheList and the
// callee's `cache[i]` are its members: py.CacheMembers gives them as the
// list (None stays None, Python's TypeError for a class that is no
// sequence). The callee's own stand-in for no caches, `cache = (None,
// None)`, is then that many nil caches.

// cacheAsMembers converts a cache value v where the list type to is
// expected.
func (t *translator) cacheAsMembers(v val, to *types.Type, n syntax.Node) (model.Expr, bool) {
	from := v.t.Base()
	if to.Kind != types.List || to.Elem.Kind != types.Ext || t.root(to.Elem.Name) != "Cache" {
		return nil, false
	}
	if types.NoneSeq(from) {
		size := -1
		switch x := n.(type) {
		case *syntax.List:
			size = len(x.Elts)
		case *syntax.Tuple:
			size = len(x.Elts)
		}
		if size < 0 {
			return nil, false
		}
		return typeCall(t.qual("py", "Repeat"), t.goType(to.Elem), nilLit(), lit(size)), true
	}
	if from.Kind != types.Ext || t.root(from.Name) != "Cache" {
		return nil, false
	}
	c := v.c
	if types.IsSlot(from) {
		c = call(t.qual("py", "AsCache"), c)
	}
	return call(t.qual("py", "CacheMembers"), c), true
}

// noneListAsCache translates `[None] * n` that the checker typed as one
// layer's cache (types/check_cachelists.go): a cache of n empty entries.
func (t *translator) noneListAsCache(b *syntax.BinOp, n val) (val, bool) {
	ty := t.val(b).T
	if ty == nil || ty.Kind != types.Ext || types.IsSlot(ty) || t.root(ty.Name) != "Cache" {
		return val{}, false
	}
	return prim(call(t.qual("py", "NoneSlots"), n.c), ty), true
}

// assignNegativeItem translates xs[-k] = v on a list (deepseek_v32's
// `shape[-1] = kv_latent.shape[2]`): Python counts from the end, Go's index
// would not compile, so py.SetAt.
func (t *translator) assignNegativeItem(s *syntax.Subscript, x, i, v val, value syntax.Expr) ([]model.Stmt, bool) {
	u, ok := s.Index[0].(*syntax.UnaryOp)
	if !ok || u.Op != "-" {
		return nil, false
	}
	if c, ok := u.X.(*syntax.Constant); !ok || c.Kind != syntax.ConstInt {
		return nil, false
	}
	args := []model.Expr{x.c, t.coerce(i, types.TInt, s.Index[0]), t.coerce(v, x.t.Elem, value)}
	if !v.t.Equal(x.t.Elem) {
		// A value of another Go type than the list's elements (a
		// ConcatenateKVCache into a list of caches, afm7): the element
		// type given, as Go's inference would take the value's.
		return []model.Stmt{exprStmt(typeCall(t.qual("py", "SetAt"), t.goType(x.t.Elem), args...))}, true
	}
	return []model.Stmt{exprStmt(call(t.qual("py", "SetAt"), args...))}, true
}
