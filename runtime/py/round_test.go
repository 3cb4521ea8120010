package py_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/hf2go/hf2go/runtime/py"
)

// TestRoundDigits compares py.RoundDigits with CPython's round(x, ndigits)
// on exact ties (0.5, 2.5, 0.125), near-ties whose binary value is below or
// above the decimal tie (2.675, 1.0000005), signed zeros, negative ndigits,
// huge and tiny ndigits, the overflow case, and random floats and ffn_mult-
// like multipliers at 6 digits.
func TestRoundDigits(t *testing.T) {
	type rc struct {
		x float64
		n int
	}
	cs := []rc{{0.5, 0}, {1.5, 0}, {2.5, 0}, {-0.5, 0}, {-2.5, 0}, {0.125, 2}, {0.375, 2}, {2.675, 2},
		{1.0000005, 6}, {2.0000005, 6}, {-1.0000005, 6}, {0.0000004, 6}, {-0.0000004, 6}, {5.0, -1},
		{15.0, -1}, {25.0, -1}, {1234.5678, -2}, {1e300, -300}, {1.7976931348623157e308, -308},
		{3.14159, 400}, {3.14159, -400}, {-3.14159, -400}, {1.3, 6}, {5.25, 6}, {2.0 / 3.0, 6}, {1e-320, 6}}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		cs = append(cs, rc{(rng.Float64() - 0.5) * 10, 6}, rc{rng.NormFloat64() * 1e5, rng.IntN(12) - 3})
	}
	var exprs []string
	for _, c := range cs {
		exprs = append(exprs, fmt.Sprintf("round(float.fromhex(%q), %d)", strconv.FormatFloat(c.x, 'x', -1, 64), c.n))
	}
	want := pythonOutcomes(t, exprs)
	for i, c := range cs {
		got := outcome(func() any { return py.RoundDigits(c.x, c.n) })
		if normalize(got) != normalize(want[i]) {
			t.Errorf("%s: Go %s, Python %s", exprs[i], got, want[i])
		}
	}
}
