package types

import "github.com/hf2go/hf2go/generator/syntax"

// Indexing table types, and the value a per-layer cache gives.
//
// Recurrent and hybrid models index their caches: an ArraysCache holds the
// conv and recurrent states (`cache[0]`, `cache[1] = state`), a CacheList
// holds one layer's caches (`cache[0]` is an ArraysCache, `cache[1]` a
// KVCache). Which class a layer gets is decided at run time by make_cache,
// so the static type of `cache[i]` is a CacheSlot (api.yaml): a value that
// is an array or a cache, narrowed where it is used. Unification resolves
// it: a local assigned `cache[0]` in one branch and `mx.zeros(...)` in the
// other is an array; a slot passed where a cache is expected is a cache.
//
// Models also stand a list or tuple of Nones where a layer's cache goes
// (`cache = [None, None]`, `[(None, None)] * len(self.layers)`): such a
// literal unifies with the caches, as a cache of empty entries.

// SlotType is the name of the table type of a cache entry.
const SlotType = "CacheSlot"

// ExtItem returns the table method that implements x[i] (getitem) or
// x[i] = v (setitem) on a value of table type ty, if any.
func (t *Table) ExtItem(ty *Type, setitem bool) *Sig {
	ty = ty.Base()
	if ty.Kind != Ext {
		return nil
	}
	et := t.Types[ty.Name]
	if et == nil {
		return nil
	}
	name := "__getitem__"
	if setitem {
		name = "__setitem__"
	}
	return et.Methods[name]
}

// ItemCall is the call a subscript of a table type stands for: the index
// expressions as the method's arguments (one node per subscript, shared by
// the phases so that each argument is recorded once).
func (u *Unit) ItemCall(s *syntax.Subscript, value syntax.Expr) *syntax.Call {
	if u.items == nil {
		u.items = map[*syntax.Subscript]*syntax.Call{}
	}
	if c, ok := u.items[s]; ok {
		return c
	}
	args := append([]syntax.Expr{}, s.Index...)
	if value != nil {
		args = append(args, value)
	}
	c := &syntax.Call{At: s.At, Func: s.X, Args: args}
	u.items[s] = c
	return c
}

// extSubscript checks x[i] on a table type with __getitem__.
func (t *checker) extSubscript(s *syntax.Subscript, x Val, en *env) (Val, bool) {
	sig := t.tab.ExtItem(x.T, false)
	if sig == nil || len(s.Index) != 1 {
		return Val{}, false
	}
	if _, isSlice := s.Index[0].(*syntax.Slice); isSlice {
		return Val{}, false
	}
	return t.callSig(t.u.ItemCall(s, nil), sig, en), true
}

// ArrayLikeIndex reports a subscript only an array takes: several indices,
// a slice, None (a new axis) or an Ellipsis. A cache entry indexed so
// (`h0[:, None]`) is its array.
func ArrayLikeIndex(idx []syntax.Expr) bool {
	if len(idx) > 1 {
		return true
	}
	for _, e := range idx {
		switch x := e.(type) {
		case *syntax.Slice:
			return true
		case *syntax.Constant:
			if x.Kind == syntax.ConstNone || x.Kind == syntax.ConstEllipsis {
				return true
			}
		}
	}
	return false
}

// slotAsArray checks a cache entry indexed as an array.
func (t *checker) slotAsArray(s *syntax.Subscript, x Val, en *env) (Val, bool) {
	if !IsSlot(x.T.Base()) || !ArrayLikeIndex(s.Index) {
		return Val{}, false
	}
	t.arrayIndex(s.Index, en)
	return tv(TArray), true
}

// extAssignItem checks x[i] = v on a table type with __setitem__.
func (t *checker) extAssignItem(s *syntax.Subscript, x Val, value syntax.Expr, en *env) bool {
	sig := t.tab.ExtItem(x.T, true)
	if sig == nil || len(s.Index) != 1 {
		return false
	}
	t.callSig(t.u.ItemCall(s, value), sig, en)
	return true
}

// IsSlot reports a cache entry's type.
func IsSlot(ty *Type) bool { return ty != nil && ty.Kind == Ext && ty.Name == SlotType }

// NoneSeq reports a list or tuple type whose elements are all None (the
// list of a literal [None, None] or (None, None)).
func NoneSeq(ty *Type) bool {
	if ty == nil {
		return false
	}
	switch ty.Kind {
	case List:
		return ty.Elem.Kind == None
	case Tuple:
		for _, e := range ty.Elems {
			if e.Kind != None {
				return false
			}
		}
		return len(ty.Elems) > 0
	}
	return false
}

// unifySlot merges a cache entry with what it turns out to be, and a list
// of Nones with the cache it stands for.
func (u *Unit) unifySlot(tab *Table, a, b *Type) *Type {
	if a == nil || b == nil {
		return nil
	}
	for _, p := range [][2]*Type{{a, b}, {b, a}} {
		x, y := p[0], p[1]
		if IsSlot(x) && y.Kind == Array {
			return TArray
		}
		if IsSlot(x) && y.Kind == Ext && tab.Root(y.Name) == "Cache" {
			// An entry or a cache: an entry (it may hold an array).
			return x
		}
		if x.Kind == Ext && !IsSlot(x) && tab.Root(x.Name) == "Cache" && y.Kind == Array {
			// A cache in one place, an array in another (recurrent_gemma's
			// h_t = h0, then h_t = mx.zeros(...), while h0 is still typed
			// the cache its parameter's name says): the value that is
			// either, a cache entry, narrowed where it is used.
			return ExtT(SlotType)
		}
		if x.Kind == Ext && tab.Root(x.Name) == "Cache" && NoneSeq(y) {
			return x
		}
	}
	return nil
}

// literalIndex reports cache[0]-style subscripts: one non-negative int
// literal. Alone they do not make a `cache` parameter the model's list of
// per-layer caches: one layer's ArraysCache or CacheList is indexed so too
// (a list-level function also zips, iterates, takes len or indexes it by a
// computed position).
func literalIndex(s *syntax.Subscript) bool {
	if len(s.Index) != 1 {
		return false
	}
	c, ok := s.Index[0].(*syntax.Constant)
	return ok && c.Kind == syntax.ConstInt
}
