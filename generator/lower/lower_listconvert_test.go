package lower_test

import (
	"strings"
	"testing"
)

const listConvertSrc = `from dataclasses import dataclass, field
from typing import Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass(frozen=True)
class Block:
    width: int = 1
    mult: Optional[float] = None

    def __post_init__(self):
        if self.mult is not None:
            object.__setattr__(self, "mult", round(self.mult, 6))

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    blocks: list = field(default_factory=list)

    def __post_init__(self):
        if self.blocks and isinstance(self.blocks[0], dict):
            self.blocks = [Block(**b) for b in self.blocks]
        for b in self.blocks:
            if b.width < 0:
                raise ValueError("negative")

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.widths = [b.width for b in args.blocks]
        self.first = args.blocks[0].mult

    def __call__(self, x):
        return x
`

// TestLowerListConvert checks a list field of no element type that
// __post_init__ rebinds to a list of a config dataclass
// (types/check_listconvert.go): the field stays []any; the store widens
// the list of Block; reads before the store (the isinstance test, the
// comprehension's iterable) see the raw elements, reads after it in
// __post_init__ and every read outside the dataclass are py.ListAs of
// *Block. round(x, 6) is py.RoundDigits and object.__setattr__ a store.
func TestLowerListConvert(t *testing.T) {
	res, got := translateAll(t, listConvertSrc)
	if len(res.Diagnostics) > 0 {
		t.Fatal(diagsText(res))
	}
	for _, w := range []string{
		`(field Blocks []any json:blocks)`,
		`(call (qual py IsInstanceOf) (index (sel (ident self):ModelArgs "Blocks"):List[Any]`,
		`(= (list (sel (ident self) "Blocks")) (list (call (qual py AnyList)`,
		`(for-range (ident _) (ident b) (sel (ident self):ModelArgs "Blocks"):List[Any]`,
		`(for-range (ident _) (ident b) (call (qual py ListAs) (types *Block) (sel (ident self):ModelArgs "Blocks")):List[Block]`,
		`(index (call (qual py ListAs) (types *Block) (sel (ident args):ModelArgs "Blocks")):List[Block] (lit 0):int):Block "Mult"`,
		`(template "py.RoundDigits" "(" (list (unary * (sel (ident self):Block "Mult")):float) ", " (list (lit 6):int) ")")`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("model lacks %s:\n%s", w, got)
		}
	}
}
