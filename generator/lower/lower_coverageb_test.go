package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestLowerPythonForms checks the Go model of Python forms the 0.32.2
// files use: next(genexp, default) and next(genexp) as a loop that returns
// the first element (StopIteration without a default), str.endswith(tuple),
// x.reshape(*shape), dict(d) as the copy Python makes, and an int | array cache
// offset in integer arithmetic.
func TestLowerPythonForms(t *testing.T) {
	src := header + `
    def __call__(self, x, cache=None):
        kinds = ["a", "b", "a"]
        first = next(i for i, k in enumerate(kinds) if k == "b")
        later = next((i for i, k in enumerate(kinds) if k == "c"), None)
        tail = "w.cos".endswith(("cos", "sin"))
        shape = x.shape[:-1] + (2, 3)
        y = x.reshape(*shape)
        d = dict(self.args.rope)
        d["type"] = "yarn"
        e = dict(self.args.rope["inner"])
        e["type"] = "yarn"
        end = cache.offset + 4
        return y
`
	src = strings.Replace(src, "    head_dim: Optional[int] = None\n", "    head_dim: Optional[int] = None\n    rope: Optional[Dict[str, Any]] = None\n", 1)
	src = strings.Replace(src, "from typing import Any, Optional", "from typing import Any, Dict, Optional", 1)
	fn := lowerSrc(t, src, "Model", "Forward")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		// next without a default: the first match, else StopIteration.
		`(return (ident i):int)`,
		`(call (qual py Raise) (lit "StopIteration")`,
		// next with None: Optional[int], the match wrapped, nil after the loop.
		`(return (call (qual py Ptr) (ident i):int))`,
		`(return (lit <nil>))`,
		`(call (qual py EndsWithAny) (lit "w.cos")`,
		`(spread (ident shape)`,
		// dict(d) copies: of a typed dict, and of a config value (Any).
		`(call (qual maps Clone) (sel (sel (ident self):Model "Args"):ModelArgs "Rope")`,
		`(call (qual maps Clone) (call (qual py Dict)`,
		`(call (qual py OffsetArith) (lit "+")`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}
