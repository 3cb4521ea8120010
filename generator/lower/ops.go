package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

var mlxBinary, mlxCompare = types.ArrayBinary, types.ArrayCompare

// weak wraps a Python number as an MLX weak scalar (mlx.Int / mlx.Float), so
// it takes the array operand's dtype exactly as in Python.
func (t *translator) weak(v val) model.Expr {
	if v.t.Kind == types.Union {
		return call(t.qual("py", "AsArray"), v.c)
	}
	if v.t.Kind == types.Optional && v.t.Base().Numeric() {
		// An Optional number in arithmetic (after an `is not None` test):
		// read it; None would be Python's TypeError.
		v = prim(call(t.qual("py", "Deref"), v.c, lit("operand")), v.t.Base())
	}
	switch v.t.Base().Kind {
	case types.Int:
		return call(t.qual("mlx", "Int"), v.c)
	case types.Bool:
		return call(t.qual("mlx", "BoolScalar"), v.c)
	case types.Float:
		return call(t.qual("mlx", "Float"), v.c)
	}
	return v.c
}

func (t *translator) binop(b *syntax.BinOp, en *env) val {
	l, r := t.expr(b.L, en), t.expr(b.R, en)
	if l.t.Kind == types.Mask || r.t.Kind == types.Mask {
		l, r = t.maskAsArray(l), t.maskAsArray(r)
	}
	lt, rt := l.t.Base(), r.t.Base()
	if v, ok := t.setDiff(b.Op, l, r); ok {
		return v
	}
	if u := types.UnionIntArith(b.Op, lt, rt); u != nil {
		// int | array with an int: Python's int arithmetic or the array's.
		return prim(call(t.qual("py", "OffsetArith"), lit(b.Op), t.deref(l, b.L), t.deref(r, b.R)), u)
	}
	if (lt.Kind == types.Array && rt.Kind == types.AnyK) || (rt.Kind == types.Array && lt.Kind == types.AnyK) {
		if lt.Kind == types.AnyK {
			l = prim(call(t.qual("py", "Float"), l.c), types.TFloat)
		} else {
			r = prim(call(t.qual("py", "Float"), r.c), types.TFloat)
		}
		lt, rt = l.t, r.t
	}
	if lt.Kind == types.Array || rt.Kind == types.Array {
		fn, ok := mlxBinary[b.Op]
		if !ok {
			return t.bad(b, "operator "+b.Op, "on arrays")
		}
		if !(lt.Kind == types.Array || lt.Numeric() || lt.Kind == types.Union) || !(rt.Kind == types.Array || rt.Numeric() || rt.Kind == types.Union) {
			return t.bad(b, "operator "+b.Op, "between %s and %s", l.t, r.t)
		}
		return prim(call(t.qual("mlx", fn), t.weak(l), t.weak(r)), types.TArray)
	}
	if (lt.Numeric() || lt.Kind == types.AnyK) && (rt.Numeric() || rt.Kind == types.AnyK) && (lt.Kind == types.AnyK || rt.Kind == types.AnyK) &&
		lt.Kind != types.Float && rt.Kind != types.Float && b.Op != "/" && b.Op != "**" {
		// A config value (Any) with an int: Python's result is an int or a
		// float depending on the value, so it stays Any and is read as the
		// type its use needs (rt.Int raises on a fraction, rt.Float widens).
		return prim(call(t.qual("py", "Arith"), lit(b.Op), t.deref(l, b.L), t.deref(r, b.R)), types.TAny)
	}
	if (lt.Numeric() || lt.Kind == types.AnyK) && (rt.Numeric() || rt.Kind == types.AnyK) && (lt.Kind == types.AnyK || rt.Kind == types.AnyK) {
		// A config value (Any) in float arithmetic: Python would use its number.
		if lt.Kind == types.AnyK {
			l = prim(call(t.qual("py", "Float"), l.c), types.TFloat)
		}
		if rt.Kind == types.AnyK {
			r = prim(call(t.qual("py", "Float"), r.c), types.TFloat)
		}
		lt, rt = l.t, r.t
	}
	if lt.Numeric() && rt.Numeric() {
		return t.arith(b, l, r)
	}
	switch {
	case b.Op == "+" && lt.Kind == types.Str && rt.Kind == types.Str:
		return val{c: bin("+", paren(l, precAdd), paren(r, precAdd+1)), t: types.TStr, prec: precAdd}
	case b.Op == "+" && (lt.Kind == types.List || lt.Kind == types.Tuple) && (rt.Kind == types.List || rt.Kind == types.Tuple):
		et := t.unify(lt.Homogeneous(), rt.Homogeneous())
		if et == nil {
			return t.bad(b, "list +", "of %s and %s", l.t, r.t)
		}
		// Lists of two cache classes joined (make_cache's
		// [KVCache() ...] + [RotatingKVCache() ...]): each a list of the
		// unified type first, as Python's lists hold either.
		widen := func(v val) model.Expr {
			if h := v.t.Base().Homogeneous(); h != nil && model.Dump(t.goType(h)) != model.Dump(t.goType(et)) {
				return typeCall(t.qual("py", "Widen"), t.goType(et), v.c)
			}
			return v.c
		}
		return prim(call(t.qual("slices", "Concat"), widen(l), widen(r)), types.ListOf(et))
	case b.Op == "*" && (lt.Kind == types.List || lt.Kind == types.Tuple) && rt.Kind == types.Int:
		return t.listRepeat(b, b.L, l, r, en)
	case b.Op == "*" && lt.Kind == types.Int && (rt.Kind == types.List || rt.Kind == types.Tuple) && types.PureOperand(b.L):
		// n * xs (lower_listrepeat.go)
		return t.listRepeat(b, b.R, r, l, en)
	}
	return t.bad(b, "operator "+b.Op, "between %s and %s", l.t, r.t)
}

