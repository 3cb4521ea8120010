package types

import "github.com/hf2go/hf2go/generator/syntax"

// The key type of a dict built from an empty literal.
//
// `{}` is a Dict[str, ?] until the code stores into it; longcat_flash_ngram's
// NgramEmbedding keys one by int (`shifted_ids[i] = ...`) and one by a pair
// of ints (`vocab_mods[(i, j)] = mods`). The first store gives the key type
// as well as the value type: an int, or a tuple of ints or strs of fixed
// length (a Go array [n]T, which is comparable: lower/lower_dictkey.go).
// Any other key (a str, an unknown) keeps str.

// storedKey is the key type a first store d[idx] = v gives a `{}` dict.
func (t *checker) storedKey(idx syntax.Expr, en *env, def *Type) *Type {
	k := t.expr(idx, en).T
	switch {
	case k.Kind == Int:
		return TInt
	case k.Kind == Tuple && len(k.Elems) > 0:
		if h := k.Homogeneous(); h != nil && (h.Kind == Int || h.Kind == Str) {
			return k
		}
	}
	return def
}
