package types

import (
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Methods that inference never reaches. A model file can carry code for
// other jobs: afm7's FusedLinear.to_lora and FusedLoRALinear.fuse build and
// merge LoRA adapters for fine-tuning (with mx.random.uniform initial
// weights and attributes that hold either a FusedLinear or a
// FusedQuantizedLinear). Loading a model and generating never calls them,
// so they are not translated; the generated file says so in a comment.
//
// Reachability is by name and syntactic, so it can only keep too much:
// the roots are every method of Model (mlx-lm's own code reads its
// members), the special methods (__init__, __call__, ...), the hooks
// mlx-lm or MLX call on any module (inferenceHooks), and then every method
// whose name occurs in a kept body as an attribute (x.name), a bare name or
// a string constant (getattr). A body with a statement this walk does not
// know keeps every method of the file.

// inferenceHooks are the method names mlx-lm's loading, generation and
// quantization call on a module, whatever its class.
var inferenceHooks = map[string]bool{
	"sanitize": true, "make_cache": true, "shard": true,
	"quant_predicate": true, "cast_predicate": true,
	// nn.quantize calls to_quantized on every module that has one.
	"to_quantized": true,
}

// unreachedReason is the Skipped text of a method inference never reaches.
const unreachedReason = "unreachable from inference (no call from __call__, sanitize, make_cache, shard, the quantization " +
	"predicates or to_quantized; e.g. LoRA fine-tuning), so not translated"

// skipUnreached marks the methods of the unit's classes that no inference
// root reaches as Skipped.
func (k *collector) skipUnreached() {
	u := k.u
	reached := map[string]bool{}
	type body struct {
		stmts []syntax.Stmt
		scope *names.Scope // where its names are qualified (platformFalse)
	}
	var bodies []body
	kept := map[*Func]bool{}
	keep := func(m *Func) {
		if kept[m] {
			return
		}
		kept[m] = true
		if m.Def != nil {
			bodies = append(bodies, body{m.Def.Body, m.Scope})
			for _, d := range m.Def.Decorators {
				bodies = append(bodies, body{[]syntax.Stmt{&syntax.ExprStmt{X: d}}, m.Scope})
			}
			for _, p := range m.Def.Params {
				if p.Default != nil {
					bodies = append(bodies, body{[]syntax.Stmt{&syntax.ExprStmt{X: p.Default}}, m.Scope})
				}
			}
		}
	}
	isRoot := isInferenceRoot
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if m.Def == nil || isRoot(c, m) {
				keep(m)
			}
		}
	}
	// Module functions and class-level code are kept as they are: what
	// they name is reached too.
	for _, f := range u.Funcs {
		if f.Def != nil {
			bodies = append(bodies, body{f.Def.Body, f.Scope})
		}
	}
	for len(bodies) > 0 {
		b := bodies[len(bodies)-1]
		bodies = bodies[:len(bodies)-1]
		if !namesIn(b.stmts, reached, b.scope) {
			return // a statement this walk does not know: keep everything
		}
		for _, c := range u.Classes {
			for _, m := range c.Methods {
				if !kept[m] && reached[m.Def.Name] {
					keep(m)
				}
			}
		}
	}
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if !kept[m] && m.Skipped == "" {
				m.Skipped = unreachedReason
			}
		}
	}
}

// isInferenceRoot reports a method that mlx-lm or MLX may call whatever
// the file's own code does: every method of Model, the special methods and
// the hooks.
func isInferenceRoot(c *Class, m *Func) bool {
	n := m.Def.Name
	return c.Name == "Model" || inferenceHooks[n] || (strings.HasPrefix(n, "__") && strings.HasSuffix(n, "__"))
}

// namesIn adds to out every attribute name, bare name and string constant
// of body, nested blocks and functions included. It reports false when
// body has a statement it does not know.
func namesIn(body []syntax.Stmt, out map[string]bool, scope *names.Scope) bool {
	return bodyExprs(body, scope, func(e syntax.Expr) {
		syntax.Inspect(e, func(x syntax.Expr) bool {
			switch n := x.(type) {
			case *syntax.Attribute:
				out[n.Attr] = true
			case *syntax.Name:
				out[n.Id] = true
			case *syntax.Constant:
				if n.Kind == syntax.ConstStr {
					out[n.Value] = true
				}
			}
			return true
		})
	})
}

// bodyExprs calls expr for every top-level expression of body's
// statements, nested blocks and functions included (nil ones too). It
// reports false when body has a statement it does not know. With a scope,
// the body of an `if` no served platform takes is left out (platformFalse).
func bodyExprs(body []syntax.Stmt, scope *names.Scope, expr func(e syntax.Expr)) bool {
	namesIn := func(b []syntax.Stmt, _ map[string]bool, scope *names.Scope) bool { return bodyExprs(b, scope, expr) }
	var out map[string]bool
	for _, s := range body {
		switch x := s.(type) {
		case *syntax.Assign:
			for _, t := range x.Targets {
				expr(t)
			}
			expr(x.Value)
		case *syntax.AnnAssign:
			expr(x.Target)
			expr(x.Value)
		case *syntax.AugAssign:
			expr(x.Target)
			expr(x.Value)
		case *syntax.Return:
			expr(x.Value)
		case *syntax.If:
			expr(x.Cond)
			if platformFalse(x.Cond, scope) {
				// A branch no platform served takes (kimi_k3's compiled
				// decode step, only on Metal): what it names is not reached.
				if !namesIn(x.Else, out, scope) {
					return false
				}
				continue
			}
			if !namesIn(x.Body, out, scope) || !namesIn(x.Else, out, scope) {
				return false
			}
		case *syntax.For:
			expr(x.Target)
			expr(x.Iter)
			if !namesIn(x.Body, out, scope) {
				return false
			}
		case *syntax.While:
			expr(x.Cond)
			if !namesIn(x.Body, out, scope) {
				return false
			}
		case *syntax.ExprStmt:
			expr(x.X)
		case *syntax.Assert:
			expr(x.Cond)
			expr(x.Msg)
		case *syntax.Raise:
			expr(x.Exc)
		case *syntax.Delete:
			for _, t := range x.Targets {
				expr(t)
			}
		case *syntax.FuncDef:
			for _, d := range x.Decorators {
				expr(d)
			}
			for _, p := range x.Params {
				expr(p.Default)
			}
			if !namesIn(x.Body, out, scope) {
				return false
			}
		case *syntax.Pass, *syntax.Break, *syntax.Continue, *syntax.Import, *syntax.ImportFrom:
		default:
			return false
		}
	}
	return true
}

// platformFalse reports a condition that is False on every platform the
// Go runtime serves: mx.metal.is_available() (check_kernel.go's metalCond)
// or an `and` with such an operand (Python stops at it, or earlier at
// another false operand; the body never runs).
func platformFalse(e syntax.Expr, scope *names.Scope) bool {
	if scope == nil {
		return false
	}
	if b, ok := e.(*syntax.BoolOp); ok && b.Op == "and" {
		for _, v := range b.Values {
			if platformFalse(v, scope) {
				return true
			}
		}
		return false
	}
	v, known := metalCond(e, scope)
	return known && !v
}
