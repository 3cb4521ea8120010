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

// lowerFunc translates a snippet and dumps the model of one package-level
// function (a constructor).
func lowerFunc(t *testing.T, src, goName string) string {
	t.Helper()
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
	if len(res.Diagnostics) > 0 {
		t.Fatal(res.Diagnostics)
	}
	for _, d := range res.File.Decls {
		if fn, ok := d.(*model.Func); ok && fn.Name == goName && fn.Recv == nil {
			return model.Dump(fn)
		}
	}
	t.Fatalf("no function %s in the model", goName)
	return ""
}

// TestLowerBaseCalls checks the Go of two ways a class builds on another:
// Base.__init__(self) inlines the base's __init__ body as super().__init__()
// does (the fields it sets are set), and a conditional expression between a
// module class and the table type that adapts it (GLUActivation) converts
// the class branch.
func TestLowerBaseCalls(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs
from .switch_layers import SwitchGLU, SwiGLU

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int

class Base:
    def __init__(self):
        super().__init__()
        self.start_idx = 3

class Clamped(nn.Module):
    def __init__(self, limit):
        super().__init__()
        self.limit = limit
    def __call__(self, x, gate):
        return mx.clip(x, -self.limit, self.limit) * gate

class Model(Base, nn.Module):
    def __init__(self, args: ModelArgs):
        Base.__init__(self)
        act = Clamped(2.0) if args.hidden_size > 8 else SwiGLU()
        self.switch_mlp = SwitchGLU(args.hidden_size, args.hidden_size, 4, activation=act)
    def __call__(self, inputs, cache=None):
        return self.switch_mlp(inputs, inputs)
`
	got := lowerFunc(t, src, "NewModel")
	for _, want := range []string{
		`(// "super().__init__() of Base") (scope (block (= (list (sel (ident self) "StartIdx")) (list (lit 3):int))))`,
		`(return (template (list (call (ident NewClamped) (lit 2.0):float):Clamped)))`,
		`(return (template "lmswitch.SwiGLU" "{}"):GLUActivation)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("NewModel lacks %q:\n%s", want, got)
		}
	}
}
