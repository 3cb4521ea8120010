package lower

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/types"
)

// A function Python decorates with @mx.compile (or @partial(mx.compile,
// shapeless=True)) becomes three Go values, so that the Python body stays a
// plain Go function a reader can hold next to the Python:
//
//	fooBody      the body, as any other function
//	fooCompiled  mlx.Compile (py.CompileMulti for a tuple result) tracing fooBody
//	foo          the Python signature; calls fooCompiled
//
// Arrays cross mlx.Compile as inputs; ints, floats and bools as constants of
// the trace (mlx.Int, mlx.Float, mlx.BoolScalar), as Python's compile takes
// non-array arguments, so a new value traces again. A function whose
// parameters or results are anything else runs uncompiled, and its doc
// comment says why. So does a compiled function nested in another: the Go
// closure is made anew each time the enclosing function runs, and a fresh
// mlx.Compile of it would trace again every time (Python's minimax memoizes
// the enclosing sharded_rms_norm with @lru_cache for this reason).

// crossing is how one parameter crosses mlx.Compile: pass turns the Go
// value into a compiled function's argument, take turns the traced argument
// back into the Go value the body takes.
type crossing struct {
	pass func(model.Expr) model.Expr
	take func(model.Expr) model.Expr
}

// scalarCrossing: the mlx constructor of a Python scalar argument and the
// runtime/py function that reads it back inside the trace.
var scalarCrossing = map[types.Kind][2]string{
	types.Int:   {"Int", "ScalarInt"},
	types.Float: {"Float", "ScalarFloat"},
	types.Bool:  {"BoolScalar", "ScalarBool"},
}

// compileSignature is how fn's parameters and results cross mlx.Compile,
// or why they cannot.
func compileSignature(fn *types.Func) (params []crossing, results int, why string) {
	for _, p := range fn.Params {
		switch p.Type.Kind {
		case types.Array:
			same := func(x model.Expr) model.Expr { return x }
			params = append(params, crossing{pass: same, take: same})
		case types.Int, types.Float, types.Bool:
			c := scalarCrossing[p.Type.Kind]
			params = append(params, crossing{
				pass: func(x model.Expr) model.Expr { return call(&model.Qual{Pkg: "mlx", Name: c[0]}, x) },
				take: func(x model.Expr) model.Expr { return call(&model.Qual{Pkg: "py", Name: c[1]}, x) },
			})
		default:
			return nil, 0, fmt.Sprintf("parameter %s is %s, not an array or a Python scalar", p.Py, p.Type)
		}
	}
	switch r := fn.Ret; {
	case r != nil && r.Kind == types.Array:
		return params, 1, ""
	case r != nil && r.Kind == types.Tuple && len(r.Elems) > 0:
		for _, e := range r.Elems {
			if e.Kind != types.Array {
				return nil, 0, fmt.Sprintf("it returns %s, not arrays", r)
			}
		}
		return params, len(r.Elems), ""
	}
	return nil, 0, fmt.Sprintf("it returns %s, not arrays", fn.Ret)
}

// compiledNote is the doc comment's word on a compiled function that runs
// uncompiled, and why.
func compiledNote(fn *types.Func) string {
	if fn.Compiled == "" {
		return ""
	}
	if _, _, why := compileSignature(fn); why != "" {
		return fmt.Sprintf(" Python compiles it (@%s); here it runs uncompiled: %s.", fn.Compiled, why)
	}
	if fn.Class != nil {
		return fmt.Sprintf(" Python compiles it (@%s); here it runs uncompiled: a compiled method is not supported.", fn.Compiled)
	}
	return ""
}

// nestedCompiledNote is compiledNote for a function defined inside another.
func nestedCompiledNote(fn *types.Func) string {
	if fn.Compiled == "" {
		return ""
	}
	if note := compiledNote(fn); note != "" {
		return note
	}
	return fmt.Sprintf(" Python compiles it (@%s); here it runs uncompiled: the closure is made anew on each call of the enclosing function, and compiling each one would trace it again every time.", fn.Compiled)
}

