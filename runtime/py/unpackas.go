package py

// UnpackAs2 is `a, b = xs` for a list held as []any whose elements the
// names hold as typed Go values: the length check of Unpack2, then each
// element as its name's type; None (nil) is the type's zero value (a nil
// slice or pointer, Python's None where the name is Optional).
func UnpackAs2[A, B any](xs []any) (A, B) {
	need(len(xs), 2)
	return asOrZero[A](xs[0]), asOrZero[B](xs[1])
}

// UnpackAs3 is UnpackAs2 for three names.
func UnpackAs3[A, B, C any](xs []any) (A, B, C) {
	need(len(xs), 3)
	return asOrZero[A](xs[0]), asOrZero[B](xs[1]), asOrZero[C](xs[2])
}

// UnpackAs4 is UnpackAs2 for four names.
func UnpackAs4[A, B, C, D any](xs []any) (A, B, C, D) {
	need(len(xs), 4)
	return asOrZero[A](xs[0]), asOrZero[B](xs[1]), asOrZero[C](xs[2]), asOrZero[D](xs[3])
}

// UnpackAs5 is UnpackAs2 for five names.
func UnpackAs5[A, B, C, D, E any](xs []any) (A, B, C, D, E) {
	need(len(xs), 5)
	return asOrZero[A](xs[0]), asOrZero[B](xs[1]), asOrZero[C](xs[2]), asOrZero[D](xs[3]), asOrZero[E](xs[4])
}

// asOrZero is v as a T; nil is T's zero value. A value of another type is a
// translator bug (the checker typed the element), reported by the panic.
func asOrZero[T any](v any) T {
	if v == nil {
		var z T
		return z
	}
	return v.(T)
}