// arith is Python arithmetic on int, float and bool.
func (t *translator) arith(b *syntax.BinOp, l, r val) val {
	if v, ok := foldArith(b.Op, l, r); ok {
		return v
	}
	lt, rt := l.t.Base(), r.t.Base()
	isFloat := lt.Kind == types.Float || rt.Kind == types.Float
	// num reads operand v (the Python expression at node) as a number.
	num := func(v val, node syntax.Node, asFloat bool) model.Expr {
		c := t.deref(v, node)
		if v.t.Base().Kind == types.Bool && v.lit == nil {
			// A bool in arithmetic is the int 0 or 1 (full_blocks + bool(tail)).
			c = call(t.qual("py", "BoolToInt"), c)
		}
		if asFloat && v.t.Base().Kind != types.Float {
			if v.lit != nil {
				return rawLit(v.lit.Value + ".0")
			}
			return conv("float64", c)
		}
		return c
	}
	switch b.Op {
	case "+", "-", "*":
		p := precAdd
		if b.Op == "*" {
			p = precMul
		}
		res := types.TInt
		if isFloat {
			res = types.TFloat
		}
		lv := val{c: num(l, b.L, isFloat), prec: l.prec}
		rv := val{c: num(r, b.R, isFloat), prec: r.prec}
		return val{c: bin(b.Op, paren(lv, p), paren(rv, p+1)), t: res, prec: p}
	case "/":
		lv := val{c: num(l, b.L, true), prec: l.prec}
		rv := val{c: num(r, b.R, true), prec: r.prec}
		if l.t.Base().Kind != types.Float {
			lv.prec = precPrimary
		}
		if r.t.Base().Kind != types.Float {
			rv.prec = precPrimary
		}
		return val{c: bin("/", paren(lv, precMul), paren(rv, precMul+1)), t: types.TFloat, prec: precMul}
	case "//":
		if isFloat {
			return prim(call(t.qual("math", "Floor"), bin("/", num(l, b.L, true), num(r, b.R, true))), types.TFloat)
		}
		return prim(call(t.qual("py", "FloorDiv"), num(l, b.L, false), num(r, b.R, false)), types.TInt)
	case "%":
		if isFloat {
			return t.bad(b, "operator %", "on floats")
		}
		return prim(call(t.qual("py", "Mod"), num(l, b.L, false), num(r, b.R, false)), types.TInt)
	case "**":
		if !isFloat && types.IntPowIsInt(b.R, types.Val{T: r.t, Lit: r.lit}) {
			// int ** int is an int unless the exponent is negative (check_numbers.go).
			return prim(call(t.qual("py", "PowInt"), num(l, b.L, false), num(r, b.R, false)), types.TInt)
		}
		return prim(call(t.qual("math", "Pow"), num(l, b.L, true), num(r, b.R, true)), types.TFloat)
	case "&", "|", "^", "<<", ">>":
		if isFloat {
			return t.bad(b, "operator "+b.Op, "on floats")
		}
		return val{c: bin(b.Op, paren(l, precMul), paren(r, precMul+1)), t: types.TInt, prec: precMul}
	}
	return t.bad(b, "operator "+b.Op, "on numbers")
}