// compiled is the three values of a compiled function named name (Go),
// built from its body (a function value named bodyName, with the Go params
// and results of fn): the mlx.Compile call and the body of the wrapper with
// the Python signature. ok is false when fn runs uncompiled.
func (t *translator) compiled(fn *types.Func, bodyName, compiledName string, params []*model.Param) (compile model.Expr, wrapper []model.Stmt, ok bool) {
	if fn.Compiled == "" || fn.Class != nil {
		return nil, nil, false
	}
	cross, n, why := compileSignature(fn)
	if why != "" {
		return nil, nil, false
	}
	arr := t.goType(&types.Type{Kind: types.Array})
	var traced, passed []model.Expr
	for i, c := range cross {
		traced = append(traced, c.take(index(id("a"), lit(i))))
		passed = append(passed, c.pass(id(params[i].Name)))
	}
	shapeless := lit(types.CompileShapeless(fn.Def, fn.Scope))
	traceParams := []*model.Param{{Name: "a", Type: arr, Variadic: true}}
	if n == 1 {
		trace := &model.FuncLit{Params: traceParams, Results: []model.Type{arr},
			Body: []model.Stmt{ret(call(id(bodyName), traced...))}}
		return call(&model.Qual{Pkg: "mlx", Name: "Compile"}, trace, shapeless),
			[]model.Stmt{ret(call(id(compiledName), passed...))}, true
	}
	// The results' slice takes a name no parameter has (rwkv7's
	// _wkv7_step_ops has a parameter r).
	res := "r"
	for taken := true; taken; {
		taken = false
		for _, p := range params {
			if p.Name == res {
				res, taken = res+"_", true
			}
		}
	}
	var outs, unpack []model.Expr
	for i := 0; i < n; i++ {
		outs = append(outs, id(fmt.Sprintf("r%d", i)))
		unpack = append(unpack, index(id(res), lit(i)))
	}
	trace := &model.FuncLit{Params: traceParams, Results: []model.Type{&model.Slice{Elem: arr}},
		Body: []model.Stmt{&model.Define{Lhs: outs, Rhs: exprs(call(id(bodyName), traced...))},
			ret(&model.Composite{Type: &model.Slice{Elem: arr}, Elts: outs})}}
	return call(&model.Qual{Pkg: "py", Name: "CompileMulti"}, lit(n), trace, shapeless),
		[]model.Stmt{define(id(res), call(id(compiledName), passed...)), ret(unpack...)}, true
}

// emitCompiled is a module-level compiled function's three declarations.
func (t *translator) emitCompiled(fn *types.Func) ([]model.Decl, bool) {
	if fn.Compiled == "" || fn.Class != nil {
		return nil, false
	}
	if _, _, why := compileSignature(fn); why != "" {
		return nil, false
	}
	body := t.emitFunc(fn)
	bodyName, compiledName := fn.GoName+"Body", fn.GoName+"Compiled"
	compile, wrapper, ok := t.compiled(fn, bodyName, compiledName, body.Params)
	if !ok {
		return nil, false
	}
	how := "traced once per input shape"
	if types.CompileShapeless(fn.Def, fn.Scope) {
		how = "traced once for all input shapes"
	}
	var consts []string
	for i, p := range fn.Params {
		if p.Type.Kind != types.Array {
			consts = append(consts, body.Params[i].Name)
		}
	}
	if len(consts) > 0 {
		how += " and per value of " + strings.Join(consts, ", ")
	}
	front := &model.Func{Name: fn.GoName, Py: fn.Def.Name, Params: body.Params, Results: body.Results, Body: wrapper,
		Doc: fmt.Sprintf("%s Python compiles it (@%s): it runs %s.", t.docOf(fn), fn.Compiled, compiledName)}
	v := &model.VarDecl{Name: compiledName, Value: compile,
		Doc: fmt.Sprintf("%s is %s under mx.compile, %s.", compiledName, bodyName, how)}
	body.Name = bodyName
	body.Doc = fmt.Sprintf("%s is the body of %s(), which %s traces.", bodyName, fn.Def.Name, compiledName)
	return []model.Decl{front, v, body}, true
}
