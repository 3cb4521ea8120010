package types_test

import "testing"

// TestDefaultTypes checks types that come from defaults alone: a parameter
// whose default is a function of the table used as a value
// (activation=nn.silu, never passed: llama4_text's MLP) is an Activation, and
// a dataclass field annotated str whose default is a tuple (dots1's
// scoring_func: str = ("noaux_tc",)) is Any, since Python holds either.
func TestDefaultTypes(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    scoring_func: str = ("noaux_tc",)
    norm: str = "rms"

class MLP(nn.Module):
    def __init__(self, dim, activation=nn.silu):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
    def __call__(self, x):
        return self.proj(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.mlp = MLP(args.hidden_size)
    def __call__(self, inputs, cache=None):
        return self.mlp(inputs)
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	cases := []struct{ got, want string }{
		{fieldTypes(u.ByClass["ModelArgs"]), "model_type:str hidden_size:int scoring_func:Any norm:str"},
		{paramTypes(u.ByClass["MLP"].ByMeth["__init__"]), "dim:int activation:Activation"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}