// deref reads an Optional number as a plain one (None is a TypeError, as in Python).
func (t *translator) deref(v val, n syntax.Node) model.Expr {
	if v.t.Kind == types.Optional {
		return call(t.qual("py", "Deref"), v.c, lit(exprText(n)))
	}
	return v.c
}

func (t *translator) unary(u *syntax.UnaryOp, en *env) val {
	if u.Op == "not" {
		c := t.truth(u.X, en)
		if k, ok := constBool(c); ok {
			v := prim(lit(!k), types.TBool)
			v.lit = &syntax.Constant{Kind: map[bool]syntax.ConstKind{true: syntax.ConstTrue, false: syntax.ConstFalse}[!k]}
			return v
		}
		return val{c: un("!", paren(c, precUnary)), t: types.TBool, prec: precUnary}
	}
	x := t.expr(u.X, en)
	switch {
	case x.t.Kind == types.Array:
		if u.Op == "-" {
			return prim(call(t.qual("mlx", "Negative"), x.c), types.TArray)
		}
		if u.Op == "+" {
			return x
		}
	case x.t.Kind == types.AnyK && u.Op == "-":
		return prim(call(t.qual("py", "Arith"), lit("-"), lit(0), x.c), types.TAny)
	case x.t.Base().Numeric():
		if u.Op == "-" || u.Op == "+" {
			if x.lit != nil {
				v := val{c: un(u.Op, x.c), t: x.t, prec: precUnary}
				neg := *x.lit
				neg.Value = u.Op + neg.Value
				v.lit = &neg
				return v
			}
			return val{c: un(u.Op, paren(val{c: t.deref(x, u), prec: x.prec}, precUnary)), t: x.t.Base(), prec: precUnary}
		}
		if u.Op == "~" {
			return val{c: un("^", paren(x, precUnary)), t: types.TInt, prec: precUnary}
		}
	}
	return t.bad(u, "unary "+u.Op, "on %s", x.t)
}

// truth is Python's truthiness of an expression, as a Go bool.
func (t *translator) truth(e syntax.Expr, en *env) val {
	if b, ok := e.(*syntax.BoolOp); ok {
		// In a condition, `a and b` is truth(a) && truth(b), whatever a and b are.
		op, p := "&&", precAnd
		if b.Op == "or" {
			op, p = "||", precOr
		}
		var parts []val
		for _, x := range b.Values {
			v := t.truth(x, en)
			if k, ok := constBool(v); ok {
				if (op == "&&" && !k) || (op == "||" && k) {
					return v // decided
				}
				continue // neutral
			}
			parts = append(parts, v)
		}
		if len(parts) == 0 {
			v := prim(lit(op == "&&"), types.TBool)
			v.lit = &syntax.Constant{Kind: map[bool]syntax.ConstKind{true: syntax.ConstTrue, false: syntax.ConstFalse}[op == "&&"]}
			return v
		}
		c := paren(parts[0], p)
		for _, v := range parts[1:] {
			c = bin(op, c, paren(v, p+1))
		}
		return val{c: c, t: types.TBool, prec: p}
	}
	v := t.expr(e, en)
	return t.truthOf(v, e)
}

func (t *translator) truthOf(v val, n syntax.Node) val {
	switch v.t.Kind {
	case types.Bool:
		return v
	case types.Int, types.Float:
		return val{c: bin("!=", paren(v, precCmp), lit(0)), t: types.TBool, prec: precCmp}
	case types.Str:
		return val{c: bin("!=", paren(v, precCmp), lit("")), t: types.TBool, prec: precCmp}
	case types.Optional:
		// `if x:` on Optional[int]: not None and not zero.
		return prim(call(t.qual("py", "Bool"), call(t.qual("py", "OrPtr"), v.c, t.zero(v.t.Elem))), types.TBool)
	case types.List, types.Dict, types.Tuple:
		return val{c: bin(">", call(id("len"), v.c), lit(0)), t: types.TBool, prec: precCmp}
	case types.ClassK, types.Ext:
		return val{c: bin("!=", paren(v, precCmp), nilLit()), t: types.TBool, prec: precCmp}
	case types.AnyK:
		// No static type: Python's truthiness at run time ({} and 0 are
		// false, not only None).
		return prim(call(t.qual("py", "Truthy"), v.c), types.TBool)
	case types.Mask:
		return val{c: bin("!=", paren(v, precCmp), t.qual("mlx", "NoMask")), t: types.TBool, prec: precCmp}
	case types.None:
		return prim(lit(false), types.TBool)
	}
	t.fail(n, "truth value", "of a %s", v.t)
	return prim(lit(false), types.TBool)
}

