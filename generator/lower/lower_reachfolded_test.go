package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestFoldedAwayCallees checks types/reach_folded.go: a method and module
// functions that only a folded branch calls (the pipeline-stage send of a
// single process) are not translated and say why, while a function the
// live code calls, one passed as a value and one the file never names stay.
func TestFoldedAwayCallees(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str

def _pack(x: mx.array) -> mx.array:
    return x.reshape(-1)

def _live(x: mx.array) -> mx.array:
    return x * 2

def _as_value(x: mx.array) -> mx.array:
    return x + 1

def _free(x: mx.array) -> mx.array:
    return x - 1

class Stage(nn.Module):
    def __init__(self):
        super().__init__()
        self.rank = 0

    def _send(self, x: mx.array) -> mx.array:
        return mx.distributed.send(_pack(x), self.rank - 1)

    def __call__(self, x: mx.array) -> mx.array:
        rank, k = self.rank, 3
        y = _live(x)
        f = _as_value
        if rank > 0:
            y = self._send(y)
        return f(y)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.stage = Stage()

    def __call__(self, x: mx.array) -> mx.array:
        return self.stage(x)
`
	res := translateSrc(t, src)
	funcs, comments := map[string]bool{}, ""
	for _, d := range res.File.Decls {
		switch x := d.(type) {
		case *model.Func:
			funcs[x.Name] = true
		case *model.Comment:
			comments += x.Text + "\n"
		}
	}
	for _, gone := range []string{"Send", "pack"} {
		if funcs[gone] {
			t.Errorf("%s is translated, but only a folded branch calls it", gone)
		}
	}
	for _, kept := range []string{"live", "asValue", "free", "Forward"} {
		if !funcs[kept] {
			t.Errorf("%s is not translated (have %v)", kept, funcs)
		}
	}
	for _, why := range []string{"Stage._send is not translated: called only from", "_pack is not translated: called only from"} {
		if !strings.Contains(comments, why) {
			t.Errorf("no comment %q in:\n%s", why, comments)
		}
	}
}
