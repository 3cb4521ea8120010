package lower

import "github.com/hf2go/hf2go/generator/model"

// terminalRaises rewrites a raise that ends a function with results (the
// body's last statement, or the last of both branches of a final if/else)
// from py.Raise(...) to panic(py.Exception(...)): the same panic, but a
// statement Go knows does not return, so the function needs no invented
// return after it (MoEGate._routing_scores in laguna ends in a raise after
// two returning ifs). A raise elsewhere keeps the plain py.Raise call.
func (t *translator) terminalRaises(body []model.Stmt) {
	if len(body) == 0 {
		return
	}
	switch x := body[len(body)-1].(type) {
	case *model.ExprStmt:
		c, ok := x.X.(*model.Call)
		if !ok {
			return
		}
		if q, ok := c.Fun.(*model.Qual); ok && q.Pkg == "py" && q.Name == "Raise" {
			x.X = call(id("panic"), call(t.qual("py", "Exception"), c.Args...))
		}
	case *model.If:
		if len(x.Else) > 0 {
			t.terminalRaises(x.Then)
			t.terminalRaises(x.Else)
		}
	}
}
