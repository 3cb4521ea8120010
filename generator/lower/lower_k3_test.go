package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// kimi_k3's sanitize constructs: re.compile + Pattern.match + Match.group
// (py.ReCompile keeps the Python pattern, checked against RE2 at generation
// time), a walrus that a comprehension's filter evaluates first (assigned
// in the loop body just before the test, which then reads the name and
// knows it is not None past `not m or`), and iteration over a str's
// characters (py.Chars).
func TestLowerRegexWalrusStrIter(t *testing.T) {
	src := strings.Replace(header, "import mlx.core as mx", "import re\nimport mlx.core as mx", 1) + `
    def sanitize(self, weights):
        layer_re = re.compile(r"model\.layers\.(\d+)\.")
        weights = {
            k: v
            for k, v in weights.items()
            if not (m := layer_re.match(k)) or int(m.group(1)) < self.args.hidden_size
        }
        parts = [f"a.{p}_proj" for p in "qkv"]
        return weights
`
	got := model.Dump(lowerSrc(t, src, "Model", "Sanitize").Body)
	for _, w := range []string{
		`(:= (list (ident layerRe):RePattern) (list (template "py.ReCompile" "(" (list (lit "model\\.layers\\.(\\d+)\\."):str) ")"):RePattern))`,
		// the walrus: assigned in the loop body, just before the filter's if,
		// which reads m (not None in the operand after `not m or`)
		`(:= (list (ident m)) (list (template (list (ident layerRe):RePattern) ".Match(" (list (ident k):str) ")"):ReMatch)) (if (binary || (unary ! (paren (binary != (ident m):ReMatch (lit <nil>)))):bool (binary < (template "py.ParseInt" "(" (list (template (list (ident m):ReMatch) ".Group(" (list (lit 1):int) ")"):str) ")"):int`,
		`(call (qual py Chars) (lit "qkv"):str)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}

// TestRegexDiagnostics checks that a pattern whose meaning RE2 would change
// is a diagnostic at the pattern, and that a walrus a condition does not
// evaluate first is one too.
func TestRegexDiagnostics(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`        r = re.compile(r"a\w+$")` + "\n", `re.compile: regular expression`},
		{`        r = re.compile(r"(a)|b")` + "\n", `alternation`},
		{`        r = re.compile("a", 2)` + "\n", `no flags`},
		{`        w = [k for k in weights if k and (m := k)]` + "\n", `walrus: only where a condition evaluates it first`},
	} {
		src := strings.Replace(header, "import mlx.core as mx", "import re\nimport mlx.core as mx", 1) +
			"\n    def sanitize(self, weights):\n" + c.body + "        return weights\n"
		f, diags := syntax.Parse("m.py", []byte(src))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		scope, _ := names.Resolve(f)
		tab, err := types.LoadTable()
		if err != nil {
			t.Fatal(err)
		}
		res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m"})
		var all []string
		for _, d := range res.Diagnostics {
			all = append(all, d.Error())
		}
		if !strings.Contains(strings.Join(all, "\n"), c.want) {
			t.Errorf("%s: diagnostics %q, want one containing %q", strings.TrimSpace(c.body), all, c.want)
		}
	}
}
