package types

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/runtime/py/pyre"
)

// Python's re.compile. Go's regexp is RE2, whose syntax overlaps Python's
// but not always with the same meaning (`$`, `\w`, `\d` over non-ASCII
// digits, `{,n}`); runtime/py/pyre translates exactly the patterns whose
// meaning it keeps. The checker runs that translation on each pattern at
// generation time, so a pattern it cannot keep is a diagnostic at the
// Python source instead of a different match at run time. Only literal
// patterns and no flags are translated: a pattern built at run time could
// not be checked.

// tableCallChecks are checks a table function's call needs beyond its
// parameter types, by qualified name.
var tableCallChecks = map[string]func(t *checker, c *syntax.Call){
	"re.compile": (*checker).rePattern,
}

func (t *checker) rePattern(c *syntax.Call) {
	if len(c.Args) != 1 || len(c.Keywords) != 0 {
		t.fail(c, "re.compile", "only re.compile(pattern) with a literal pattern and no flags is translated")
		return
	}
	k, ok := c.Args[0].(*syntax.Constant)
	if !ok || k.Kind != syntax.ConstStr {
		t.fail(c.Args[0], "re.compile", "the pattern must be a str literal (it is checked against RE2 at generation time)")
		return
	}
	if _, err := pyre.Translate(k.Value); err != nil {
		t.fail(c.Args[0], "re.compile", "%s", err)
	}
}
