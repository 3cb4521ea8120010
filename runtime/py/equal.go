package py

import "reflect"

// Equal is Python's == on the values a dynamic config holds: numbers
// compare by value whatever their Go type (2 == 2.0 == True), strings by
// content, None only to None, lists (slices) element by element and dicts
// (maps) by keys and values. Other values compare with Go's ==.
func Equal(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	if _, ok := number(b); ok {
		return false
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch {
	case va.Kind() == reflect.String && vb.Kind() == reflect.String:
		return va.String() == vb.String()
	case va.Kind() == reflect.Slice && vb.Kind() == reflect.Slice:
		if va.Len() != vb.Len() {
			return false
		}
		for i := range va.Len() {
			if !Equal(va.Index(i).Interface(), vb.Index(i).Interface()) {
				return false
			}
		}
		return true
	case va.Kind() == reflect.Map && vb.Kind() == reflect.Map:
		if va.Len() != vb.Len() {
			return false
		}
		for _, k := range va.MapKeys() {
			kb := reflect.ValueOf(k.Interface())
			if !kb.Type().AssignableTo(vb.Type().Key()) {
				return false
			}
			w := vb.MapIndex(kb)
			if !w.IsValid() || !Equal(va.MapIndex(k).Interface(), w.Interface()) {
				return false
			}
		}
		return true
	}
	if va.Type().Comparable() && vb.Type().Comparable() {
		return a == b
	}
	return false
}

// DictEqual is Python's == of two dicts: the same keys, and Equal values.
func DictEqual[K comparable, V, W any](a map[K]V, b map[K]W) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !Equal(v, w) {
			return false
		}
	}
	return true
}

// number is a bool, int or float as a float64 (Python's numeric tower for
// the sizes configs hold).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	return 0, false
}
