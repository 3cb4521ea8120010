package types

import "github.com/hf2go/hf2go/generator/syntax"

// A parameter typed by its own `or` default.
//
// `def shard(self, group=None): group = group or mx.distributed.init()`
// (qwen3_5's Model.shard) leaves group unannotated, and mlx-lm's loader,
// not the file, calls shard(), so no call site teaches its type. The `or`
// says it: the parameter is either absent (None, falsy) or a value of the
// default's type, which is what `x or default` on an Optional lowers to
// (the first truthy of the two, as in Python). So an unannotated parameter
// whose default is None, still of unknown type, is learnt as Optional of
// the default operand's type when it is the left operand of a two-operand
// `or`. Annotated parameters and parameters that any call site types keep
// their types (the rule only fills an unknown).

// learnParamOr types p in `p or d` (vals are the operands' values) and
// returns p's value at its learnt type, or ok=false when the rule does not
// apply.
func (t *checker) learnParamOr(b *syntax.BoolOp, vals []Val, en *env) (Val, bool) {
	if b.Op != "or" || len(vals) != 2 || vals[0].T.Kind != Unknown || en.fn == nil || en.fn.Def == nil {
		return Val{}, false
	}
	n, ok := b.Values[0].(*syntax.Name)
	d := vals[1].T
	if !ok || d == nil || d.Kind == Unknown || d.Kind == None || d.Kind == AnyK || d.Kind == Optional {
		return Val{}, false
	}
	var p *Param
	for _, q := range en.fn.Params {
		if q.Py == n.Id {
			p = q
		}
	}
	if p == nil || p.Annotated || p.Type.Kind != Unknown || !isNoneConst(p.Def) {
		return Val{}, false
	}
	if t.sym(n, en) != t.paramSym(en.fn.Def, en.fn.Scope, p.Py) {
		return Val{}, false // a local that shadows nothing: not the parameter
	}
	opt := OptionalOf(d)
	if t.learn && !t.frozen {
		p.Type = opt
	}
	return Val{T: opt}, true
}

func isNoneConst(e syntax.Expr) bool {
	c, ok := e.(*syntax.Constant)
	return ok && c.Kind == syntax.ConstNone
}
