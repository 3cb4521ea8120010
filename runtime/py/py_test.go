package py

import (
	"errors"
	"testing"
)

// The expected values are what CPython 3.11 prints for the same expressions.
func TestFloorDivMod(t *testing.T) {
	cases := []struct{ a, b, div, mod int }{
		{7, 2, 3, 1}, {-7, 2, -4, 1}, {7, -2, -4, -1}, {-7, -2, 3, -1}, {6, 3, 2, 0}, {-6, 3, -2, 0}, {0, 5, 0, 0},
	}
	for _, c := range cases {
		if got := FloorDiv(c.a, c.b); got != c.div {
			t.Errorf("%d // %d = %d, Python says %d", c.a, c.b, got, c.div)
		}
		if got := Mod(c.a, c.b); got != c.mod {
			t.Errorf("%d %% %d = %d, Python says %d", c.a, c.b, got, c.mod)
		}
	}
}

func TestRecoverTurnsRaisesIntoErrors(t *testing.T) {
	f := func() (err error) {
		defer Recover(&err)
		Assert(1 > 2, "vocab_size must be positive")
		return nil
	}
	err := f()
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != "AssertionError" {
		t.Fatalf("got %v", err)
	}
	g := func() (err error) {
		defer Recover(&err)
		var xs []int
		_ = xs[3]
		return nil
	}
	if g() == nil {
		t.Fatal("index out of range was not recovered")
	}
	h := func() (err error) {
		defer Recover(&err)
		a, b := Unpack2([]int{1, 2, 3})
		_, _ = a, b
		return nil
	}
	if err := h(); err == nil || err.Error() != "ValueError: too many values to unpack (expected 2)" {
		t.Fatalf("unpack: %v", err)
	}
}

func TestListHelpers(t *testing.T) {
	xs := []int{1, 2, 3, 4, 5}
	if got := Slice(xs, SliceNone, -1); len(got) != 4 || got[3] != 4 {
		t.Errorf("xs[:-1] = %v", got)
	}
	if got := Slice(xs, -2, SliceNone); len(got) != 2 || got[0] != 4 {
		t.Errorf("xs[-2:] = %v", got)
	}
	if got := At(xs, -1); got != 5 {
		t.Errorf("xs[-1] = %d", got)
	}
	if Or(0, 7) != 7 || Or(3, 7) != 3 || OrPtr[int](nil, 4) != 4 || OrPtr(Ptr(0), 4) != 4 || OrPtr(Ptr(2), 4) != 2 {
		t.Error("or semantics")
	}
	if got := Range(5, 0, -2); len(got) != 3 || got[2] != 1 {
		t.Errorf("range(5, 0, -2) = %v", got)
	}
	if Index([]string{"a", "b"}, "b") != 1 {
		t.Error("index")
	}
}
