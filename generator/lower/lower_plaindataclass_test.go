package lower_test

import (
	"strings"
	"testing"
)

const plainDataclassSrc = `from dataclasses import dataclass, field
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass(frozen=True)
class Part:
    on: bool = False
    size: Optional[int] = None

    def __post_init__(self):
        if not self.on:
            object.__setattr__(self, "size", None)

@dataclass(frozen=True)
class Pair:
    a: Part
    b: Part

    @classmethod
    def from_dict(cls, data: dict):
        return cls(a=Part(**data.get("a", {})), b=Part(on=True, size=3))

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    pair: dict

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.p = Pair.from_dict(args.pair)
        self.n = self.p.b.size

    def __call__(self, x):
        return x
`

// TestLowerPlainDataclass checks @dataclass(frozen=True) classes of no base
// (types/check_plaindataclass.go): a struct with json tags and defaults, a
// PostInit whose object.__setattr__ is a field store, and constructor calls
// Cls(**d) / cls(a=..., b=...) / Cls(k=v) as py.Dataclass over the
// defaults (an unknown keyword is Python's TypeError at run time there).
func TestLowerPlainDataclass(t *testing.T) {
	res, got := translateAll(t, strings.Replace(plainDataclassSrc, "from dataclasses", "from typing import Optional\nfrom dataclasses", 1))
	if len(res.Diagnostics) > 0 {
		t.Fatal(diagsText(res))
	}
	for _, w := range []string{
		`(struct Part`,
		`(func NewPart`,
		`(= (list (sel (ident self) "Size")) (list (lit <nil>)))`,
		`(call (qual py Dataclass) (call (ident NewPart)) (call (qual py Dict) (call (qual py Get) (ident data)`,
		`(call (qual py Dataclass) (call (ident NewPair)) (composite map[string]any (kv (lit "a")`,
		`(call (qual py Dataclass) (call (ident NewPart)) (composite map[string]any (kv (lit "on") (lit true):bool) (kv (lit "size") (call (qual py Ptr) (lit 3):int)))):Part`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("model lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerPlainDataclassRefused checks the constructor forms that are not
// translated: a keyword that names no field (always Python's TypeError) and
// positional arguments.
func TestLowerPlainDataclassRefused(t *testing.T) {
	for _, c := range []struct{ call, want string }{
		{`Part(on=True, colour=2)`, `unexpected keyword argument "colour"`},
		{`Part(True)`, `positional arguments are not supported`},
	} {
		src := strings.Replace(plainDataclassSrc, "from dataclasses", "from typing import Optional\nfrom dataclasses", 1)
		src = strings.Replace(src, "Part(on=True, size=3)", c.call, 1)
		res, _ := translateAll(t, src)
		if d := diagsText(res); !strings.Contains(d, c.want) {
			t.Errorf("%s: diagnostics %q lack %q", c.call, d, c.want)
		}
	}
}
