package py

/*
#cgo LDFLAGS: -lm
#include <math.h>
*/
import "C"

import "math"

// Python's float functions that Go's math computes differently.
//
// CPython's math.log2 is the C library's log2 (Modules/mathmodule.c,
// m_log2): Go's math.Log2 differs from glibc's in the last bit for about
// one integer in twenty (285 of 1..5000, measured), so generated code
// calls the C library CPython calls.

// Log2 is math.log2(x): ValueError ("math domain error") for x <= 0, as
// in CPython; inf and nan pass through.
func Log2(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 1) {
		return x
	}
	if x <= 0 {
		Raise("ValueError", "math domain error")
	}
	return float64(C.log2(C.double(x)))
}

// FloatIsInteger is float.is_integer(): false for inf and nan.
func FloatIsInteger(x float64) bool {
	return !math.IsInf(x, 0) && !math.IsNaN(x) && x == math.Trunc(x)
}

// SliceStep is xs[lo:hi:step] with Python's slice.indices semantics (use
// SliceNone for an omitted bound): a new list; a zero step is ValueError.
func SliceStep[T any](xs []T, lo, hi, step int) []T {
	if step == 0 {
		Raise("ValueError", "slice step cannot be zero")
	}
	if step == SliceNone {
		step = 1
	}
	n := len(xs)
	// slice.indices: clamp to [0, n] for a positive step, [-1, n-1] for a
	// negative one; an omitted bound is the start or end in the step's
	// direction.
	lower, upper := 0, n
	if step < 0 {
		lower, upper = -1, n-1
	}
	norm := func(i, omitted int) int {
		if i == SliceNone {
			return omitted
		}
		if i < 0 {
			i += n
			if i < lower {
				return lower
			}
			return i
		}
		return min(i, upper)
	}
	var start, stop int
	if step > 0 {
		start, stop = norm(lo, lower), norm(hi, upper)
	} else {
		start, stop = norm(lo, upper), norm(hi, lower)
	}
	out := []T{}
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		out = append(out, xs[i])
	}
	return out
}
