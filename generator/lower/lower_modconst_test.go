package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestModuleConstants checks types/check_modconst.go: a module-level int
// folds where it is read, a tuple and a dict of literals are package-level
// values, an mx.array is a py.ModuleArray that reads call, and a constant
// no translated body reads is not declared.
func TestModuleConstants(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

_ALIGN = 8
_PREFIXES = ("vision.", "mtp.")
_PROJ = {"w1": "gate_proj", "w3": "up_proj"}
_FP4_LUT = mx.array([0.0, 0.5, 6.0], dtype=mx.float32)
_UNUSED = (1, 2)

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str

def _round(x: mx.array) -> mx.array:
    return _FP4_LUT[x.astype(mx.int32)] * _ALIGN

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()

    def __call__(self, x: mx.array) -> mx.array:
        return _round(x)

    def sanitize(self, weights: dict[str, mx.array]) -> dict[str, mx.array]:
        return {_PROJ.get(k, k): v for k, v in weights.items() if not k.startswith(_PREFIXES)}
`
	res := translateSrc(t, src)
	vars := map[string]string{}
	var round string
	for _, d := range res.File.Decls {
		switch x := d.(type) {
		case *model.VarDecl:
			vars[x.Name] = model.Dump(x.Value)
		case *model.Func:
			if x.Name == "round" {
				round = model.Dump(x.Body)
			}
		}
	}
	if !strings.Contains(vars["fp4Lut"], "ModuleArray") || !strings.Contains(vars["fp4Lut"], "0.5") {
		t.Errorf("fp4Lut = %q, want a py.ModuleArray of the values", vars["fp4Lut"])
	}
	if !strings.Contains(vars["prefixes"], `"vision."`) || !strings.Contains(vars["proj"], `"gate_proj"`) {
		t.Errorf("prefixes = %q, proj = %q", vars["prefixes"], vars["proj"])
	}
	if _, ok := vars["unused"]; ok {
		t.Errorf("_UNUSED is declared, but nothing reads it")
	}
	if _, ok := vars["align"]; ok {
		t.Errorf("_ALIGN is declared, but a literal folds")
	}
	if !strings.Contains(round, "(call (ident fp4Lut))") || !strings.Contains(round, "(lit 8)") {
		t.Errorf("_round does not call fp4Lut() and read 8:\n%s", round)
	}
}
