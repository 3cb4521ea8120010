package py_test

import (
	"fmt"
	"testing"

	"github.com/hf2go/hf2go/runtime/py"
	"github.com/hf2go/hf2go/runtime/py/pyre"
)

// TestReMatchPython compares re.compile(p).match(s) and its groups, as the
// translated code runs them (pyre's RE2 form), with CPython's re on the same
// patterns and strings: anchoring at the start only, greedy and lazy
// repeats, \d over non-ASCII digits, classes, alternation without groups,
// named groups, and int() of a matched group.
func TestReMatchPython(t *testing.T) {
	patterns := []string{
		`model\.layers\.(\d+)\.`,
		`(?P<l>model\.layers\.\d+)\.mlp\.`,
		`(a+?)(a*)b`,
		`(?:ab|a)(b*)`,
		`[^.]+\.([0-9a-f]{2,3})`,
		`x{2}(.)`,
		`([\d_-]+)z`,
	}
	subjects := []string{
		"model.layers.12.mlp.gate.weight", "model.layers.٣٤.x", "xmodel.layers.1.", "model.layers.x.",
		"aaab", "abbb", "ab", "key.abcd", "k.0f", "xx\n", "xxy", "1_2-3z", "", "model.layers.12.mlp.",
	}
	var cases []semCase
	for _, p := range patterns {
		pat, err := pyre.Translate(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		re := py.ReCompile(p)
		for _, s := range subjects {
			p, s := p, s
			expr := fmt.Sprintf("(lambda m: None if m is None else [m.group(i) for i in range(%d)])(__import__('re').compile(%q).match(%q))", pat.Groups+1, p, s)
			cases = append(cases, semCase{expr, func() any {
				m := re.Match(s)
				if m == nil {
					return nil
				}
				var out []string
				for i := 0; i <= pat.Groups; i++ {
					out = append(out, m.Group(i))
				}
				return out
			}})
		}
	}
	re := py.ReCompile(`model\.layers\.(\d+)\.`)
	for _, s := range []string{"model.layers.12.", "model.layers.٣٤.", "model.layers.𝟙𝟘."} {
		s := s
		cases = append(cases, semCase{fmt.Sprintf("int(__import__('re').compile(r'model\\.layers\\.(\\d+)\\.').match(%q).group(1))", s),
			func() any { return py.ParseInt(re.Match(s).Group(1)) }})
	}
	cases = append(cases, semCase{"__import__('re').compile('a(b)').match('ab').group(2)",
		func() any { return re.Match("model.layers.1.").Group(2) }})
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.py
	}
	want := pythonOutcomes(t, exprs)
	for i, c := range cases {
		if got := outcome(c.go_); normalize(got) != normalize(want[i]) {
			t.Errorf("%s: Go %s, Python %s", c.py, got, want[i])
		}
	}
	t.Logf("%d matches agree with CPython", len(cases))
}
