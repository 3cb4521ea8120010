package emit

import (
	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

var mlxBinary = map[string]string{"+": "Add", "-": "Subtract", "*": "Multiply", "/": "Divide", "//": "FloorDivide",
	"%": "Remainder", "**": "Power", "@": "Matmul", "&": "LogicalAnd", "|": "LogicalOr"}

var mlxCompare = map[string]string{"<": "Less", "<=": "LessEqual", ">": "Greater", ">=": "GreaterEqual",
	"==": "Equal", "!=": "NotEqual"}

// weak wraps a Python number as an MLX weak scalar (mlx.Int / mlx.Float), so
// it takes the array operand's dtype exactly as in Python.
func (t *translator) weak(v val) jen.Code {
	if v.t.Kind == types.Optional && v.t.Base().Numeric() {
		// An Optional number in arithmetic (after an `is not None` test):
		// read it; None would be Python's TypeError.
		v = prim(t.qual("py", "Deref").Call(v.c, jen.Lit("operand")), v.t.Base())
	}
	switch v.t.Base().Kind {
	case types.Int:
		return t.qual("mlx", "Int").Call(v.c)
	case types.Bool:
		return t.qual("mlx", "BoolScalar").Call(v.c)
	case types.Float:
		return t.qual("mlx", "Float").Call(v.c)
	}
	return v.c
}

func (t *translator) binop(b *syntax.BinOp, en *env) val {
	l, r := t.expr(b.L, en), t.expr(b.R, en)
	if l.t.Kind == types.Mask || r.t.Kind == types.Mask {
		l, r = t.maskAsArray(l), t.maskAsArray(r)
	}
	lt, rt := l.t.Base(), r.t.Base()
	if (lt.Kind == types.Array && rt.Kind == types.AnyK) || (rt.Kind == types.Array && lt.Kind == types.AnyK) {
		if lt.Kind == types.AnyK {
			l = prim(t.qual("rt", "Float").Call(l.c), types.TFloat)
		} else {
			r = prim(t.qual("rt", "Float").Call(r.c), types.TFloat)
		}
		lt, rt = l.t, r.t
	}
	if lt.Kind == types.Array || rt.Kind == types.Array {
		fn, ok := mlxBinary[b.Op]
		if !ok {
			return t.bad(b, "operator "+b.Op, "on arrays")
		}
		if !(lt.Kind == types.Array || lt.Numeric()) || !(rt.Kind == types.Array || rt.Numeric()) {
			return t.bad(b, "operator "+b.Op, "between %s and %s", l.t, r.t)
		}
		return prim(t.qual("mlx", fn).Call(t.weak(l), t.weak(r)), types.TArray)
	}
	if (lt.Numeric() || lt.Kind == types.AnyK) && (rt.Numeric() || rt.Kind == types.AnyK) && (lt.Kind == types.AnyK || rt.Kind == types.AnyK) &&
		lt.Kind != types.Float && rt.Kind != types.Float && b.Op != "/" && b.Op != "**" {
		// A config value (Any) with an int: Python's result is an int or a
		// float depending on the value, so it stays Any and is read as the
		// type its use needs (rt.Int raises on a fraction, rt.Float widens).
		return prim(t.qual("rt", "Arith").Call(jen.Lit(b.Op), t.deref(l, b.L), t.deref(r, b.R)), types.TAny)
	}
	if (lt.Numeric() || lt.Kind == types.AnyK) && (rt.Numeric() || rt.Kind == types.AnyK) && (lt.Kind == types.AnyK || rt.Kind == types.AnyK) {
		// A config value (Any) in float arithmetic: Python would use its number.
		if lt.Kind == types.AnyK {
			l = prim(t.qual("rt", "Float").Call(l.c), types.TFloat)
		}
		if rt.Kind == types.AnyK {
			r = prim(t.qual("rt", "Float").Call(r.c), types.TFloat)
		}
		lt, rt = l.t, r.t
	}
	if lt.Numeric() && rt.Numeric() {
		return t.arith(b, l, r)
	}
	switch {
	case b.Op == "+" && lt.Kind == types.Str && rt.Kind == types.Str:
		return val{c: jen.Add(paren(l, precAdd)).Op("+").Add(paren(r, precAdd+1)), t: types.TStr, prec: precAdd}
	case b.Op == "+" && (lt.Kind == types.List || lt.Kind == types.Tuple) && (rt.Kind == types.List || rt.Kind == types.Tuple):
		et := t.unify(lt.Homogeneous(), rt.Homogeneous())
		if et == nil {
			return t.bad(b, "list +", "of %s and %s", l.t, r.t)
		}
		return prim(t.qual("py", "Cat").Call(l.c, r.c), types.ListOf(et))
	case b.Op == "*" && (lt.Kind == types.List || lt.Kind == types.Tuple) && rt.Kind == types.Int:
		if lst, ok := b.L.(*syntax.List); ok && len(lst.Elts) == 1 {
			e := t.expr(lst.Elts[0], en)
			et := e.t
			if et.Kind == types.None {
				// [None] * n: the element type is the assigned variable's.
				et = types.TUnknown
				if h := t.hint; h != nil && h.Kind == types.List && h.Elem.Kind != types.Unknown {
					et = h.Elem
					return prim(t.qual("py", "Repeat").Types(t.goType(et)).Call(jen.Nil(), r.c), types.ListOf(et))
				}
			}
			return prim(t.qual("py", "Repeat").Call(e.c, r.c), types.ListOf(et))
		}
		et := lt.Homogeneous()
		if et == nil {
			return t.bad(b, "list *", "of a mixed tuple")
		}
		return prim(t.qual("py", "RepeatList").Call(l.c, r.c), types.ListOf(et))
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
	num := func(v val, asFloat bool) jen.Code {
		c := t.deref(v, b)
		if asFloat && v.t.Base().Kind != types.Float {
			if v.lit != nil {
				return jen.Op(v.lit.Value + ".0")
			}
			return jen.Float64().Call(c)
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
		lv := val{c: num(l, isFloat), prec: l.prec}
		rv := val{c: num(r, isFloat), prec: r.prec}
		return val{c: jen.Add(paren(lv, p)).Op(b.Op).Add(paren(rv, p+1)), t: res, prec: p}
	case "/":
		lv := val{c: num(l, true), prec: l.prec}
		rv := val{c: num(r, true), prec: r.prec}
		if l.t.Base().Kind != types.Float {
			lv.prec = precPrimary
		}
		if r.t.Base().Kind != types.Float {
			rv.prec = precPrimary
		}
		return val{c: jen.Add(paren(lv, precMul)).Op("/").Add(paren(rv, precMul+1)), t: types.TFloat, prec: precMul}
	case "//":
		if isFloat {
			t.imports["math"] = true
			return prim(jen.Qual("math", "Floor").Call(jen.Add(num(l, true)).Op("/").Add(num(r, true))), types.TFloat)
		}
		return prim(t.qual("py", "FloorDiv").Call(num(l, false), num(r, false)), types.TInt)
	case "%":
		if isFloat {
			return t.bad(b, "operator %", "on floats")
		}
		return prim(t.qual("py", "Mod").Call(num(l, false), num(r, false)), types.TInt)
	case "**":
		if !isFloat && r.lit != nil {
			return prim(t.qual("py", "PowInt").Call(num(l, false), num(r, false)), types.TInt)
		}
		t.imports["math"] = true
		return prim(jen.Qual("math", "Pow").Call(num(l, true), num(r, true)), types.TFloat)
	case "&", "|", "^", "<<", ">>":
		if isFloat {
			return t.bad(b, "operator "+b.Op, "on floats")
		}
		return val{c: jen.Add(paren(l, precMul)).Op(b.Op).Add(paren(r, precMul+1)), t: types.TInt, prec: precMul}
	}
	return t.bad(b, "operator "+b.Op, "on numbers")
}

// deref reads an Optional number as a plain one (None is a TypeError, as in Python).
func (t *translator) deref(v val, n syntax.Node) jen.Code {
	if v.t.Kind == types.Optional {
		return t.qual("py", "Deref").Call(v.c, jen.Lit(exprText(n)))
	}
	return v.c
}

func (t *translator) unary(u *syntax.UnaryOp, en *env) val {
	if u.Op == "not" {
		c := t.truth(u.X, en)
		if k, ok := constBool(c); ok {
			v := prim(jen.Lit(!k), types.TBool)
			v.lit = &syntax.Constant{Kind: map[bool]syntax.ConstKind{true: syntax.ConstTrue, false: syntax.ConstFalse}[!k]}
			return v
		}
		return val{c: jen.Op("!").Add(paren(c, precUnary)), t: types.TBool, prec: precUnary}
	}
	x := t.expr(u.X, en)
	switch {
	case x.t.Kind == types.Array:
		if u.Op == "-" {
			return prim(t.qual("mlx", "Negative").Call(x.c), types.TArray)
		}
		if u.Op == "+" {
			return x
		}
	case x.t.Kind == types.AnyK && u.Op == "-":
		return prim(t.qual("rt", "Arith").Call(jen.Lit("-"), jen.Lit(0), x.c), types.TAny)
	case x.t.Base().Numeric():
		if u.Op == "-" || u.Op == "+" {
			if x.lit != nil {
				v := val{c: jen.Op(u.Op).Add(x.c), t: x.t, prec: precUnary}
				neg := *x.lit
				neg.Value = u.Op + neg.Value
				v.lit = &neg
				return v
			}
			return val{c: jen.Op(u.Op).Add(paren(val{c: t.deref(x, u), prec: x.prec}, precUnary)), t: x.t.Base(), prec: precUnary}
		}
		if u.Op == "~" {
			return val{c: jen.Op("^").Add(paren(x, precUnary)), t: types.TInt, prec: precUnary}
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
			v := prim(jen.Lit(op == "&&"), types.TBool)
			v.lit = &syntax.Constant{Kind: map[bool]syntax.ConstKind{true: syntax.ConstTrue, false: syntax.ConstFalse}[op == "&&"]}
			return v
		}
		c := paren(parts[0], p)
		for _, v := range parts[1:] {
			c = jen.Add(c).Op(op).Add(paren(v, p+1))
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
		return val{c: jen.Add(paren(v, precCmp)).Op("!=").Lit(0), t: types.TBool, prec: precCmp}
	case types.Str:
		return val{c: jen.Add(paren(v, precCmp)).Op("!=").Lit(""), t: types.TBool, prec: precCmp}
	case types.Optional:
		// `if x:` on Optional[int]: not None and not zero.
		return prim(t.qual("py", "Bool").Call(t.qual("py", "OrPtr").Call(v.c, t.zero(v.t.Elem))), types.TBool)
	case types.List, types.Dict, types.Tuple:
		return val{c: jen.Len(v.c).Op(">").Lit(0), t: types.TBool, prec: precCmp}
	case types.Class, types.Ext:
		return val{c: jen.Add(paren(v, precCmp)).Op("!=").Nil(), t: types.TBool, prec: precCmp}
	case types.AnyK:
		// No static type: Python's truthiness at run time ({} and 0 are
		// false, not only None).
		return prim(t.qual("py", "Truthy").Call(v.c), types.TBool)
	case types.Mask:
		return val{c: jen.Add(paren(v, precCmp)).Op("!=").Add(t.qual("mlx", "NoMask")), t: types.TBool, prec: precCmp}
	case types.None:
		return prim(jen.False(), types.TBool)
	case types.Unknown:
		if t.dry {
			return prim(jen.False(), types.TBool)
		}
	}
	t.fail(n, "truth value", "of a %s", v.t)
	return prim(jen.False(), types.TBool)
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
			c = jen.Add(c).Op(op).Add(paren(v, p+1))
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
				return prim(jen.Func().Params().Add(t.goType(res)).Block(
					jen.If(t.truthOf(a, b).c).Block(jen.Return(a.c)),
					jen.Return(t.coerce(d, res, b))).Call(), res)
			}
			return prim(t.qual("py", "OrPtr").Call(a.c, t.coerce(d, res, b)), res)
		case a.t.Kind == types.Int || a.t.Kind == types.Float || a.t.Kind == types.Str:
			res := t.unify(a.t, d.t)
			if res == nil {
				break
			}
			return prim(t.qual("py", "Or").Call(t.coerce(a, res, b), t.coerce(d, res, b)), res)
		case a.t.Nilable():
			res := t.unify(a.t, d.t)
			if res == nil {
				break
			}
			return prim(jen.Func().Params().Add(t.goType(res)).Block(
				jen.If(t.truthOf(a, b).c).Block(jen.Return(t.coerce(a, res, b))),
				jen.Return(t.coerce(d, res, b))).Call(), res)
		}
	}
	return t.bad(b, "boolean "+b.Op, "on non-bool operands (%s)", vals[0].t)
}

func (t *translator) compare(c *syntax.Compare, en *env) val {
	left := t.expr(c.Left, en)
	var parts []val
	for i, op := range c.Ops {
		right := t.expr(c.Comparators[i], en)
		parts = append(parts, t.compare1(c, op, left, right, c.Comparators[i]))
		left = right
	}
	if len(parts) == 1 {
		return parts[0]
	}
	code := paren(parts[0], precAnd)
	for _, p := range parts[1:] {
		if p.t.Kind != types.Bool {
			return t.bad(c, "chained comparison", "of arrays")
		}
		code = jen.Add(code).Op("&&").Add(paren(p, precAnd+1))
	}
	return val{c: code, t: types.TBool, prec: precAnd}
}

func (t *translator) compare1(n syntax.Node, op string, l, r val, rn syntax.Expr) val {
	lt, rt := l.t.Base(), r.t.Base()
	boolv := func(c jen.Code) val { return val{c: c, t: types.TBool, prec: precCmp} }
	switch op {
	case "is", "is not":
		goOp := "=="
		if op == "is not" {
			goOp = "!="
		}
		if r.t.Kind == types.None {
			if l.t.Kind == types.Mask {
				return boolv(jen.Add(paren(l, precCmp)).Op(goOp).Add(t.qual("mlx", "NoMask")))
			}
			if l.t.Kind == types.None {
				v := prim(jen.Lit(goOp == "=="), types.TBool)
				v.lit = &syntax.Constant{Kind: map[bool]syntax.ConstKind{true: syntax.ConstTrue, false: syntax.ConstFalse}[goOp == "=="]}
				return v
			}
			if !l.t.Nilable() && l.t.Kind != types.Optional {
				// A value that can never be None.
				if t.dry || l.t.Kind == types.Unknown {
					return prim(jen.Lit(goOp != "=="), types.TBool)
				}
				return prim(jen.Lit(goOp != "=="), types.TBool)
			}
			return boolv(jen.Add(paren(l, precCmp)).Op(goOp).Nil())
		}
		return boolv(jen.Add(paren(l, precCmp)).Op(goOp).Add(paren(r, precCmp+1)))
	case "in", "not in":
		neg := op == "not in"
		var c jen.Code
		switch {
		case rt.Kind == types.Str:
			t.imports["strings"] = true
			c = jen.Qual("strings", "Contains").Call(r.c, l.c)
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
				var ors []jen.Code
				for _, e := range lits {
					ors = append(ors, jen.Add(paren(l, precCmp)).Op("==").Add(t.expr(e, &env{vars: map[string]*types.Type{}}).c))
				}
				cc := ors[0]
				for _, o := range ors[1:] {
					cc = jen.Add(cc).Op("||").Add(o)
				}
				c = jen.Parens(cc)
			} else {
				c = t.qual("py", "Contains").Call(r.c, l.c)
			}
		case rt.Kind == types.Dict:
			c = t.qual("rt", "Has").Call(r.c, l.c)
		case rt.Kind == types.Class && l.lit != nil && l.lit.Kind == syntax.ConstStr:
			// "weight" in self: the module has that parameter (a nil field
			// is one __init__ did not set).
			cls := t.byClass[rt.Name]
			f, ok := cls.byName[l.lit.Value]
			if !ok {
				c = jen.False()
			} else if f.typ.Nilable() || f.typ.Kind == types.Optional {
				c = jen.Parens(jen.Add(paren(r, precPrimary)).Dot(f.goName).Op("!=").Nil())
			} else {
				c = jen.True()
			}
		default:
			return t.bad(n, "operator "+op, "on %s", r.t)
		}
		if neg {
			return val{c: jen.Op("!").Add(c), t: types.TBool, prec: precUnary}
		}
		return prim(c, types.TBool)
	}
	if (lt.Kind == types.AnyK && rt.Numeric()) || (rt.Kind == types.AnyK && lt.Numeric()) {
		if lt.Kind == types.AnyK {
			l = prim(t.qual("rt", "Float").Call(l.c), types.TFloat)
		} else {
			r = prim(t.qual("rt", "Float").Call(r.c), types.TFloat)
		}
		lt, rt = l.t, r.t
	}
	if lt.Kind == types.Array || rt.Kind == types.Array {
		fn, ok := mlxCompare[op]
		if !ok {
			return t.bad(n, "comparison "+op, "on arrays")
		}
		return prim(t.qual("mlx", fn).Call(t.weak(l), t.weak(r)), types.TArray)
	}
	if lt.Numeric() && rt.Numeric() {
		if v, ok := foldCompare(op, l, r); ok {
			return v
		}
		lc, rc := t.deref(l, n), t.deref(r, n)
		if lt.Kind != rt.Kind {
			if lt.Kind != types.Float && l.lit == nil {
				lc = jen.Float64().Call(lc)
			}
			if rt.Kind != types.Float && r.lit == nil {
				rc = jen.Float64().Call(rc)
			}
		}
		return boolv(jen.Add(paren(val{c: lc, prec: l.prec}, precCmp+1)).Op(op).Add(paren(val{c: rc, prec: r.prec}, precCmp+1)))
	}
	if (op == "==" || op == "!=") && ((lt.Kind == types.Str && rt.Kind == types.Str) ||
		(lt.Kind == types.AnyK && rt.Kind != types.Array) || (rt.Kind == types.AnyK && lt.Kind != types.Array)) {
		return boolv(jen.Add(l.c).Op(op).Add(r.c))
	}
	if (op == "==" || op == "!=") && (lt.Kind == types.Str || rt.Kind == types.Str) && (l.t.Kind == types.Optional || r.t.Kind == types.Optional) {
		// Optional[str] == "x": None never equals a string.
		opt, s := l, r
		if r.t.Kind == types.Optional {
			opt, s = r, l
		}
		c := jen.Parens(jen.Add(opt.c).Op("!=").Nil().Op("&&").Op("*").Add(opt.c).Op("==").Add(s.c))
		if op == "!=" {
			return val{c: jen.Op("!").Add(c), t: types.TBool, prec: precUnary}
		}
		return prim(c, types.TBool)
	}
	if (op == "==" || op == "!=") && lt.Kind == types.Dtype && rt.Kind == types.Dtype {
		return boolv(jen.Add(l.c).Op(op).Add(r.c))
	}
	return t.bad(n, "comparison "+op, "between %s and %s", l.t, r.t)
}
