package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestLowerFStringOptional checks that an Optional part of an f-string
// prints as Python's str() of it (the value, or None) through py.StrOf, not
// as a Go pointer with %d; a format spec or a conversion keeps its own path.
func TestLowerFStringOptional(t *testing.T) {
	src := header + `
    def __call__(self, x):
        if x.shape[0] == 3:
            raise ValueError(f"head_dim {self.args.head_dim} window {self.args.window}")
        return x
`
	fn := lowerSrc(t, src, "Model", "Forward")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(lit "head_dim %s window %d")`,
		`(call (qual py StrOf) (sel (sel (ident self):Model "Args"):ModelArgs "HeadDim"):Optional[int])`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}
