package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestCacheValueConstructs checks bailing_hybrid's linear attention:
// hasattr(cache, "advance") asks the value (py.CacheHasAttr: a list of
// Nones has no advance), mask.astype(...) reads the SSM mask's array, and
// rope_utils.apply_yarn_mscale is the ported one.
func TestCacheValueConstructs(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import Any, Dict, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs
from .rope_utils import apply_yarn_mscale

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    rope_scaling: Optional[Dict[str, Any]] = None

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.scale = 0.125

    def _scale(self):
        return apply_yarn_mscale(self.scale, self.args.rope_scaling)

    def __call__(self, x, mask=None, cache: Optional[Any] = None):
        if cache is None:
            cache = [None]
        if mask is not None:
            x = x * mask.astype(mx.float32)
        if hasattr(cache, "advance"):
            cache.advance(1)
        return x * self.scale
`
	fn := lowerSrc(t, src, "Model", "Forward")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(call (qual py CacheHasAttr) (ident cache):Cache (lit "advance")):bool`,
		`(template (list (sel (ident mask):mask "Array")) ".Astype("`,
		`(call (qual py NoneSlots) (lit 1))`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Forward lacks %s:\n%s", w, got)
		}
	}
	sc := model.Dump(lowerSrc(t, src, "Model", "Scale_").Body)
	if w := `(template "py.ApplyYarnMscale" "(" (list (sel (ident self):Model "Scale"):float) ", "`; !strings.Contains(sc, w) {
		t.Errorf("_scale lacks %s:\n%s", w, sc)
	}
}
