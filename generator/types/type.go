// Package types is the translator's type phase: it gives every Python
// expression the translator meets a static type, driven by a declarative API
// table (api.yaml: what each mx / nn / array / ported name takes, returns and
// becomes in Go) and by the model file itself (dataclass annotations, the
// values assigned to self.x in __init__, call sites of each module).
package types

import (
	"strings"
)

// Kind classifies a Type.
type Kind int

const (
	Unknown Kind = iota
	Int
	Float
	Bool
	Str
	None
	AnyK
	Array
	Mask  // an attention mask: None, "causal" or an array (mlx.AttentionMask)
	Dtype // mx.float32 & co
	List
	Tuple
	Dict
	Optional // an Optional scalar (pointer in Go); nilable types absorb None instead
	ClassK   // a class of the model file (a pointer to a generated struct)
	Ext      // a type of the API table (nn.Linear, a cache, a RoPE, ...)
	FuncK
	Module // a Python module object (mx, nn): only valid as an attribute base
	Iface  // one of several classes with the same __call__ (Elems): a Go interface
	// Union is a value of one of several types (Elems), as Python holds
	// cache.offset: an int, or an array for a batch cache. In Go it is an
	// any; an isinstance test narrows it to a member (a type assertion).
	Union
)

// Type is a static type. Types are compared with Equal, not ==.
type Type struct {
	Kind  Kind
	Elem  *Type   // List, Optional
	Elems []*Type // Tuple
	Key   *Type   // Dict
	Name  string  // Class, Ext, Module, Func: the name
}

var (
	TUnknown = &Type{Kind: Unknown}
	TInt     = &Type{Kind: Int}
	TFloat   = &Type{Kind: Float}
	TBool    = &Type{Kind: Bool}
	TStr     = &Type{Kind: Str}
	TNone    = &Type{Kind: None}
	TAny     = &Type{Kind: AnyK}
	TArray   = &Type{Kind: Array}
	TMask    = &Type{Kind: Mask}
	TDtype   = &Type{Kind: Dtype}
)

func ListOf(t *Type) *Type      { return &Type{Kind: List, Elem: t} }
func TupleOf(ts ...*Type) *Type { return &Type{Kind: Tuple, Elems: ts} }
func DictOf(k, v *Type) *Type   { return &Type{Kind: Dict, Key: k, Elem: v} }
func ClassT(name string) *Type  { return &Type{Kind: ClassK, Name: name} }
func ExtT(name string) *Type    { return &Type{Kind: Ext, Name: name} }
func OptionalOf(t *Type) *Type {
	if t.Nilable() || t.Kind == Optional || t.Kind == None || t.Kind == Unknown {
		return t
	}
	return &Type{Kind: Optional, Elem: t}
}

// Nilable reports whether the Go type has a nil (or none) value that stands
// for Python's None without a pointer: arrays, masks, slices, maps, classes,
// table types and any.
func (t *Type) Nilable() bool {
	switch t.Kind {
	case Array, Mask, List, Dict, ClassK, Ext, AnyK, Tuple, Iface, Union:
		return true
	}
	return false
}

// Base strips Optional.
func (t *Type) Base() *Type {
	if t.Kind == Optional {
		return t.Elem
	}
	return t
}

// Numeric reports int, float or bool (bool is an int in Python arithmetic).
func (t *Type) Numeric() bool { return t.Kind == Int || t.Kind == Float || t.Kind == Bool }

// Equal compares structurally.
func (t *Type) Equal(u *Type) bool {
	if t == u {
		return true
	}
	if t == nil || u == nil || t.Kind != u.Kind || t.Name != u.Name || len(t.Elems) != len(u.Elems) {
		return false
	}
	if (t.Elem == nil) != (u.Elem == nil) || (t.Elem != nil && !t.Elem.Equal(u.Elem)) {
		return false
	}
	if (t.Key == nil) != (u.Key == nil) || (t.Key != nil && !t.Key.Equal(u.Key)) {
		return false
	}
	for i := range t.Elems {
		if !t.Elems[i].Equal(u.Elems[i]) {
			return false
		}
	}
	return true
}

