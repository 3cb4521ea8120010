package syntax

import "fmt"

// Starred and attribute targets in a tuple assignment.
//
// A starred target,
//
//	*indices, output_dims = accumulate(output_dims)
//
// becomes
//
//	_unpack_L_C = list(accumulate(output_dims))
//	indices = _unpack_L_C[0:-1]
//	output_dims = _unpack_L_C[-1]
//
// Python evaluates the value once, consumes the whole iterable, binds the
// starred name to a list of the middle items (possibly empty) and the other
// names to the items before and after it, left to right: the list() local
// and the slices and indices of it do the same. (Too few items is a
// ValueError in Python and an IndexError here: an error either way.) The
// rewrite applies only when the file does not rebind `list`.
//
// An attribute target,
//
//	ql.weight, ql.scales, ql.biases = mx.quantize(w, group_size, bits)
//
// becomes the tuple assignment to fresh locals followed by the attribute
// assignments from them, in order: Python assigns the targets left to right
// after the whole value is unpacked, and evaluates ql only when its turn
// comes, after the targets before it (the assignments after the tuple do the
// same).

func desugarStarredTarget(a *Assign, d dctx) []Stmt {
	if !d.listBuiltin || len(a.Targets) != 1 {
		return nil
	}
	tg, ok := a.Targets[0].(*Tuple)
	if !ok {
		return nil
	}
	star := -1
	for i, e := range tg.Elts {
		if _, ok := e.(*Starred); ok {
			if star >= 0 {
				return nil // two starred targets: a SyntaxError in Python
			}
			star = i
		}
	}
	if star < 0 {
		return nil
	}
	tmp := fmt.Sprintf("_unpack_%d_%d", tg.P.Line, tg.P.Col)
	name := func() *Name { return &Name{At: tg.At, Id: tmp} }
	intc := func(v int) Expr {
		if v < 0 {
			return &UnaryOp{At: tg.At, Op: "-", X: &Constant{At: tg.At, Kind: ConstInt, Value: fmt.Sprint(-v)}}
		}
		return &Constant{At: tg.At, Kind: ConstInt, Value: fmt.Sprint(v)}
	}
	out := []Stmt{&Assign{At: a.At, Targets: []Expr{name()},
		Value: &Call{At: a.At, Func: &Name{At: a.At, Id: "list"}, Args: []Expr{a.Value}}}}
	after := len(tg.Elts) - star - 1
	for i, e := range tg.Elts {
		var v Expr
		switch {
		case i < star:
			v = &Subscript{At: tg.At, X: name(), Index: []Expr{intc(i)}}
		case i == star:
			sl := &Slice{At: tg.At, Lo: intc(star)}
			if after > 0 {
				sl.Hi = intc(-after)
			}
			v = &Subscript{At: tg.At, X: name(), Index: []Expr{sl}}
			e = e.(*Starred).X
		default:
			v = &Subscript{At: tg.At, X: name(), Index: []Expr{intc(i - len(tg.Elts))}}
		}
		out = append(out, desugarStmt(&Assign{At: a.At, Targets: []Expr{e}, Value: v}, d)...)
	}
	return out
}
