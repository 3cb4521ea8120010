package types_test

import (
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// TestForeignSelfCall checks kimi_k25's `Base.sanitize(self.inner, w)`
// where self.inner is another class with no sanitize of its own: the call
// is rewritten to self.inner.sanitize(w) and the method copied into that
// class, its body checked against that class's fields (self.scale).
func TestForeignSelfCall(t *testing.T) {
	src := header + `
class Helper(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.scale = 2

    def sanitize(self, weights):
        return {k: v * self.scale for k, v in weights.items()}

class Inner(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.scale = 3
        self.lin = nn.Linear(args.hidden_size, 2)

    def __call__(self, x):
        return self.lin(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.inner = Inner(args)
        self.helper = Helper(args)

    def __call__(self, x):
        return self.inner(x)

    def sanitize(self, weights):
        return Helper.sanitize(self.inner, weights)
`
	f, diags := syntax.Parse("m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	u, diags := types.Check(f, scope, tab, nil)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	inner := u.ByClass["Inner"]
	if inner == nil || inner.ByMeth["sanitize"] == nil || inner.ByMeth["sanitize"].Class != inner {
		t.Fatal("Inner has no sanitize of its own after Helper.sanitize(self.inner, ...)")
	}
}
