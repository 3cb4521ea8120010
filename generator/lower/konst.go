package lower

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Literal values: the checker knows which expressions are literals (and
// folds int arithmetic and comparisons of literals); these helpers make
// the Go of such values.

func intLit(v val) (int, bool) {
	if v.lit == nil || v.lit.Kind != syntax.ConstInt {
		return 0, false
	}
	n, err := strconv.ParseInt(v.lit.Value, 0, 64)
	return int(n), err == nil
}

func litInt(n int) val {
	return val{c: lit(n), t: types.TInt, prec: precPrimary, lit: &syntax.Constant{Kind: syntax.ConstInt, Value: strconv.Itoa(n)}}
}

func litBool(b bool) val {
	k := syntax.ConstFalse
	if b {
		k = syntax.ConstTrue
	}
	return val{c: lit(b), t: types.TBool, prec: precPrimary, lit: &syntax.Constant{Kind: k}}
}

// foldArith folds int arithmetic of two literals.
func foldArith(op string, l, r val) (val, bool) {
	a, ok1 := intLit(l)
	b, ok2 := intLit(r)
	if !ok1 || !ok2 {
		return val{}, false
	}
	switch op {
	case "+":
		return litInt(a + b), true
	case "-":
		return litInt(a - b), true
	case "*":
		return litInt(a * b), true
	case "//":
		if b == 0 {
			return val{}, false
		}
		q := a / b
		if (a%b != 0) && ((a < 0) != (b < 0)) {
			q--
		}
		return litInt(q), true
	case "%":
		if b == 0 {
			return val{}, false
		}
		m := a % b
		if m != 0 && ((m < 0) != (b < 0)) {
			m += b
		}
		return litInt(m), true
	}
	return val{}, false
}

// foldCompare folds a comparison of two int literals.
func foldCompare(op string, l, r val) (val, bool) {
	a, ok1 := intLit(l)
	b, ok2 := intLit(r)
	if !ok1 || !ok2 {
		return val{}, false
	}
	switch op {
	case "<":
		return litBool(a < b), true
	case "<=":
		return litBool(a <= b), true
	case ">":
		return litBool(a > b), true
	case ">=":
		return litBool(a >= b), true
	case "==":
		return litBool(a == b), true
	case "!=":
		return litBool(a != b), true
	}
	return val{}, false
}
