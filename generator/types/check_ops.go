package types

import (
	"strconv"

	"github.com/hf2go/hf2go/generator/syntax"
)

// ArrayBinary are the Python operators MLX arrays support, by MLX op.
var ArrayBinary = map[string]string{"+": "Add", "-": "Subtract", "*": "Multiply", "/": "Divide", "//": "FloorDivide",
	"%": "Remainder", "**": "Power", "@": "Matmul", "&": "LogicalAnd", "|": "LogicalOr"}

// ArrayCompare are the comparisons MLX arrays support, by MLX op.
var ArrayCompare = map[string]string{"<": "Less", "<=": "LessEqual", ">": "Greater", ">=": "GreaterEqual",
	"==": "Equal", "!=": "NotEqual"}

func (t *checker) binop(b *syntax.BinOp, en *env) Val {
	l, r := t.expr(b.L, en), t.expr(b.R, en)
	return t.binopOf(b, l, r, en)
}

// binopOf is the type of l op r (the operands already checked).
func (t *checker) binopOf(b *syntax.BinOp, l, r Val, en *env) Val {
	if l.T.Kind == Mask || r.T.Kind == Mask {
		l, r = MaskAsArray(l), MaskAsArray(r)
	}
	lt, rt := l.T.Base(), r.T.Base()
	if d := SetDiff(b.Op, lt, rt); d != nil {
		return tv(d)
	}
	if (lt.Kind == Union && rt.Kind == Array) || (rt.Kind == Union && lt.Kind == Array) {
		// An int | array (a cache's offset) in array arithmetic: its array.
		if _, ok := ArrayBinary[b.Op]; ok {
			return tv(TArray)
		}
	}
	if u := unionIntArith(b.Op, lt, rt); u != nil {
		return tv(u)
	}
	if (lt.Kind == Array && rt.Kind == AnyK) || (rt.Kind == Array && lt.Kind == AnyK) {
		if lt.Kind == AnyK {
			l = tv(TFloat)
		} else {
			r = tv(TFloat)
		}
		lt, rt = l.T, r.T
	}
	if lt.Kind == Array || rt.Kind == Array {
		if _, ok := ArrayBinary[b.Op]; !ok {
			return t.bad()
		}
		if !(lt.Kind == Array || lt.Numeric()) || !(rt.Kind == Array || rt.Numeric()) {
			return t.bad()
		}
		return tv(TArray)
	}
	if (lt.Numeric() || lt.Kind == AnyK) && (rt.Numeric() || rt.Kind == AnyK) && (lt.Kind == AnyK || rt.Kind == AnyK) &&
		lt.Kind != Float && rt.Kind != Float && b.Op != "/" && b.Op != "**" {
		// A config value (Any) with an int: Python's result is an int or a
		// float depending on the value, so it stays Any.
		return tv(TAny)
	}
	if (lt.Numeric() || lt.Kind == AnyK) && (rt.Numeric() || rt.Kind == AnyK) && (lt.Kind == AnyK || rt.Kind == AnyK) {
		// A config value (Any) in float arithmetic: Python would use its number.
		if lt.Kind == AnyK {
			l = tv(TFloat)
		}
		if rt.Kind == AnyK {
			r = tv(TFloat)
		}
		lt, rt = l.T, r.T
	}
	if lt.Numeric() && rt.Numeric() {
		return t.arith(b, l, r)
	}
	switch {
	case b.Op == "+" && lt.Kind == Str && rt.Kind == Str:
		return tv(TStr)
	case b.Op == "+" && (lt.Kind == List || lt.Kind == Tuple) && (rt.Kind == List || rt.Kind == Tuple):
		et := t.unify(lt.Homogeneous(), rt.Homogeneous())
		if et == nil {
			return t.bad()
		}
		return tv(ListOf(et))
	case b.Op == "*" && (lt.Kind == List || lt.Kind == Tuple) && rt.Kind == Int:
		return t.listRepeat(b, b.L, l, r, en)
	case b.Op == "*" && lt.Kind == Int && (rt.Kind == List || rt.Kind == Tuple) && PureOperand(b.L):
		// n * xs (check_listrepeat.go)
		return t.listRepeat(b, b.R, r, l, en)
	}
	return t.bad()
}

// IntLit is the value of an int literal.
func IntLit(v Val) (int, bool) {
	if v.Lit == nil || v.Lit.Kind != syntax.ConstInt {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Lit.Value, 0, 64)
	return int(n), err == nil
}

// LitInt is a known int.
func LitInt(n int) Val {
	return Val{T: TInt, Lit: &syntax.Constant{Kind: syntax.ConstInt, Value: strconv.Itoa(n)}}
}