func (t *Type) String() string {
	switch t.Kind {
	case Unknown:
		return "unknown"
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case Str:
		return "str"
	case None:
		return "None"
	case AnyK:
		return "Any"
	case Array:
		return "array"
	case Mask:
		return "mask"
	case Dtype:
		return "Dtype"
	case List:
		return "List[" + t.Elem.String() + "]"
	case Tuple:
		var s []string
		for _, e := range t.Elems {
			s = append(s, e.String())
		}
		if t.IsModuleList() {
			return "List[" + strings.Join(s, " | ") + "]"
		}
		return "Tuple[" + strings.Join(s, ", ") + "]"
	case Dict:
		return "Dict[" + t.Key.String() + ", " + t.Elem.String() + "]"
	case Optional:
		return "Optional[" + t.Elem.String() + "]"
	case ClassK, Ext, FuncK, Module:
		return t.Name
	case Iface:
		var s []string
		for _, e := range t.Elems {
			s = append(s, e.Name)
		}
		return strings.Join(s, " | ")
	case Union:
		var s []string
		for _, e := range t.Elems {
			s = append(s, e.String())
		}
		return strings.Join(s, " | ")
	}
	return "?"
}

// Unify merges the types of two assignments to the same name or two branches
// of a conditional. It returns nil when they cannot share one Go type.
func Unify(a, b *Type) *Type {
	switch {
	case a == nil || a.Kind == Unknown:
		return b
	case b == nil || b.Kind == Unknown:
		return a
	case a.Equal(b):
		return a
	case a.Kind == Union && a.Has(b):
		return a
	case b.Kind == Union && b.Has(a):
		return b
	case a.Kind == None:
		return OptionalOf(b)
	case b.Kind == None:
		return OptionalOf(a)
	case a.Kind == Optional && a.Elem.Equal(b), b.Kind == Optional && b.Elem.Equal(a):
		if a.Kind == Optional {
			return a
		}
		return b
	case a.Kind == Optional && b.Kind == Optional:
		if u := Unify(a.Elem, b.Elem); u != nil {
			return OptionalOf(u)
		}
	case a.Kind == Optional && b.Kind != None && b.Kind != Optional:
		if u := Unify(a.Elem, b); u != nil {
			return OptionalOf(u)
		}
	case b.Kind == Optional && a.Kind != None && a.Kind != Optional:
		if u := Unify(a, b.Elem); u != nil {
			return OptionalOf(u)
		}
	case a.Kind == Int && b.Kind == Float, a.Kind == Float && b.Kind == Int:
		return TFloat
	case a.Kind == Bool && b.Kind == Int, a.Kind == Int && b.Kind == Bool:
		return TInt
	case a.Kind == List && b.Kind == List:
		if e := Unify(a.Elem, b.Elem); e != nil {
			return ListOf(e)
		}
	case a.Kind == Tuple && b.Kind == List, a.Kind == List && b.Kind == Tuple:
		l, tu := a, b
		if a.Kind == Tuple {
			l, tu = b, a
		}
		e := l.Elem
		for _, x := range tu.Elems {
			if e = Unify(e, x); e == nil {
				return nil
			}
		}
		return ListOf(e)
	case a.Kind == Dict && b.Kind == Dict:
		k, v := Unify(a.Key, b.Key), Unify(a.Elem, b.Elem)
		if k != nil && v != nil {
			return DictOf(k, v)
		}
	case a.Kind == Tuple && b.Kind == Tuple && len(a.Elems) == len(b.Elems):
		out := make([]*Type, len(a.Elems))
		for i := range a.Elems {
			if out[i] = Unify(a.Elems[i], b.Elems[i]); out[i] == nil {
				return nil
			}
		}
		return TupleOf(out...)
	case a.Kind == Mask && b.Kind == Array, a.Kind == Array && b.Kind == Mask:
		return TMask
	case a.Kind == Mask && b.Kind == Str, a.Kind == Str && b.Kind == Mask:
		return TMask
	case a.Kind == AnyK || b.Kind == AnyK:
		return TAny
	}
	return nil
}

// UnionOf is the union of types (in the given order).
func UnionOf(ts ...*Type) *Type { return &Type{Kind: Union, Elems: ts} }

// Has reports whether a union has u as a member (or is u).
func (t *Type) Has(u *Type) bool {
	if t.Equal(u) {
		return true
	}
	if t.Kind != Union {
		return false
	}
	for _, e := range t.Elems {
		if e.Equal(u) {
			return true
		}
	}
	return false
}

// Homogeneous returns the element type of a tuple whose elements unify.
func (t *Type) Homogeneous() *Type {
	if t.Kind == List {
		return t.Elem
	}
	if t.Kind != Tuple {
		return nil
	}
	var e *Type
	for _, x := range t.Elems {
		if e = Unify(e, x); e == nil {
			return nil
		}
	}
	if e == nil {
		return TUnknown
	}
	return e
}
