package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestNumberConstructs checks bailing_moe_linear's slope arithmetic:
// math.log2 is the C library's (py.Log2), float.is_integer is
// py.FloatIsInteger, `2 ** k` with a non-literal int exponent is an int
// (py.PowInt) while `2 ** -k` and `2 ** x` with a float stay math.Pow, and a
// list slice with a step is py.SliceStep.
func TestNumberConstructs(t *testing.T) {
	src := `from dataclasses import dataclass
import math
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    heads: int

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n = args.heads

    def _slopes(self):
        n = self.n
        k = math.floor(math.log2(n))
        p = 2 ** k
        q = 2 ** -k
        xs = [2 ** (-(2 ** -(math.log2(n) - 3)) * (i + 1)) for i in range(n)]
        if math.log2(n).is_integer():
            return xs
        return xs[::2][: n - p] + xs[1:n:p] + [q]
`
	fn := lowerSrc(t, src, "Model", "Slopes_")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(call (qual py PowInt) (lit 2):int (ident k):int):int`,
		`(call (qual math Pow) (lit 2.0) (conv float64 (unary - (ident k):int):int)):float`,
		`(template "py.Log2" "(" (list (conv float64 (ident n):int)) ")"):float (lit 3.0)`,
		`(call (qual py FloatIsInteger) (template "py.Log2" "(" (list (conv float64 (ident n):int)) ")"):float):bool`,
		`(call (qual py SliceStep) (ident xs):List[float] (qual py SliceNone) (qual py SliceNone) (lit 2):int):List[float]`,
		`(call (qual py SliceStep) (ident xs):List[float] (lit 1):int (ident n):int (ident p):int):List[float]`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("_slopes lacks %s:\n%s", w, got)
		}
	}
}
