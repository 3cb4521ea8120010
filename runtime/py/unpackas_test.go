package py

import "testing"

// TestUnpackAs checks `a, b = xs` on a []any into typed names: each element
// as its type, None as the zero value, and the length check Python makes
// (ValueError: not enough / too many values to unpack).
func TestUnpackAs(t *testing.T) {
	a, b := UnpackAs2[[]int, any]([]any{[]int{1, 2}, 7})
	if len(a) != 2 || b != 7 {
		t.Fatalf("got %v, %v", a, b)
	}
	n, m := UnpackAs2[[]int, any]([]any{nil, nil})
	if n != nil || m != nil {
		t.Fatalf("None unpacked as %v, %v", n, m)
	}
	for _, xs := range [][]any{{1}, {1, 2, 3}} {
		func() {
			defer func() {
				e, ok := recover().(*Error)
				if !ok || e.Kind != "ValueError" {
					t.Errorf("%d values: raised %v, want ValueError", len(xs), e)
				}
			}()
			UnpackAs2[any, any](xs)
		}()
	}
}
