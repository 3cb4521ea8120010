package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Dicts keyed by a tuple (longcat_flash_ngram's vocab_mods[(i, j)],
// types/check_dictkey.go): a Go map key must be comparable, so the key
// type is the array [n]T, and a key written as a tuple literal is that
// array's composite literal ([2]int{i, j}) instead of the slice a tuple
// otherwise is.

// dictKeyType is the Go type of a dict's key.
func (t *translator) dictKeyType(k *types.Type) model.Type {
	if k != nil && k.Kind == types.Tuple && len(k.Elems) > 0 {
		if h := k.Homogeneous(); h != nil && h.Kind != types.Unknown {
			return &model.Array{Len: len(k.Elems), Elem: t.goType(h)}
		}
		if mixedScalarTuple(k) {
			return &model.Array{Len: len(k.Elems), Elem: &model.Named{Name: "any"}} // lower_setdefault.go
		}
	}
	return t.goType(k)
}

// dictKey is the Go key expression of d[idx] for a dict keyed by key.
func (t *translator) dictKey(idx syntax.Expr, key *types.Type, en *env) model.Expr {
	at, ok := t.dictKeyType(key).(*model.Array)
	if !ok {
		return t.expr(idx, en).c
	}
	tup, ok := idx.(*syntax.Tuple)
	if !ok || len(tup.Elts) != at.Len {
		t.fail(idx, "dict key", "a tuple key must be written inline as a tuple of %d", at.Len)
		return t.expr(idx, en).c
	}
	h := key.Homogeneous()
	var elts []model.Expr
	for i, e := range tup.Elts {
		if h == nil {
			elts = append(elts, t.coerce(t.expr(e, en), key.Elems[i], e))
			continue
		}
		elts = append(elts, t.coerce(t.expr(e, en), h, e))
	}
	return &model.Composite{Typed: model.Typed{T: key}, Type: at, Elts: elts}
}
