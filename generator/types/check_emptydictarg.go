package types

import "github.com/hf2go/hf2go/generator/syntax"

// A local bound only to `{}` and passed to a parameter annotated with a
// dict type (deepseek_v41's TextModel.__call__: `shared = {}`, passed as
// `shared: dict[str, Optional[mx.array]]` to every layer, which fills it)
// has that type: the empty literal alone says nothing of its values, and
// Go needs the callee's map type at the call.

// learnEmptyDictArg retypes the local arg e from the annotated dict
// parameter p it is passed to.
func (t *checker) learnEmptyDictArg(e syntax.Expr, v Val, p *Param, en *env) {
	n, ok := e.(*syntax.Name)
	if !ok || !t.learn || !p.Annotated || en.fn == nil || en.fn.Def == nil {
		return
	}
	pt, vt := p.Type.Base(), v.T.Base()
	if pt.Kind != Dict || vt.Kind != Dict || pt.Elem == nil || pt.Elem.Kind == AnyK || pt.Elem.Kind == Unknown {
		return
	}
	if vt.Elem != nil && vt.Elem.Kind != AnyK && vt.Elem.Kind != Unknown {
		return
	}
	if !onlyEmptyDict(en.fn.Def.Body, n.Id) {
		return
	}
	t.setType(n, pt, en)
}

// onlyEmptyDict reports that every assignment to id in body binds `{}`
// (and that there is one).
func onlyEmptyDict(body []syntax.Stmt, id string) bool {
	n, ok := 0, true
	var block func(b []syntax.Stmt)
	block = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					if nameNodes(tg, id) == nil {
						continue
					}
					d, isDict := x.Value.(*syntax.Dict)
					if nm, isName := tg.(*syntax.Name); !isName || nm.Id != id || !isDict || len(d.Keys) != 0 {
						ok = false
					}
					n++
				}
			case *syntax.For:
				if nameNodes(x.Target, id) != nil {
					ok = false
				}
				block(x.Body)
			case *syntax.If:
				block(x.Body)
				block(x.Else)
			case *syntax.While:
				block(x.Body)
			}
		}
	}
	block(body)
	return ok && n > 0
}
