package types_test

import (
	"fmt"
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

const sibSrc = `from dataclasses import dataclass
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    other: int

class Unused(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n = args.other

class Inner(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n = args.hidden_size

    def __call__(self, x):
        return x

class Overridden(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [Unused(args)]

    def __call__(self, x):
        return self.layers[0](x)

class Base(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.inner = Inner(args)

    def __call__(self, x):
        return self.inner(x)
`

// TestBaseReach checks which of a sibling file's classes a file keeps: a
// base whose __init__ the derived class overrides and never calls
// (mistral4's Mistral4Model over DeepseekV3Model) does not keep the classes
// that __init__ builds (Unused: its config field `other` is not in this
// file's ModelArgs, so keeping it would fail); a base __init__ the derived
// class calls through super().__init__(args) (glm_moe_dsa's Model over
// deepseek_v32's) keeps them, and its field's class is found for the
// derived class's __call__ it inherits.
func TestBaseReach(t *testing.T) {
	src := header + `
from .sib import Overridden, Base

class Own(Overridden):
    def __init__(self, args: ModelArgs):
        nn.Module.__init__(self)
        self.w = args.hidden_size

    def __call__(self, x):
        return x * self.w

class Model(Base):
    def __init__(self, args: ModelArgs):
        super().__init__(args)
        self.own = Own(args)
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
	load := func(module string) (*syntax.File, *names.Scope, error) {
		if module != "sib" {
			return nil, nil, fmt.Errorf("no module %s", module)
		}
		sf, d := syntax.Parse("sib.py", []byte(sibSrc))
		if len(d) > 0 {
			return nil, nil, d[0]
		}
		ss, _ := names.Resolve(sf)
		return sf, ss, nil
	}
	u, diags := types.Check(f, scope, tab, load)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if u.ByClass["Unused"] != nil {
		t.Error("Unused (built only by the overridden Overridden.__init__) was kept")
	}
	if u.ByClass["Inner"] == nil {
		t.Error("Inner (built by Base.__init__, which Model's super().__init__ runs) was dropped")
	}
}