// FoldArith folds int arithmetic of two literals, with Python's // and %.
func FoldArith(op string, l, r Val) (Val, bool) {
	a, ok1 := IntLit(l)
	b, ok2 := IntLit(r)
	if !ok1 || !ok2 {
		return Val{}, false
	}
	switch op {
	case "+":
		return LitInt(a + b), true
	case "-":
		return LitInt(a - b), true
	case "*":
		return LitInt(a * b), true
	case "//":
		if b == 0 {
			return Val{}, false
		}
		q := a / b
		if (a%b != 0) && ((a < 0) != (b < 0)) {
			q--
		}
		return LitInt(q), true
	case "%":
		if b == 0 {
			return Val{}, false
		}
		m := a % b
		if m != 0 && ((m < 0) != (b < 0)) {
			m += b
		}
		return LitInt(m), true
	}
	return Val{}, false
}

// FoldCompare folds a comparison of two int literals.
func FoldCompare(op string, l, r Val) (Val, bool) {
	a, ok1 := IntLit(l)
	b, ok2 := IntLit(r)
	if !ok1 || !ok2 {
		return Val{}, false
	}
	switch op {
	case "<":
		return LitBool(a < b), true
	case "<=":
		return LitBool(a <= b), true
	case ">":
		return LitBool(a > b), true
	case ">=":
		return LitBool(a >= b), true
	case "==":
		return LitBool(a == b), true
	case "!=":
		return LitBool(a != b), true
	}
	return Val{}, false
}

// arith is Python arithmetic on int, float and bool.
func (t *checker) arith(b *syntax.BinOp, l, r Val) Val {
	if v, ok := FoldArith(b.Op, l, r); ok {
		return v
	}
	lt, rt := l.T.Base(), r.T.Base()
	isFloat := lt.Kind == Float || rt.Kind == Float
	switch b.Op {
	case "+", "-", "*":
		if isFloat {
			return tv(TFloat)
		}
		return tv(TInt)
	case "/":
		return tv(TFloat)
	case "//":
		if isFloat {
			return tv(TFloat)
		}
		return tv(TInt)
	case "%":
		if isFloat {
			return t.bad()
		}
		return tv(TInt)
	case "**":
		if !isFloat && IntPowIsInt(b.R, r) {
			return tv(TInt)
		}
		return tv(TFloat)
	case "&", "|", "^", "<<", ">>":
		if isFloat {
			return t.bad()
		}
		return tv(TInt)
	}
	return t.bad()
}

func (t *checker) unary(u *syntax.UnaryOp, en *env) Val {
	if u.Op == "not" {
		c := t.truth(u.X, en)
		if k, ok := ConstBool(c); ok {
			return LitBool(!k)
		}
		return tv(TBool)
	}
	x := t.expr(u.X, en)
	switch {
	case x.T.Kind == Array:
		if u.Op == "-" {
			return tv(TArray)
		}
		if u.Op == "+" {
			return x
		}
	case x.T.Kind == AnyK && u.Op == "-":
		return tv(TAny)
	case x.T.Base().Numeric():
		if u.Op == "-" || u.Op == "+" {
			if x.Lit != nil {
				neg := *x.Lit
				neg.Value = u.Op + neg.Value
				return Val{T: x.T, Lit: &neg}
			}
			return tv(x.T.Base())
		}
		if u.Op == "~" {
			return tv(TInt)
		}
	}
	return t.bad()
}

// truth is Python's truthiness of an expression, as a bool.
func (t *checker) truth(e syntax.Expr, en *env) Val {
	if b, ok := e.(*syntax.BoolOp); ok {
		and := b.Op != "or"
		n := 0
		saved := t.facts
		defer func() { t.facts = saved }()
		for i, x := range b.Values {
			// Each operand is evaluated knowing the previous ones were true
			// (and) or false (or).
			if i > 0 {
				tr, fa := condFacts(b.Values[i-1])
				if and {
					t.facts = union(t.facts, tr)
				} else {
					t.facts = union(t.facts, fa)
				}
			}
			v := t.truth(x, en)
			if k, ok := ConstBool(v); ok {
				if (and && !k) || (!and && k) {
					return v // decided
				}
				continue // neutral
			}
			n++
		}
		if n == 0 {
			return LitBool(and)
		}
		return tv(TBool)
	}
	return TruthOf(t.expr(e, en))
}

// TruthOf is the type of Python's truth of a value: a bool, known when the
// value is a known bool.
func TruthOf(v Val) Val {
	if v.T.Kind == Bool {
		return v
	}
	return tv(TBool)
}

func (t *checker) boolop(b *syntax.BoolOp, en *env) Val {
	vals := make([]Val, len(b.Values))
	allBool, boolish := true, true
	saved := t.facts
	for i, e := range b.Values {
		if i > 0 {
			tr, fa := condFacts(b.Values[i-1])
			if b.Op == "and" {
				t.facts = union(t.facts, tr)
			} else {
				t.facts = union(t.facts, fa)
			}
		}
		vals[i] = t.expr(e, en)
		if vals[i].T.Kind != Bool {
			allBool = false
		}
		if k := vals[i].T; k.Kind != Bool && !(k.Kind == Optional && k.Elem.Kind == Bool) {
			boolish = false
		}
	}
	t.facts = saved
	if allBool || boolish {
		return tv(TBool)
	}
	if nt, ok := numericBoolOp(vals); ok {
		return tv(nt)
	}
	// `x or default`: the first truthy value, with x's falsy values as in Python.
	if b.Op == "or" && len(vals) == 2 {
		a, d := vals[0], vals[1]
		switch {
		case a.T.Kind == Optional:
			res := t.unify(a.T.Elem, d.T)
			if res == nil || res.Kind == Optional {
				return tv(a.T)
			}
			return tv(res)
		case a.T.Kind == Int || a.T.Kind == Float || a.T.Kind == Str:
			if res := t.unify(a.T, d.T); res != nil {
				return tv(res)
			}
		case a.T.Nilable():
			if res := t.unify(a.T, d.T); res != nil {
				return tv(res)
			}
		}
	}
	return t.bad()
}

