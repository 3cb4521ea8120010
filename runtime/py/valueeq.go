package py

import "reflect"

// ValueEq is Python's a == b on the values a config holds: numbers of any
// kind compare by value (True == 1, 2 == 2.0), None only equals None, str
// equals str, lists equal lists elementwise and dicts dicts key by key
// (Python's dict == ignores order), each through ValueEq; values of
// different kinds are unequal. A pointer is read (nil is None).
func ValueEq(a, b any) bool {
	a, b = deref(a), deref(b)
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := numberOf(a); ok {
		y, ok := numberOf(b)
		return ok && x == y
	}
	ra, rb := reflect.ValueOf(a), reflect.ValueOf(b)
	switch ra.Kind() {
	case reflect.String:
		return rb.Kind() == reflect.String && ra.String() == rb.String()
	case reflect.Slice, reflect.Array:
		if rb.Kind() != reflect.Slice && rb.Kind() != reflect.Array || ra.Len() != rb.Len() {
			return false
		}
		for i := range ra.Len() {
			if !ValueEq(ra.Index(i).Interface(), rb.Index(i).Interface()) {
				return false
			}
		}
		return true
	case reflect.Map:
		if rb.Kind() != reflect.Map || ra.Len() != rb.Len() {
			return false
		}
		for _, k := range ra.MapKeys() {
			if k.Type() != rb.Type().Key() {
				return false
			}
			bv := rb.MapIndex(k)
			if !bv.IsValid() || !ValueEq(ra.MapIndex(k).Interface(), bv.Interface()) {
				return false
			}
		}
		return true
	}
	Raise("TypeError", "== of a Go %T is not a Python value the translator knows", a)
	return false
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	return rv.Interface()
}

// numberOf is a bool, int or float as a float64 (exact for the ints a
// config holds), as Python's numeric tower compares them.
func numberOf(v any) (float64, bool) {
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
