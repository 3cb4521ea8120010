package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// lowerFunc translates a snippet and dumps the model of one package-level
// function (a constructor).
func lowerFunc(t *testing.T, src, goName string) string {
	t.Helper()
	res := translateSrc(t, src)
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

// TestLowerConfigMethod checks that a plain method of ModelArgs becomes a
// method of the config struct, and its call in the model a method call.
func TestLowerConfigMethod(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    every: int = 2

    def is_moe(self, layer_idx: int) -> bool:
        return layer_idx % self.every == 0

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, 8 if args.is_moe(1) else 4)
    def __call__(self, inputs, cache=None):
        return self.proj(inputs)
`
	m := model.Dump(lowerSrc(t, src, "ModelArgs", "IsMoe"))
	if !strings.Contains(m, `(params (layerIdx int)) (types bool)`) {
		t.Errorf("IsMoe:\n%s", m)
	}
	if got := lowerFunc(t, src, "NewModel"); !strings.Contains(got, `(call (sel (ident args):ModelArgs "IsMoe") (lit 1):int):bool`) {
		t.Errorf("NewModel does not call IsMoe:\n%s", got)
	}
}
