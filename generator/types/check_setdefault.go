package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// dict.setdefault(key, default): the value stored under key, after storing
// default there when there was none. It is how a file groups entries in
// nested dicts that start empty (deepseek_v41's sanitize:
// `rows = experts.setdefault((layer, proj), {})` then
// `rows.setdefault(index, {})[kind] = value`), so the call also teaches the
// dict its types, as an item store does (check_dictkey.go): the key's type
// from the key, the value's type from the default, from the type the
// result is assigned at (the previous round's type of `rows`) and from an
// item store into the result. The lowering is py.SetDefault; a Go map
// value is a reference as a Python dict is, so stores through the result
// reach the outer dict.

// setDefault checks d.setdefault(key, default) on a dict of type dt whose
// receiver expression is recv; hint is the type the result is assigned at.
func (t *checker) setDefault(c *syntax.Call, recv syntax.Expr, dt *Type, en *env) Val {
	if len(c.Args) != 2 || len(c.Keywords) != 0 {
		return t.bad()
	}
	hint := t.hint
	t.hint = nil
	k := t.storedKey(c.Args[0], en, t.expr(c.Args[0], en).T)
	t.hint = dt.Elem
	d := t.expr(c.Args[1], en).T
	t.hint = nil
	elem := dt.Elem
	for _, ty := range []*Type{d, hint} {
		if ty == nil || ty.Kind == Unknown {
			continue
		}
		if elem == nil || elem.Kind == Unknown || dictUnknownElem(elem) {
			elem = ty
		} else if un := t.unify(elem, ty); un != nil {
			elem = un
		}
	}
	key := dt.Key
	if key == nil || key.Kind == Unknown || dt.Elem == nil || dt.Elem.Kind == Unknown || dictUnknownElem(dt.Elem) {
		key = k // the dict started as {}: its keys are what is stored
	}
	if t.learn && (!key.Equal(dt.Key) || !elem.Equal(dt.Elem)) {
		t.setType(recv, DictOf(key, elem), en)
	}
	return tv(elem)
}

// dictUnknownElem reports a dict type whose value type is not known yet
// (the {} a setdefault default starts as).
func dictUnknownElem(ty *Type) bool {
	b := ty.Base()
	return b.Kind == Dict && (b.Elem == nil || b.Elem.Kind == Unknown)
}

// learnSetDefaultStore teaches the receiver of d.setdefault(k, {}) its
// value type from an item store into the result,
// `d.setdefault(k, {})[kind] = value`.
func (t *checker) learnSetDefaultStore(s *syntax.Subscript, v Val, en *env) {
	c, ok := s.X.(*syntax.Call)
	if !ok || !t.learn {
		return
	}
	f, ok := c.Func.(*syntax.Attribute)
	if !ok || f.Attr != "setdefault" || len(c.Args) != 2 {
		return
	}
	outer := t.expr(f.X, en).T.Base()
	if outer.Kind != Dict || !(outer.Elem == nil || outer.Elem.Kind == Unknown || dictUnknownElem(outer.Elem)) {
		return
	}
	inner := DictOf(t.storedKey(s.Index[0], en, t.expr(s.Index[0], en).T), v.T)
	key := t.storedKey(c.Args[0], en, t.expr(c.Args[0], en).T)
	rows := DictOf(key, inner)
	t.setType(f.X, rows, en)
	// rows = experts.setdefault(k, {}): the dict rows is stored in holds it.
	if n, ok := f.X.(*syntax.Name); ok {
		if o := t.sdAlias[t.sym(n, en)]; o != nil {
			if ot := t.expr(o, en).T.Base(); ot.Kind == Dict {
				t.setType(o, DictOf(ot.Key, rows), en)
			}
		}
	}
}

// noteSetDefaultAlias records that local n is assigned the result of
// d.setdefault(...) on a local dict d: n is then an entry of d, and what
// n learns its entries are, d learns too (learnSetDefaultStore).
func (t *checker) noteSetDefaultAlias(n *syntax.Name, value syntax.Expr, en *env) {
	c, ok := value.(*syntax.Call)
	if !ok || !t.learn {
		return
	}
	f, ok := c.Func.(*syntax.Attribute)
	if !ok || f.Attr != "setdefault" {
		return
	}
	if d, ok := f.X.(*syntax.Name); ok {
		if t.sdAlias == nil {
			t.sdAlias = map[*names.Symbol]*syntax.Name{}
		}
		t.sdAlias[t.sym(n, en)] = d
	}
}
