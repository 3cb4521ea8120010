package types_test

import (
	"fmt"
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// TestSiblingNameCollision checks mistral3's imports: two sibling files
// define a class of the same name (llama's and ministral3's Attention),
// and one of them is also imported through the other (mistral4 imports
// ministral3): each file's class is kept once, the later one under its
// file's name, and each file's code builds its own.
func TestSiblingNameCollision(t *testing.T) {
	mod := func(name, field string, extra string) string {
		return `from dataclasses import dataclass
import mlx.nn as nn
from .base import BaseModelArgs
` + extra + `
@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    ` + field + `: int

class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.lin = nn.Linear(args.` + field + `, 2)

    def __call__(self, x):
        return self.lin(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.attn = Attention(args)

    def __call__(self, x):
        return self.attn(x)
`
	}
	srcs := map[string]string{
		"one": mod("one", "width", ""),
		"two": mod("two", "size", ""),
	}
	src := `from dataclasses import dataclass
import mlx.nn as nn
from .base import BaseModelArgs
from . import one, two

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    text_config: dict

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.a = one.Model(one.ModelArgs.from_dict(args.text_config))
        self.b = two.Model(two.ModelArgs.from_dict(args.text_config))

    def __call__(self, x):
        return self.a(x) + self.b(x)
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
		s, ok := srcs[module]
		if !ok {
			return nil, nil, fmt.Errorf("no module %s", module)
		}
		sf, d := syntax.Parse(module+".py", []byte(s))
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
	n := 0
	for _, c := range u.Classes {
		if c.Def.Name == "Attention" {
			n++
		}
	}
	if n != 2 || u.ByClass["Attention"] == nil || u.ByClass["TwoAttention"] == nil {
		var got []string
		for _, c := range u.Classes {
			got = append(got, c.Name)
		}
		t.Fatalf("classes %v: want one's Attention and two's as TwoAttention", got)
	}
}
