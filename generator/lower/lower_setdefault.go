package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// dict.setdefault and dicts keyed by mixed tuples (types/check_setdefault.go).
// deepseek_v41's sanitize groups expert tensors under (layer, proj) keys,
// an (int, str) tuple: a Go map key must be comparable, so the key type is
// [2]any (ints and strings compare as Python's do for equality), written
// inline as [2]any{layer, proj}; `for (layer, proj), rows in d.items()`
// iterates the keys in Python's tuple order (py.SortedPairKeys: Go maps
// have no insertion order; only the order of errors could differ, and
// generated code is deterministic) and unpacks each key by its element
// types.

// mixedScalarTuple reports a tuple of ints and strs that are not all one
// type (a homogeneous tuple is an [n]T key already).
func mixedScalarTuple(k *types.Type) bool {
	if k == nil || k.Kind != types.Tuple || len(k.Elems) != 2 || k.Homogeneous() != nil {
		return false
	}
	for _, e := range k.Elems {
		if e.Kind != types.Int && e.Kind != types.Str {
			return false
		}
	}
	return true
}

// setDefault is d.setdefault(key, default).
func (t *translator) setDefault(c *syntax.Call, recv val, dt *types.Type, en *env) val {
	k := t.dictKey(c.Args[0], dt.Key, en)
	def := t.coerce(t.expr(c.Args[1], en), dt.Elem, c.Args[1])
	return prim(call(t.qual("py", "SetDefault"), recv.c, k, def), dt.Elem)
}

// pairKeyItems is the loop head of `for (a, b), v in d.items()` over a dict
// keyed by a mixed pair; false for any other loop.
func (t *translator) pairKeyItems(tup *syntax.Tuple, d val, en *env,
	bindName func(e syntax.Expr, ty *types.Type) model.Expr) (loopHead, bool) {
	dt := d.t.Base()
	if tup == nil || len(tup.Elts) != 2 || dt.Kind != types.Dict || !mixedScalarTuple(dt.Key) {
		return nil, false
	}
	inner, ok := tup.Elts[0].(*syntax.Tuple)
	if !ok || len(inner.Elts) != len(dt.Key.Elems) {
		return nil, false
	}
	var parts []model.Expr
	for i, e := range inner.Elts {
		parts = append(parts, bindName(e, dt.Key.Elems[i]))
	}
	v := bindName(tup.Elts[1], dt.Elem)
	return func(b []model.Stmt) model.Stmt {
		var pre []model.Stmt
		for i, p := range parts {
			if !isBlank(p) {
				pre = append(pre, define(p, &model.TypeAssert{X: index(id("k_"), lit(i)), Type: t.goType(dt.Key.Elems[i])}))
			}
		}
		if !isBlank(v) {
			pre = append(pre, define(v, index(d.c, id("k_"))))
		}
		return rangeLoop(id("_"), id("k_"), call(t.qual("py", "SortedPairKeys"), d.c), append(pre, b...))
	}, true
}
