package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestLowerIsinstanceMaskStr checks gear's _softcap_attention: on a mask
// (None, "causal" or an array) isinstance(mask, str) is its Causal flag at
// run time, so the branch that builds the causal array is kept (it was
// folded away as a constant false).
func TestLowerIsinstanceMaskStr(t *testing.T) {
	src := header + `
    def __call__(self, x, mask=None):
        if mask is not None:
            if isinstance(mask, str):
                mask = mx.arange(4)[:, None] >= mx.arange(4)[None]
            x = mx.where(mask, x, 0.0)
        return x
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	if w := `(if (sel (ident mask):mask "Causal"):bool`; !strings.Contains(got, w) {
		t.Errorf("body lacks %s:\n%s", w, got)
	}
}
