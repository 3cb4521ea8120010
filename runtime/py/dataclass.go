package py

import (
	"reflect"
	"slices"

	"github.com/hf2go/hf2go/ported/base"
)

// Dataclass is a plain @dataclass's constructor called with keywords,
// Cls(a=x, b=y) or Cls(**d): dst holds the defaults (New<Cls>()); each
// keyword fills the field of that name, a keyword that names no field is
// Python's TypeError ("unexpected keyword argument"), a field without a
// default left unset is TypeError too, then __post_init__ runs. A value of
// the field's Go type is stored as is (an AttentionConfig into an
// AttentionConfig field); any other (a decoded JSON number, list or dict)
// converts as lmbase.FromDict converts config values. Keys are taken in
// sorted order so that the first bad key reported is deterministic.
func Dataclass[T any](dst *T, kwargs map[string]any) *T {
	v := reflect.ValueOf(dst).Elem()
	typ := v.Type()
	field := map[string]int{}
	var required []string
	for i := range typ.NumField() {
		name, req, skip := base.FieldKey(typ.Field(i))
		if skip {
			continue
		}
		field[name] = i
		if req {
			required = append(required, name)
		}
	}
	keys := make([]string, 0, len(kwargs))
	for k := range kwargs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i, ok := field[k]
		if !ok {
			Raise("TypeError", "%s.__init__() got an unexpected keyword argument '%s'", typ.Name(), k)
		}
		if err := setField(v.Field(i), kwargs[k]); err != nil {
			Raise("TypeError", "%s.__init__() argument '%s': %v", typ.Name(), k, err)
		}
	}
	for _, k := range required {
		if _, ok := kwargs[k]; !ok {
			Raise("TypeError", "%s.__init__() missing 1 required argument: '%s'", typ.Name(), k)
		}
	}
	if p, ok := any(dst).(base.PostIniter); ok {
		if err := p.PostInit(); err != nil {
			Raise("ValueError", "%s.__post_init__: %v", typ.Name(), err)
		}
	}
	return dst
}

func setField(dst reflect.Value, raw any) error {
	if raw != nil {
		if rv := reflect.ValueOf(raw); rv.Type().AssignableTo(dst.Type()) {
			dst.Set(rv)
			return nil
		}
	}
	return base.Assign(dst, raw)
}

// ListAs is a []any whose elements __post_init__ converted to T (a list
// field rebound from dicts to dataclasses), read as a []T. An element of
// another type is Python's AttributeError at its first use; here at the
// read, naming both types.
func ListAs[T any](xs []any) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		v, ok := x.(T)
		if !ok {
			var zero T
			Raise("AttributeError", "element %d is a %T, not a %T", i, x, zero)
		}
		out[i] = v
	}
	return out
}
