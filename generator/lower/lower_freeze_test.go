package lower_test

import (
	"strings"
	"testing"
)

// TestLowerFreeze checks that self.freeze() in a module's __init__ (not a
// method of the class) emits no Go (types/check_freeze.go: trainability is
// never read in inference), and that the rest of the body is kept.
func TestLowerFreeze(t *testing.T) {
	src := header + `
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)
        self.freeze()

    def __call__(self, x):
        return self.proj(x)
`
	res, got := translateAll(t, src)
	if len(res.Diagnostics) > 0 {
		t.Fatal(diagsText(res))
	}
	if strings.Contains(got, "Freeze") || strings.Contains(got, "freeze") {
		t.Errorf("freeze is emitted:\n%s", got)
	}
	if !strings.Contains(got, `(= (list (sel (ident self) "Proj"))`) {
		t.Errorf("the body lost its other statements:\n%s", got)
	}
	// A class that defines freeze itself keeps its call.
	own := strings.Replace(src, "    def __call__(self, x):", "    def freeze(self):\n        self.proj = None\n\n    def __call__(self, x):", 1)
	if _, got := translateAll(t, own); !strings.Contains(got, "Freeze") {
		t.Errorf("a class's own freeze is dropped:\n%s", got)
	}
}
