package types_test

import (
	"fmt"
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// TestSiblingMethodAnnotations checks that a sibling's method parameters are
// typed by their annotations read in the sibling's own module: glm_moe_dsa
// (which imports no `mx`) inherits deepseek_v32's
// `shard(self, group: Optional[mx.distributed.Group] = None)`; read in the
// subclass's module, `mx.distributed.Group` named nothing and group was of
// unknown type. The group here is annotated and never rebound by an `or`, so
// only the annotation can type it.
func TestSiblingMethodAnnotations(t *testing.T) {
	sib := `from dataclasses import dataclass
from typing import Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.w = mx.zeros((args.hidden_size,))
        self.group = None

    def __call__(self, x):
        return x * self.w

    def shard(self, group: Optional[mx.distributed.Group] = None):
        self.group = group
        return group.size()
`
	src := `from dataclasses import dataclass
from typing import Optional
from .base import BaseModelArgs
from .sib import Model as SibModel

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int

class Model(SibModel):
    pass
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
		sf, d := syntax.Parse("sib.py", []byte(sib))
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
	var shard *types.Func
	for _, c := range u.Classes {
		if m := c.ByMeth["shard"]; m != nil {
			shard = m
		}
	}
	if shard == nil {
		t.Fatal("no class has shard")
	}
	if got, want := paramTypes(shard), "group:Group"; got != want {
		t.Errorf("shard params: got %s, want %s", got, want)
	}
}
