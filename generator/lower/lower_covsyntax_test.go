package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestLowerFStringConversions checks that !r, !a and !s become runtime/py's
// Repr / ASCII / StrOf before formatting (a str through ReprStr, no boxing;
// !s of a str is the str itself), each part formatted with %s.
func TestLowerFStringConversions(t *testing.T) {
	src := header + `
    def __call__(self, x):
        if self.args.model_type != "m":
            raise ValueError(f"bad {self.args.model_type!r} {self.args.hidden_size!r} {self.args.head_dim!a} {self.args.model_type!s} {self.args.window!s}")
        return x
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(lit "bad %s %s %s %s %s")`,
		`(call (qual py ReprStr) (sel (sel (ident self):Model "Args"):ModelArgs "ModelType"):str (ident false))`,
		`(call (qual py Repr) (sel (sel (ident self):Model "Args"):ModelArgs "HiddenSize"):int)`,
		`(call (qual py ASCII) (sel (sel (ident self):Model "Args"):ModelArgs "HeadDim"):Optional[int])`,
		`(call (qual py StrOf) (sel (sel (ident self):Model "Args"):ModelArgs "Window"):int)`,
		// !s of a str: the value itself, between ASCII's call and StrOf's.
		`"HeadDim"):Optional[int]) (sel (sel (ident self):Model "Args"):ModelArgs "ModelType"):str (call (qual py StrOf)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}
