package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestTupleAssignConstants checks that names a tuple assignment binds to
// folded constant fields are constants (types/check_tuplelits.go): the
// branches testing them fold (no mx.distributed call is left), the
// assignment of the constants disappears, and a non-constant target of the
// same statement is still assigned.
func TestTupleAssignConstants(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.rank = 0
        self.size = 1

    def __call__(self, x: mx.array) -> mx.array:
        rank, size = self.rank, self.size
        if rank < size - 1:
            x = mx.distributed.recv_like(x, rank + 1)
        r, y = self.rank, x * 2
        if r > 0:
            y = mx.distributed.send(y, rank - 1)
        return y
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, bad := range []string{"Recv", "Send", "(if ", `"Rank"`, `"Size"`} {
		if strings.Contains(got, bad) {
			t.Errorf("folded code left (%s) in:\n%s", bad, got)
		}
	}
	if !strings.Contains(got, "(ident y)") || !strings.Contains(got, "Multiply") {
		t.Errorf("y = x * 2 is not assigned:\n%s", got)
	}
}