func (t *translator) boolop(b *syntax.BoolOp, en *env) val {
	vals := make([]val, len(b.Values))
	allBool, boolish := true, true
	for i, e := range b.Values {
		vals[i] = t.expr(e, en)
		if vals[i].t.Kind != types.Bool {
			allBool = false
		}
		if k := vals[i].t; k.Kind != types.Bool && !(k.Kind == types.Optional && k.Elem.Kind == types.Bool) {
			boolish = false
		}
	}
	if !allBool && boolish {
		// bools and Optional[bool]s: Python returns one of the operands, whose
		// truth is all that is used; None counts as False.
		for i := range vals {
			vals[i] = t.truthOf(vals[i], b.Values[i])
		}
		allBool = true
	}
	if allBool {
		op, p := "&&", precAnd
		if b.Op == "or" {
			op, p = "||", precOr
		}
		c := paren(vals[0], p)
		for _, v := range vals[1:] {
			c = bin(op, c, paren(v, p+1))
		}
		return val{c: c, t: types.TBool, prec: p}
	}
	// `x or default`: the first truthy value, with x's falsy values as in Python.
	if b.Op == "or" && len(vals) == 2 {
		a, d := vals[0], vals[1]
		switch {
		case a.t.Kind == types.Optional:
			res := t.unify(a.t.Elem, d.t)
			if res == nil || res.Kind == types.Optional {
				res = a.t
				return prim(closure(t.goType(res),
					&model.If{Cond: t.truthOf(a, b).c, Then: []model.Stmt{ret(a.c)}},
					ret(t.coerce(d, res, b))), res)
			}
			return prim(call(t.qual("py", "OrPtr"), a.c, t.coerce(d, res, b)), res)
		case a.t.Kind == types.Int || a.t.Kind == types.Float || a.t.Kind == types.Str:
			res := t.unify(a.t, d.t)
			if res == nil {
				break
			}
			return prim(call(t.qual("py", "Or"), t.coerce(a, res, b), t.coerce(d, res, b)), res)
		case a.t.Nilable():
			res := t.unify(a.t, d.t)
			if res == nil {
				break
			}
			return prim(closure(t.goType(res),
				&model.If{Cond: t.truthOf(a, b).c, Then: []model.Stmt{ret(t.coerce(a, res, b))}},
				ret(t.coerce(d, res, b))), res)
		}
	}
	if v, ok := t.numericBoolOp(b, vals); ok {
		return v
	}
	return t.bad(b, "boolean "+b.Op, "on non-bool operands (%s)", vals[0].t)
}

func (t *translator) compare(c *syntax.Compare, en *env) val {
	left, ln := t.expr(c.Left, en), c.Left
	var parts []val
	for i, op := range c.Ops {
		right := t.expr(c.Comparators[i], en)
		parts = append(parts, t.compare1(c, op, left, right, ln, c.Comparators[i], en))
		left, ln = right, c.Comparators[i]
	}
	if len(parts) == 1 {
		return parts[0]
	}
	code := paren(parts[0], precAnd)
	for _, p := range parts[1:] {
		if p.t.Kind != types.Bool {
			return t.bad(c, "chained comparison", "of arrays")
		}
		code = bin("&&", code, paren(p, precAnd+1))
	}
	return val{c: code, t: types.TBool, prec: precAnd}
}

