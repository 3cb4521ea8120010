package types_test

import (
	"fmt"
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// TestAliasedSiblingArgs checks kimi_k25's `from .sib import ModelArgs as
// TextConfig` next to the file's own ModelArgs: the sibling's dataclass is
// a class of the unit under the sibling's name (SibModelArgs), the alias
// resolves to it, and a parameter annotated with the alias reads its
// fields.
func TestAliasedSiblingArgs(t *testing.T) {
	sib := `from dataclasses import dataclass
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
`
	src := `from dataclasses import dataclass
from typing import Union
import mlx.nn as nn
from .base import BaseModelArgs
from .sib import ModelArgs as TextConfig

@dataclass
class ModelArgs(BaseModelArgs):
    text_config: Union[TextConfig, dict]
    model_type: str = "m"

    def __post_init__(self):
        if isinstance(self.text_config, dict):
            self.text_config = TextConfig.from_dict(self.text_config)

class Inner(nn.Module):
    def __init__(self, config: TextConfig):
        super().__init__()
        self.lin = nn.Linear(config.hidden_size, 2)

    def __call__(self, x):
        return self.lin(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.inner = Inner(args.text_config)

    def __call__(self, x):
        return self.inner(x)
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
	if c := u.ClassOf("TextConfig"); c == nil || c.Name != "SibModelArgs" || !c.IsArgs {
		t.Fatalf("TextConfig resolves to %+v, want the dataclass SibModelArgs", c)
	}
}
