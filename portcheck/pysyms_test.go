package portcheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const basePy = `import mlx.core as mx
from .base import BaseModelArgs


ACT = "silu"


class Attention(nn.Module):
    """Attention docs."""

    n_heads: int = 4

    def __init__(self, args):
        super().__init__()
        self.scale = args.head_dim**-0.5

    @property
    def state(self):
        return self.keys

    @state.setter
    def state(self, v):
        self.keys = v

    def __call__(self, x, mask=None):
        return mx.fast.scaled_dot_product_attention(x, x, x, scale=self.scale, mask=mask)


def helper(a, b):
    return (a + b) * 2
`

func names(m *Module) []string {
	var out []string
	for _, s := range m.Symbols {
		out = append(out, s.Name)
	}
	return out
}

func mustParse(t *testing.T, src string) *Module {
	t.Helper()
	m, err := ParseModule([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if m.SyntaxError != "" {
		t.Fatalf("unexpected syntax error %s", m.SyntaxError)
	}
	return m
}

func TestSymbolNames(t *testing.T) {
	m := mustParse(t, basePy)
	want := []string{"ACT", "Attention", "Attention.__init__", "Attention.state", "Attention.state.setter", "Attention.__call__", "helper", "<imports>"}
	if got := names(m); !reflect.DeepEqual(got, want) {
		t.Errorf("symbols = %v, want %v", got, want)
	}
}

// TestNormalization: edits that do not change the syntax tree give equal
// fingerprints for every symbol; edits that do change exactly the symbols
// they touch.
func TestNormalization(t *testing.T) {
	base := mustParse(t, basePy)
	same := map[string]string{
		"comment":                     strings.Replace(basePy, "def helper(a, b):", "# helper adds\ndef helper(a, b):  # trailing", 1),
		"blank lines and indentation": strings.ReplaceAll(strings.ReplaceAll(basePy, "\n\n\n", "\n\n\n\n"), "        return self.keys", "        return (self.keys)"),
		"docstring":                   strings.Replace(basePy, `"""Attention docs."""`, `"""Other docs, longer."""`, 1),
		"docstring removed":           strings.Replace(basePy, `    """Attention docs."""`+"\n", "", 1),
		"quote style":                 strings.Replace(basePy, `ACT = "silu"`, `ACT = 'silu'`, 1),
		"line wrapping": strings.Replace(basePy, "scaled_dot_product_attention(x, x, x, scale=self.scale, mask=mask)",
			"scaled_dot_product_attention(\n            x,\n            x,\n            x,\n            scale=self.scale,\n            mask=mask,\n        )", 1),
		"backslash continuation": strings.Replace(basePy, "return (a + b) * 2", "return (a + \\\n  b) * 2", 1),
		"method order": strings.Replace(strings.Replace(basePy, "    def __call__(self, x, mask=None):\n        return mx.fast.scaled_dot_product_attention(x, x, x, scale=self.scale, mask=mask)\n", "", 1),
			"    def __init__(self, args):", "    def __call__(self, x, mask=None):\n        return mx.fast.scaled_dot_product_attention(x, x, x, scale=self.scale, mask=mask)\n\n    def __init__(self, args):", 1),
	}
	for name, src := range same {
		m := mustParse(t, src)
		if d := diffSymbols(base, m); len(d) != 0 {
			t.Errorf("%s: reported changes %v, want none", name, d)
		}
	}
	changed := map[string]struct {
		src  string
		want []SymbolChange
	}{
		"body":       {strings.Replace(basePy, "(a + b) * 2", "(a + b) * 3", 1), []SymbolChange{{"helper", SymChanged}}},
		"field":      {strings.Replace(basePy, "n_heads: int = 4", "n_heads: int = 8", 1), []SymbolChange{{"Attention", SymChanged}}},
		"default":    {strings.Replace(basePy, "mask=None):", "mask=\"causal\"):", 1), []SymbolChange{{"Attention.__call__", SymChanged}}},
		"parens":     {strings.Replace(basePy, "(a + b) * 2", "a + b * 2", 1), []SymbolChange{{"helper", SymChanged}}},
		"setter":     {strings.Replace(basePy, "self.keys = v", "self.keys = v[0]", 1), []SymbolChange{{"Attention.state.setter", SymChanged}}},
		"import":     {strings.Replace(basePy, "import mlx.core as mx", "import mlx.core as mx\nimport math", 1), []SymbolChange{{"<imports>", SymChanged}}},
		"f-string":   {strings.Replace(basePy, `ACT = "silu"`, `ACT = f"silu"`, 1), []SymbolChange{{"ACT", SymChanged}}},
		"add method": {basePy + "\n\ndef extra():\n    pass\n", []SymbolChange{{"extra", SymAdded}}},
		"remove class": {strings.Replace(basePy, basePy[strings.Index(basePy, "class Attention"):strings.Index(basePy, "def helper")], "", 1),
			[]SymbolChange{{"Attention", SymRemoved}, {"Attention.__init__", SymRemoved}, {"Attention.state", SymRemoved}, {"Attention.state.setter", SymRemoved}, {"Attention.__call__", SymRemoved}}},
	}
	for name, tc := range changed {
		m := mustParse(t, tc.src)
		if d := diffSymbols(base, m); !reflect.DeepEqual(d, tc.want) {
			t.Errorf("%s: changes %v, want %v", name, d, tc.want)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	m, err := ParseModule([]byte("def f(:\n    pass\n\nclass A:\n    x = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.SyntaxError, "1:") {
		t.Errorf("SyntaxError = %q, want it at line 1", m.SyntaxError)
	}
}

// hasCode reports whether a Python file has a line that is not blank or a
// comment (0.32.2's models/__init__.py is a copyright comment alone).
func hasCode(b []byte) bool {
	for _, l := range strings.Split(string(b), "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return true
		}
	}
	return false
}

// TestParsesPinnedUpstream: every tracked file of the venv's mlx-lm parses
// without error and yields symbols.
func TestParsesPinnedUpstream(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(venvModels(t), "*.py"))
	if len(files) < 100 {
		t.Fatalf("only %d files in the venv", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ParseModule(b)
		if err != nil || m.SyntaxError != "" {
			t.Errorf("%s: %v %s", f, err, m.SyntaxError)
		}
		if hasCode(b) && len(m.Symbols) == 0 {
			t.Errorf("%s: no symbols", f)
		}
	}
}
