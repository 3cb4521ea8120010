package types

import "github.com/hf2go/hf2go/generator/syntax"

// A list field a dataclass's __post_init__ converts. `block_configs: list`
// holds config.json's list of dicts, and __post_init__ rebinds it to a list
// of one of the file's dataclasses (nemotron-nas:
// `self.block_configs = [BlockConfig.from_dict(c) for c in self.block_configs]`).
// The Go field keeps the annotation's type ([]any: the annotation gives no
// element type, and before the store the elements are dicts); the store
// widens the list of the class to it. Every read of the field after the
// top-level statement holding the store (in __post_init__) and every read
// outside the dataclass (lmbase.FromDict runs __post_init__ before anyone
// else sees the arguments) is the list of that class: the lowering reads it
// through py.ListAs, a type assertion of each element. An element that is
// not of the class (the store was skipped on a list that was not of dicts)
// is an error there, where Python raises AttributeError at the first use.

// ListConv is a list field's converted element type and where, in the
// __post_init__ that stores it, reads start seeing it.
type ListConv struct {
	Elem  *Type
	After syntax.Pos // the start of the first top-level statement after the store's
	Store syntax.Pos
}

// learnListConv records a __post_init__ store self.<f> = <list of a config
// dataclass> into a list field of no element type.
func (t *checker) learnListConv(f *Field, tg *syntax.Attribute, v Val, en *env) {
	if t.frozen || en.cls == nil || !en.cls.IsArgs || en.fn == nil || en.fn.Def.Name != "__post_init__" {
		return
	}
	if b := f.Type.Base(); b.Kind != List || b.Elem.Kind != AnyK {
		return
	}
	if v.T.Kind != List || v.T.Elem.Kind != ClassK {
		return
	}
	if c := t.u.ByClass[v.T.Elem.Name]; c == nil || !c.IsArgs {
		return
	}
	after := syntax.Pos{Line: 1 << 30}
	body := en.fn.Def.Body
	for i, st := range body {
		if posLE(st.Position(), tg.P) && (i+1 == len(body) || !posLE(body[i+1].Position(), tg.P)) {
			if i+1 < len(body) {
				after = body[i+1].Position()
			}
		}
	}
	if en.cls.ListConv == nil {
		en.cls.ListConv = map[string]*ListConv{}
	}
	if old := en.cls.ListConv[f.Py]; old != nil && (!old.Elem.Equal(v.T.Elem) || old.Store != tg.P) {
		en.cls.ListConv[f.Py] = &ListConv{Elem: TUnknown} // two stores: none converted
		return
	}
	en.cls.ListConv[f.Py] = &ListConv{Elem: v.T.Elem, After: after, Store: tg.P}
}

// listConverted is the value of a read of recv.<attr> that a ListConv
// decides (v unchanged otherwise).
func (t *checker) listConverted(recv Val, a *syntax.Attribute, v Val, en *env) Val {
	if recv.T.Kind != ClassK {
		return v
	}
	c := t.u.ByClass[recv.T.Name]
	if c == nil || c.ListConv[a.Attr] == nil || c.ListConv[a.Attr].Elem.Kind != ClassK || c.Reassigned[a.Attr] {
		return v
	}
	lc := c.ListConv[a.Attr]
	if en.cls == c && !(en.fn != nil && en.fn.Def.Name == "__post_init__" && posLE(lc.After, a.P)) {
		return v
	}
	return Val{T: ListOf(lc.Elem), ListAs: true, Origin: v.Origin}
}

func posLE(a, b syntax.Pos) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Col <= b.Col
}
