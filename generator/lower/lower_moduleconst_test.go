package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestModuleConstantsReadAsValues checks that module-level scalar constants read as
// their values (a float, an int; types/check_modconst.go), next to the
// container constants (check_moduledict.go (a tuple tested with `in`, a
// dict with int keys read with .get, a dict compared with a dict field by
// Python's ==), and that a module-level list the file appends to is not a
// constant.
func TestModuleConstantsReadAsValues(t *testing.T) {
	src := `from dataclasses import dataclass, field
from typing import Any, Dict
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

_EPS = 1e-15
_LIMIT = 8
_E2M1 = 6.0
_E4M3 = 448.0
_BLOCKS = (0, 512, 1024)
_NAMES = {1: "text", 2: "vision"}
_QUANT = {"bits": 2, "mode": "affine"}

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int = 8
    schema: int = 1
    quantization: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if _NAMES.get(self.schema) != "text":
            raise ValueError("schema")
        if self.quantization != _QUANT:
            raise ValueError("quantization")

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.eps = _EPS
        self.block = 512 if args.hidden_size <= _LIMIT else 0
        if self.block not in _BLOCKS:
            raise ValueError("block")

    def __call__(self, inputs, cache=None):
        return inputs * _E2M1 * _E4M3 + self.eps
`
	var dump strings.Builder
	for _, d := range lowerDecls(t, src) {
		if fn, ok := d.(*model.Func); ok {
			dump.WriteString(model.Dump(fn) + "\n")
		}
	}
	got := dump.String()
	for _, want := range []string{"(lit 1e-15)", "(lit 6.0):float", "(lit 448.0):float", "(qual py ValueEq)", "(lit 8):int"} {
		if !strings.Contains(got, want) {
			t.Errorf("the Go has no %s:\n%s", want, got)
		}
	}
}

// TestModuleListAppendedIsNotConstant: a module-level list that a function
// appends to is state, not a constant: reading it stays a diagnostic.
func TestModuleListAppendedIsNotConstant(t *testing.T) {
	src := header + `
    def __call__(self, inputs, cache=None):
        _SEEN.append(1)
        return inputs * len(_SEEN)

_SEEN = [0]
`
	res := translateWith(t, src, nil)
	found := false
	for _, d := range res.Diagnostics {
		if d.Construct == "name _SEEN" {
			found = true
		}
	}
	if !found {
		t.Errorf("a mutated module-level list read as a constant: %v", res.Diagnostics)
	}
}
