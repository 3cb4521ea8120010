package emit

import (
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Constant folding. Some model code branches on values that are fixed for
// the translated program: PipelineMixin's pipeline_rank (0) and
// pipeline_size (1) — pipeline parallelism is not translated — or a field
// set once from a literal. Folding such conditions keeps the branches Python
// would never run on one process (mx.distributed.send, ...) out of the Go.

// constFields finds the fields of c assigned exactly once in the file, in
// (inherited) __init__, from an int, bool or None literal.
func (t *translator) constFields(c *classInfo) map[string]*syntax.Constant {
	stores := map[string]int{}
	values := map[string]*syntax.Constant{}
	var bodies [][]syntax.Stmt
	for _, cls := range t.classes {
		for _, m := range cls.methods {
			if m.skipped == "" {
				bodies = append(bodies, m.def.Body)
			}
		}
	}
	for _, b := range c.bases {
		if init, ok := b.byMeth["__init__"]; ok {
			bodies = append(bodies, init.def.Body)
		}
	}
	for _, f := range t.funcs {
		bodies = append(bodies, f.def.Body)
	}
	var target func(e syntax.Expr, value syntax.Expr)
	target = func(e syntax.Expr, value syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Attribute:
			stores[x.Attr]++
			if k := literalOf(value); k != nil {
				values[x.Attr] = k
			}
		case *syntax.Tuple:
			for _, el := range x.Elts {
				target(el, nil)
			}
		}
	}
	var walk func(b []syntax.Stmt)
	walk = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					target(tg, x.Value)
				}
			case *syntax.AugAssign:
				target(x.Target, nil)
				target(x.Target, nil)
			case *syntax.AnnAssign:
				target(x.Target, x.Value)
			case *syntax.If:
				walk(x.Body)
				walk(x.Else)
			case *syntax.For:
				walk(x.Body)
			case *syntax.While:
				walk(x.Body)
			}
		}
	}
	for _, b := range bodies {
		walk(b)
	}
	out := map[string]*syntax.Constant{}
	for name, n := range stores {
		if n == 1 && values[name] != nil {
			if _, ok := c.byName[name]; ok {
				out[name] = values[name]
			}
		}
	}
	return out
}

// literalOf returns the constant an expression is written as, if any.
func literalOf(e syntax.Expr) *syntax.Constant {
	switch x := e.(type) {
	case *syntax.Constant:
		switch x.Kind {
		case syntax.ConstInt, syntax.ConstTrue, syntax.ConstFalse, syntax.ConstNone:
			return x
		}
	case *syntax.UnaryOp:
		if x.Op == "-" {
			if c, ok := x.X.(*syntax.Constant); ok && c.Kind == syntax.ConstInt {
				return &syntax.Constant{At: c.At, Kind: syntax.ConstInt, Value: "-" + c.Value}
			}
		}
	}
	return nil
}

func intLit(v val) (int, bool) {
	if v.lit == nil || v.lit.Kind != syntax.ConstInt {
		return 0, false
	}
	n, err := strconv.ParseInt(v.lit.Value, 0, 64)
	return int(n), err == nil
}

func litInt(n int) val {
	return val{c: jen.Lit(n), t: types.TInt, prec: precPrimary, lit: &syntax.Constant{Kind: syntax.ConstInt, Value: strconv.Itoa(n)}}
}

func litBool(b bool) val {
	k := syntax.ConstFalse
	if b {
		k = syntax.ConstTrue
	}
	return val{c: jen.Lit(b), t: types.TBool, prec: precPrimary, lit: &syntax.Constant{Kind: k}}
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
