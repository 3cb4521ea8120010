package types

import "github.com/hf2go/hf2go/generator/syntax"

// assignExtAttr checks x.attr = value where x has a table type: the
// attribute has the table's type (settable when its entry has a set:
// template; the lowering says so otherwise), and value is checked as any
// right-hand side. gpt_oss's shard() divides a SwitchLinear's bias so.
func (t *checker) assignExtAttr(tg *syntax.Attribute, recv Val, value syntax.Expr, en *env) {
	t.put(tg, t.member(recv, tg.Attr))
	t.expr(value, en)
	t.facts = t.facts.copy()
	t.assigned(PathKey(tg), t.member(recv, tg.Attr).T)
}