func (t *translator) compare1(n syntax.Node, op string, l, r val, ln, rn syntax.Expr, en *env) val {
	lt, rt := l.t.Base(), r.t.Base()
	boolv := func(c model.Expr) val { return val{c: c, t: types.TBool, prec: precCmp} }
	switch op {
	case "is", "is not":
		goOp := "=="
		if op == "is not" {
			goOp = "!="
		}
		if r.t.Kind == types.None {
			if l.t.Kind == types.Mask {
				return boolv(bin(goOp, paren(l, precCmp), t.qual("mlx", "NoMask")))
			}
			if l.t.Kind == types.None {
				v := prim(lit(goOp == "=="), types.TBool)
				v.lit = &syntax.Constant{Kind: map[bool]syntax.ConstKind{true: syntax.ConstTrue, false: syntax.ConstFalse}[goOp == "=="]}
				return v
			}
			if !l.t.Nilable() && l.t.Kind != types.Optional {
				// A value that can never be None.
				return prim(lit(goOp != "=="), types.TBool)
			}
			return boolv(bin(goOp, paren(l, precCmp), nilLit()))
		}
		return boolv(bin(goOp, paren(l, precCmp), paren(r, precCmp+1)))
	case "in", "not in":
		neg := op == "not in"
		var c model.Expr
		switch {
		case rt.Kind == types.Str:
			c = call(t.qual("strings", "Contains"), r.c, l.c)
		case rt.Kind == types.List || rt.Kind == types.Tuple:
			var lits []syntax.Expr
			switch lit := rn.(type) {
			case *syntax.Tuple:
				lits = lit.Elts
			case *syntax.List:
				lits = lit.Elts
			case *syntax.Set:
				lits = lit.Elts
			}
			if lits != nil {
				// x in ("a", "b"): a chain of equalities.
				var ors []model.Expr
				for _, e := range lits {
					ors = append(ors, bin("==", paren(l, precCmp), t.expr(e, en).c))
				}
				cc := ors[0]
				for _, o := range ors[1:] {
					cc = bin("||", cc, o)
				}
				c = par(cc)
			} else {
				c = call(t.qual("slices", "Contains"), r.c, l.c)
			}
		case rt.Kind == types.Dict:
			c = call(t.qual("py", "Has"), r.c, l.c)
		case rt.Kind == types.AnyK:
			c = call(t.qual("py", "ContainsAny"), r.c, l.c)
		case rt.Kind == types.ClassK && l.lit != nil && l.lit.Kind == syntax.ConstStr:
			// "weight" in self: the module has that parameter (a nil field
			// is one __init__ did not set).
			cls := t.u.ByClass[rt.Name]
			f, ok := cls.ByName[l.lit.Value]
			if !ok {
				c = lit(false)
			} else if f.Type.Nilable() || f.Type.Kind == types.Optional {
				c = par(bin("!=", sel(paren(r, precPrimary), f.Go), nilLit()))
			} else {
				c = lit(true)
			}
		default:
			return t.bad(n, "operator "+op, "on %s", r.t)
		}
		if neg {
			return val{c: un("!", c), t: types.TBool, prec: precUnary}
		}
		return prim(c, types.TBool)
	}
	if (lt.Kind == types.AnyK && rt.Numeric()) || (rt.Kind == types.AnyK && lt.Numeric()) {
		if lt.Kind == types.AnyK {
			l = prim(call(t.qual("py", "Float"), l.c), types.TFloat)
		} else {
			r = prim(call(t.qual("py", "Float"), r.c), types.TFloat)
		}
		lt, rt = l.t, r.t
	}
	if lt.Kind == types.Array || rt.Kind == types.Array {
		fn, ok := mlxCompare[op]
		if !ok {
			return t.bad(n, "comparison "+op, "on arrays")
		}
		return prim(call(t.qual("mlx", fn), t.weak(l), t.weak(r)), types.TArray)
	}
	if lt.Numeric() && rt.Numeric() {
		if v, ok := foldCompare(op, l, r); ok {
			return v
		}
		lc, rc := t.deref(l, ln), t.deref(r, rn)
		if lt.Kind != rt.Kind {
			if lt.Kind != types.Float && l.lit == nil {
				lc = conv("float64", lc)
			}
			if rt.Kind != types.Float && r.lit == nil {
				rc = conv("float64", rc)
			}
		}
		return boolv(bin(op, paren(val{c: lc, prec: l.prec}, precCmp+1), paren(val{c: rc, prec: r.prec}, precCmp+1)))
	}
	if (op == "==" || op == "!=") && ((lt.Kind == types.Str && rt.Kind == types.Str) ||
		(lt.Kind == types.AnyK && rt.Kind != types.Array) || (rt.Kind == types.AnyK && lt.Kind != types.Array)) {
		return boolv(bin(op, l.c, r.c))
	}
	if (op == "==" || op == "!=") && (lt.Kind == types.Str || rt.Kind == types.Str) && (l.t.Kind == types.Optional || r.t.Kind == types.Optional) {
		// Optional[str] == "x": None never equals a string.
		opt, s := l, r
		if r.t.Kind == types.Optional {
			opt, s = r, l
		}
		c := par(bin("&&", bin("!=", opt.c, nilLit()), bin("==", un("*", opt.c), s.c)))
		if op == "!=" {
			return val{c: un("!", c), t: types.TBool, prec: precUnary}
		}
		return prim(c, types.TBool)
	}
	if (op == "==" || op == "!=") && lt.Kind == types.Dtype && rt.Kind == types.Dtype {
		return boolv(bin(op, l.c, r.c))
	}
	if v, ok := t.listEq(op, l, r); ok {
		return v
	}
	if v, ok := t.dictEq(op, l, r); ok {
		return v // lower_dicteq.go
	}
	return t.bad(n, "comparison "+op, "between %s and %s", l.t, r.t)
}
