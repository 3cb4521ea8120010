package py

import (
	"math"
	"math/big"
)

// RoundDigits is Python's round(x, ndigits) on a float: the float nearest to
// x rounded to ndigits decimal places, where the rounding is of x's exact
// binary value and an exact tie goes to the even digit (CPython rounds the
// correctly rounded decimal string back through strtod; big.Rat does the
// same arithmetic exactly). NaN, infinities and zeros are returned as they
// are; ndigits beyond a float's precision returns x, below its range a zero
// of x's sign; a result too large for a float is OverflowError, as in
// CPython (Objects/floatobject.c, double_round).
func RoundDigits(x float64, ndigits int) float64 {
	const ndigitsMax, ndigitsMin = 323, -308 // CPython's NDIGITS_MAX / NDIGITS_MIN
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	if ndigits > ndigitsMax {
		return x
	}
	if ndigits < ndigitsMin {
		return 0.0 * x
	}
	r := new(big.Rat).SetFloat64(x)
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(ndigits))), nil))
	if ndigits >= 0 {
		r.Mul(r, scale)
	} else {
		r.Quo(r, scale)
	}
	n := roundHalfEven(r)
	q := new(big.Rat).SetInt(n)
	if ndigits >= 0 {
		q.Quo(q, scale)
	} else {
		q.Mul(q, scale)
	}
	f, _ := q.Float64()
	if math.IsInf(f, 0) {
		Raise("OverflowError", "rounded value too large to represent")
	}
	if f == 0 {
		return math.Copysign(0, x)
	}
	return f
}

// roundHalfEven is the integer nearest to r, a tie going to the even one.
func roundHalfEven(r *big.Rat) *big.Int {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated toward zero
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