func (t *checker) compare(c *syntax.Compare, en *env) Val {
	left := t.expr(c.Left, en)
	var parts []Val
	for i, op := range c.Ops {
		right := t.expr(c.Comparators[i], en)
		if op == "is" || op == "is not" {
			if k, ok := c.Comparators[i].(*syntax.Constant); ok && k.Kind == syntax.ConstNone {
				t.mayBeNone(left.Origin)
			}
		}
		if op == "==" || op == "!=" {
			t.mayBeStr(left, c.Comparators[i])
			t.mayBeStr(right, prevExpr(c, i))
		}
		parts = append(parts, t.compare1(op, left, right, c.Comparators[i]))
		left = right
	}
	if len(parts) == 1 {
		return parts[0]
	}
	for _, p := range parts[1:] {
		if p.T.Kind != Bool {
			return t.bad()
		}
	}
	return tv(TBool)
}

func (t *checker) compare1(op string, l, r Val, rn syntax.Expr) Val {
	lt, rt := l.T.Base(), r.T.Base()
	switch op {
	case "is", "is not":
		if r.T.Kind == None {
			if l.T.Kind == None {
				return LitBool(op == "is")
			}
			return tv(TBool)
		}
		return tv(TBool)
	case "in", "not in":
		switch {
		case rt.Kind == Str:
		case rt.Kind == List || rt.Kind == Tuple:
			// x in (a, b): the literal's elements, checked with it.
		case rt.Kind == Dict:
		case rt.Kind == AnyK && lt.Kind != Array && lt.Kind != Unknown:
			// (layer_idx + 1) in kda_layers: a config value's membership.
		case rt.Kind == ClassK && l.Lit != nil && l.Lit.Kind == syntax.ConstStr:
		default:
			return t.bad()
		}
		return tv(TBool)
	}
	if (lt.Kind == AnyK && rt.Numeric()) || (rt.Kind == AnyK && lt.Numeric()) {
		if lt.Kind == AnyK {
			l = tv(TFloat)
		} else {
			r = tv(TFloat)
		}
		lt, rt = l.T, r.T
	}
	if lt.Kind == Array || rt.Kind == Array {
		if _, ok := ArrayCompare[op]; !ok {
			return t.bad()
		}
		return tv(TArray)
	}
	if lt.Numeric() && rt.Numeric() {
		if v, ok := FoldCompare(op, l, r); ok {
			return v
		}
		return tv(TBool)
	}
	if (op == "==" || op == "!=") && ((lt.Kind == Str && rt.Kind == Str) ||
		(lt.Kind == AnyK && rt.Kind != Array) || (rt.Kind == AnyK && lt.Kind != Array)) {
		return tv(TBool)
	}
	if (op == "==" || op == "!=") && (lt.Kind == Str || rt.Kind == Str) && (l.T.Kind == Optional || r.T.Kind == Optional) {
		return tv(TBool)
	}
	if (op == "==" || op == "!=") && lt.Kind == Dtype && rt.Kind == Dtype {
		return tv(TBool)
	}
	if ListEq(op, lt, rt) {
		return tv(TBool) // check_listeq.go
	}
	if DictEq(op, lt, rt) {
		return tv(TBool) // check_dicteq.go
	}
	return t.bad()
}

// prevExpr is the left operand of a chained comparison's i-th operator.
func prevExpr(c *syntax.Compare, i int) syntax.Expr {
	if i == 0 {
		return c.Left
	}
	return c.Comparators[i-1]
}

// unionIntArith is the type of int | array (a cache's offset) in integer
// arithmetic with an int (cache.offset + L): the same union, an int for an
// int offset and an array for a batch cache's; nil for anything else.
func unionIntArith(op string, lt, rt *Type) *Type {
	switch op {
	case "+", "-", "*", "//", "%":
	default:
		return nil
	}
	if lt.Kind == Union && lt.Has(TInt) && lt.Has(TArray) && rt.Kind == Int {
		return lt
	}
	if rt.Kind == Union && rt.Has(TInt) && rt.Has(TArray) && lt.Kind == Int {
		return rt
	}
	return nil
}

// UnionIntArith is unionIntArith for the lowering.
func UnionIntArith(op string, lt, rt *Type) *Type { return unionIntArith(op, lt, rt) }
