package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestModuleReplacement checks the constructs of a model that swaps its own
// layers by config-named paths (prism_hadamard_qwen35): named_modules and
// dict(pairs), a set built with add, isinstance of mlx.nn classes on a
// module value (the concrete class, or-ed for a tuple), `"bias" in module`,
// a module's weight read by name, a config value compared with a bool by
// Python's ==, update_modules(tree_unflatten(pairs)), and a
// super().<method>() that runs the overridden base method (check_supermethod.go's
// <Base><Method> copy), here super().__call__ from another method.
func TestModuleReplacement(t *testing.T) {
	src := `from dataclasses import dataclass, field
from typing import Any, Dict, List
import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_unflatten
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int = 8
    modules: List[Dict[str, Any]] = field(default_factory=list)

class Packed(nn.Module):
    def __init__(self, dims: int):
        super().__init__()
        self.weight = mx.zeros((dims, dims))
        self.freeze()

    def __call__(self, x):
        return x @ self.weight.T

class PackedEmbedding(Packed):
    def __call__(self, indices):
        return self.weight[indices]

    def as_linear(self, x):
        return super().__call__(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.embed_tokens = nn.Embedding(16, args.hidden_size)
        self.proj = nn.Linear(args.hidden_size, args.hidden_size, bias=False)
        modules = dict(self.named_modules())
        seen = set()
        pairs = []
        for record in args.modules:
            path = record["path"]
            if path in seen:
                raise ValueError("twice")
            seen.add(path)
            original = modules.get(path)
            if not isinstance(original, (nn.Linear, nn.Embedding)):
                raise ValueError("kind")
            if record["embedding"] != isinstance(original, nn.Embedding):
                raise ValueError("mismatch")
            if "bias" in original:
                raise ValueError("bias")
            rows, width = original.weight.shape
            pairs.append((path, PackedEmbedding(width) if record["embedding"] else Packed(width)))
        self.update_modules(tree_unflatten(pairs))

    def __call__(self, inputs, cache=None):
        return self.embed_tokens.as_linear(self.proj(self.embed_tokens(inputs)))
`
	var dump strings.Builder
	for _, d := range lowerDecls(t, src) {
		if fn, ok := d.(*model.Func); ok {
			dump.WriteString(model.Dump(fn) + "\n")
		}
	}
	got := dump.String()
	for _, want := range []string{
		"(qual py DictFromPairs)", `(template "nn.NamedModules"`, "(qual py SetAdd)",
		`(binary || (call (qual py IsInstance) (types (template-type "*" "nn.Linear"))`, "(qual py ModuleHas)",
		`(template "py.Parameter"`, "(qual py ValueEq)", `(template "py.UpdateModules"`, `(template "py.TreeUnflatten"`,
		"(func PackedForward (recv self *PackedEmbedding)",
		`(func AsLinear (recv self *PackedEmbedding) (params (x *mlx.Array)) (types *mlx.Array) (block (return (call (sel (ident self):PackedEmbedding "PackedForward")`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the Go has no %s", want)
		}
	}
	if t.Failed() {
		t.Log(got)
	}
}
