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

// TestForeignSelfCallSameName checks longcat_flash_ngram's
// `LongcatFlashLM.sanitize(self, w)` from Model's own sanitize, and
// `LongcatFlashLM.quant_predicate.fget(self)` from Model's own property:
// each copy gets a distinct name (Helper_sanitize, Helper_scaled; Go
// HelperSanitize, HelperScaled), the class's own methods stay in place,
// and the fget call becomes a read of the copied property.
func TestForeignSelfCallSameName(t *testing.T) {
	src := header + `
class Helper(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.scale = 2

    def __call__(self, x):
        return x

    @property
    def scaled(self):
        return self.scale * 2

    def sanitize(self, weights):
        return {k: v * self.scale for k, v in weights.items()}

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.scale = 3
        self.lin = nn.Linear(args.hidden_size, 2)

    def __call__(self, x):
        return self.lin(x) * self.scaled

    @property
    def scaled(self):
        return Helper.scaled.fget(self) + 1

    def sanitize(self, weights):
        weights = Helper.sanitize(self, weights)
        return Helper.sanitize(self, weights)
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
	m := u.ByClass["Model"]
	for _, tc := range []struct{ py, goName string }{
		{"sanitize", "Sanitize"}, {"Helper_sanitize", "HelperSanitize"},
		{"scaled", "Scaled"}, {"Helper_scaled", "HelperScaled"},
	} {
		fn := m.ByMeth[tc.py]
		if fn == nil || fn.Class != m || fn.GoName != tc.goName {
			t.Fatalf("Model.%s: %+v, want a method of Model named %s", tc.py, fn, tc.goName)
		}
	}
	if m.ByMeth["Helper_sanitize2"] != nil {
		t.Error("two calls of Helper.sanitize made two copies")
	}
	if !m.ByMeth["Helper_scaled"].IsProp || !m.Props["Helper_scaled"] {
		t.Error("Helper.scaled.fget(self) did not copy a property")
	}
	own := m.ByMeth["sanitize"].Def.Body
	if r, ok := own[0].(*syntax.Assign); !ok {
		t.Fatalf("sanitize's first statement: %T", own[0])
	} else if c, ok := r.Value.(*syntax.Call); !ok {
		t.Fatalf("sanitize calls %T", r.Value)
	} else if a, ok := c.Func.(*syntax.Attribute); !ok || a.Attr != "Helper_sanitize" || len(c.Args) != 1 {
		t.Fatalf("Helper.sanitize(self, weights) not rewritten to self.Helper_sanitize(weights): %#v", c.Func)
	}
}
