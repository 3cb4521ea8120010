package types

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/runtime/py/pyre"
)

// re.fullmatch(pattern, string), as re.compile (check_regex.go): the
// pattern is checked against RE2 at generation time, so it must be known
// then: a str literal, or a module constant bound to one
// (check_modconst.go; deepseek_v41's _EXPERT_KEY).

func init() { tableCallChecks["re.fullmatch"] = (*checker).reModulePattern }

func (t *checker) reModulePattern(c *syntax.Call) {
	if len(c.Args) != 2 || len(c.Keywords) != 0 {
		t.fail(c, "re.fullmatch", "only re.fullmatch(pattern, string) with a literal pattern and no flags is translated")
		return
	}
	k, _ := c.Args[0].(*syntax.Constant)
	if n, ok := c.Args[0].(*syntax.Name); ok {
		if mc := t.modConst(t.scope.Symbols[n.Id], n.Id); mc != nil {
			k = mc.Lit
		}
	}
	if k == nil || k.Kind != syntax.ConstStr {
		t.fail(c.Args[0], "re.fullmatch", "the pattern must be a str literal or a module constant bound to one (it is checked against RE2 at generation time)")
		return
	}
	if _, err := pyre.Translate(k.Value); err != nil {
		t.fail(c.Args[0], "re.fullmatch", "%s", err)
	}
}
