package lower_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// TestIfaceMethods checks a field assigned one of two module classes by a
// condition (mistral3's language_model) on which another method than
// __call__ is called: the Go interface lists Forward and that method, and
// the call is the interface's method. A method one member lacks stays an
// error (TestIfaceMethodMissing).
func TestIfaceMethods(t *testing.T) {
	src := ifaceSrc(`
    def sanitize(self, weights):
        return {k: v for k, v in weights.items() if "rotary" not in k}
`)
	decls := lowerDecls(t, src)
	var all strings.Builder
	for _, d := range decls {
		all.WriteString(model.Dump(d))
		all.WriteString("\n")
	}
	got := all.String()
	for _, w := range []string{
		`interface-method Sanitize`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("declarations lack %s:\n%s", w, got)
		}
	}
	fn := lowerSrc(t, src, "Model", "Sanitize")
	if w := `(call (sel (sel (ident self):Model "Inner"):A | B "Sanitize") (ident weights):Dict[str, array]):Dict[str, array]`; !strings.Contains(model.Dump(fn.Body), w) {
		t.Errorf("Model.sanitize lacks %s:\n%s", w, model.Dump(fn.Body))
	}
}

// TestIfaceMethodMissing checks that a method only some members have is
// not one of the interface: the call is a diagnostic naming it.
func TestIfaceMethodMissing(t *testing.T) {
	f, diags := syntax.Parse("m.py", []byte(ifaceSrc("")))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m"})
	if got := fmt.Sprint(res.Diagnostics); !strings.Contains(got, "method sanitize") {
		t.Errorf("diagnostics %s, want one for method sanitize", got)
	}
}

// ifaceSrc is a file whose Model holds A or B; B gets extra as its body's
// tail, A always has sanitize.
func ifaceSrc(extra string) string {
	return header + `        if args.window > 0:
            self.inner = A(args)
        else:
            self.inner = B(args)

    def __call__(self, inputs, cache=None):
        return self.inner(inputs)

    def sanitize(self, weights):
        return self.inner.sanitize(weights)

class A(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x):
        return self.proj(x)

    def sanitize(self, weights):
        return {k: v for k, v in weights.items() if "rotary" not in k}

class B(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.gate = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x):
        return self.gate(x)
` + extra
}

// TestIfaceFields checks a field read through an interface of classes
// (mistral3's self.language_model.model.layers): a function literal
// asserts each member class in turn and reads its field, a list of layer
// classes whose __call__ differ becoming []any (py.AnyList).
func TestIfaceFields(t *testing.T) {
	src := ifaceSrc(`
    def sanitize(self, weights):
        return weights

class LA(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x, mask):
        return self.proj(x)

class LB(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x):
        return self.proj(x)
`)
	src = strings.Replace(src, "        self.proj = nn.Linear(args.hidden_size, args.hidden_size)\n\n    def __call__(self, x):\n        return self.proj(x)\n\n    def sanitize",
		"        self.proj = nn.Linear(args.hidden_size, args.hidden_size)\n        self.layers = [LA(args)]\n\n    def __call__(self, x):\n        return self.proj(x)\n\n    def sanitize", 1)
	src = strings.Replace(src, "        self.gate = nn.Linear(args.hidden_size, args.hidden_size)\n",
		"        self.gate = nn.Linear(args.hidden_size, args.hidden_size)\n        self.layers = [LB(args)]\n", 1)
	src = strings.Replace(src, "    def sanitize(self, weights):\n        return self.inner.sanitize(weights)\n",
		"    def sanitize(self, weights):\n        return self.inner.sanitize(weights)\n\n    @property\n    def layers(self):\n        return self.inner.layers\n", 1)
	got := model.Dump(lowerSrc(t, src, "Model", "Layers").Body)
	for _, w := range []string{
		`(:= (list (ident r)) (list (sel (ident self):Model "Inner"):A | B))`,
		`(sel (assert (ident r) *B) "Layers")`,
		`(call (qual py AnyList) (sel (ident v) "Layers"))`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Layers lacks %s:\n%s", w, got)
		}
	}
}
