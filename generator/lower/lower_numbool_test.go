package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestNumericBoolOp checks `a and b` over a bool and an int (llama4's
// use_qk_norm): an int valued closure that evaluates a once, returns it
// (as 0/1) when it is false and b otherwise; and a parameter annotated
// with the file's ModelArgs that the call site passes the text config
// takes the text config's type (its fields resolve).
func TestNumericBoolOp(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import Union
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class TextArgs(BaseModelArgs):
    hidden_size: int
    use_qk_norm: bool

@dataclass
class ModelArgs(BaseModelArgs):
    text_config: Union[TextArgs, dict]
    model_type: str

    def __post_init__(self):
        self.text_config = TextArgs.from_dict(self.text_config)

class Inner(nn.Module):
    def __init__(self, args: ModelArgs, n: int):
        super().__init__()
        self.width = args.hidden_size
        self.use_qk = args.use_qk_norm

    def __call__(self, x):
        s = self.use_qk and self.width
        if s:
            x = x * s
        return x

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.inner = Inner(args.text_config, 3)

    def __call__(self, x):
        return self.inner(x)
`
	got := model.Dump(lowerSrc(t, src, "Inner", "Forward").Body)
	for _, w := range []string{
		`(:= (list (ident x0)) (list (call (qual py BoolToInt) (sel (ident self):Inner "UseQk"):bool)))`,
		`(if (unary ! (paren (binary != (ident x0) (lit 0)))) (block (return (ident x0)))`,
		`(return (sel (ident self):Inner "Width"):int)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Forward lacks %s:\n%s", w, got)
		}
	}
}
