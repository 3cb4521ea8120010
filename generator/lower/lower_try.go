package lower

import (
	"strings"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// try/except (syntax/try.go: the If whose condition is a TryOK). Generated
// code raises Python exceptions as *py.Error panics; the try body runs in a
// closure under py.Try, which returns the exception when the except clause
// names its class (or a base), and the handler runs on it:
//
//	if flow, exc := py.Try(func() py.Flow { body; return py.FlowNext }, "IndexError", "ValueError"); exc != nil {
//	    handler
//	} else if flow == py.FlowContinue {
//	    continue
//	}
//
// A return, break or continue in the body that leaves the try statement
// returns a py.Flow from the closure (a return stores its results in
// variables declared before the statement first), and the chain after the
// handler carries it out; breaks and continues of loops inside the body stay
// as they are.

// tryCtx is the try body being lowered.
type tryCtx struct {
	loops  int             // loops entered inside the body
	flows  map[string]bool // "Break", "Continue", "Return": flows the body leaves by
	result []*model.Ident  // the variables a return stores its results in
	outer  *tryCtx
}

// flowOut is the statement a break/continue/return of the try body
// becomes: nil when s stays (a loop inside the body is its target).
func (t *translator) flowOut(kind string, fc *fnCtx, results []model.Expr) []model.Stmt {
	tc := fc.try
	if tc == nil || (kind != "Return" && tc.loops > 0) {
		return nil
	}
	tc.flows[kind] = true
	var out []model.Stmt
	if kind == "Return" && len(results) > 0 {
		if tc.result == nil {
			for i := range results {
				name := "tryResult"
				if i > 0 || t.tryResults > 0 {
					name = "tryResult" + itoa(t.tryResults+i+1)
				}
				tc.result = append(tc.result, id(name))
			}
			t.tryResults += len(results)
		}
		var lhs []model.Expr
		for _, r := range tc.result {
			lhs = append(lhs, r)
		}
		out = append(out, &model.Assign{Lhs: lhs, Rhs: results})
	}
	return append(out, ret(t.qual("py", "Flow"+kind)))
}

func (t *translator) tryStmt(x *syntax.If, ok *syntax.TryOK, en *env, fc *fnCtx) []model.Stmt {
	if fc.isInit {
		t.fail(x, "try statement", "in __init__ is not supported")
		return nil
	}
	tc := &tryCtx{flows: map[string]bool{}, outer: fc.try}
	fc.try = tc
	body := t.block(x.Body, en, fc)
	fc.try = tc.outer
	t.exited = false
	if n := len(body); n == 0 || !isReturn(body[n-1]) {
		body = append(body, ret(t.qual("py", "FlowNext")))
	}
	flowT := &model.QualType{Pkg: "py", Name: "Flow"}
	args := []model.Expr{&model.FuncLit{Results: []model.Type{flowT}, Body: body}}
	for _, k := range ok.Kinds {
		args = append(args, lit(k))
	}
	try := call(t.qual("py", "Try"), args...)
	handler := t.block(x.Else, en, fc)
	t.exited = false
	if len(handler) == 0 {
		handler = []model.Stmt{&model.CommentSt{Text: "except " + strings.Join(ok.Kinds, ", ") + ": pass"}}
	}
	var out []model.Stmt
	for i, r := range tc.result {
		out = append(out, &model.Var{Name: r.Name, Type: t.resultType(fc, i, len(tc.result))})
	}
	init := &model.Define{Lhs: exprs(id("_"), id("exc")), Rhs: exprs(try)}
	st := &model.If{Init: init, Cond: bin("!=", id("exc"), lit(nil)), Then: handler}
	cur := st
	alwaysLeaves := endsInReturn(x.Body)
	for _, kind := range []string{"Break", "Continue", "Return"} {
		if !tc.flows[kind] {
			continue
		}
		var act model.Stmt
		switch kind {
		case "Break":
			act = &model.Break{}
			if fc.try != nil {
				act = &model.Block{Body: t.flowOut("Break", fc, nil)}
			}
		case "Continue":
			act = &model.Continue{}
			if fc.try != nil {
				act = &model.Block{Body: t.flowOut("Continue", fc, nil)}
			}
		case "Return":
			var rs []model.Expr
			for _, r := range tc.result {
				rs = append(rs, r)
			}
			if fc.try != nil {
				act = &model.Block{Body: t.flowOut("Return", fc, rs)}
			} else {
				act = ret(rs...)
			}
		}
		stmts := []model.Stmt{act}
		if b, ok := act.(*model.Block); ok {
			stmts = b.Body
		}
		if kind == "Return" && alwaysLeaves && !tc.flows["Break"] && !tc.flows["Continue"] {
			// The body ends in a return: without an exception, it returned.
			cur.Else = stmts
			break
		}
		init.Lhs[0] = id("flow")
		next := &model.If{Cond: bin("==", id("flow"), t.qual("py", "Flow"+kind)), Then: stmts}
		cur.Else, cur.ElseIf = []model.Stmt{next}, true
		cur = next
	}
	return append(out, st)
}

// resultType is the Go type of result i of the function being lowered.
func (t *translator) resultType(fc *fnCtx, i, n int) model.Type {
	if fc.ret != nil && fc.ret.Kind == types.Tuple && n == len(fc.ret.Elems) && n > 1 {
		return t.goType(fc.ret.Elems[i])
	}
	return t.goType(fc.ret)
}

func isReturn(s model.Stmt) bool {
	_, ok := s.(*model.Return)
	return ok
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// loopBody lowers the body of a loop: a break or continue in it is the
// loop's, also inside a try body.
func (t *translator) loopBody(body []syntax.Stmt, en *env, fc *fnCtx) []model.Stmt {
	if fc.try != nil {
		fc.try.loops++
		defer func() { fc.try.loops-- }()
	}
	return t.block(body, en, fc)
}
