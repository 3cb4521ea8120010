package types_test

import "testing"

// TestConfigMethod checks a plain method of the ModelArgs dataclass
// (minimax_m3_vl's is_moe(layer_idx)): a method of the config whose
// parameters and result are typed like a module method's, callable from the
// model's code.
func TestConfigMethod(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import List, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    num_layers: int
    mlp_layer_types: Optional[List[str]] = None

    def is_moe(self, layer_idx: int) -> bool:
        if self.mlp_layer_types is not None:
            return self.mlp_layer_types[layer_idx] == "sparse"
        return True

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [nn.Linear(args.hidden_size, args.hidden_size if args.is_moe(i) else 4) for i in range(args.num_layers)]
    def __call__(self, inputs, cache=None):
        return inputs
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := u.ByClass["ModelArgs"].ByMeth["is_moe"]
	if m == nil || !m.ConfigMethod {
		t.Fatal("is_moe is not a method of the config")
	}
	if got, want := paramTypes(m)+" -> "+m.Ret.String(), "layer_idx:int -> bool"; got != want {
		t.Errorf("is_moe: got %q, want %q", got, want)
	}
}
