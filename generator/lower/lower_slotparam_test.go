package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestCacheEntryLowering checks recurrent_gemma's rnn_scan in Go: the cache
// entry h0 indexed as an array is py.SlotArray(h0).Index(...), assigned to
// the array local it is read as an array, shapes compare with
// slices.Equal, and mx.conv_general is the binding's ConvGeneral.
func TestCacheEntryLowering(t *testing.T) {
	src := `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    d: int

def scan(x, a, h0):
    assert a.shape == x.shape[-a.ndim :]
    if h0 is not None:
        h = h0
    else:
        h = mx.zeros(x.shape)
    return h * a, h0[:, None]

class Block(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d, 3, 1))
    def __call__(self, x, cache=None):
        y = mx.conv_general(x, self.w, groups=4)
        return scan(y, y, h0=cache)

class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.b = Block(config.d)
    def __call__(self, inputs, cache=None):
        if cache is None:
            cache = [None, None]
        y, cache[1] = self.b(inputs, cache=cache[1])
        return y
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	if w := `(call (sel (sel (ident self):Model "B") "Forward") (ident inputs):array (template "py.CacheItem" "(" (list (ident cache):Cache) ", " (list (lit 1):int) ")"):CacheSlot)`; !strings.Contains(got, w) {
		t.Errorf("Model.Forward lacks %s:\n%s", w, got)
	}
	scan := lowerFunc(t, src, "scan")
	for _, w := range []string{
		`(call (qual slices Equal) (template (list (ident a):array) ".Shape()"):List[int] (call (qual py Slice)`,
		`(= (list (ident h):array) (list (call (qual py SlotArray) (ident h0):CacheSlot)))`,
		`(call (sel (call (qual py SlotArray) (ident h0):CacheSlot) "Index") (qual mlx Colon) (qual mlx NewAxis)):array`,
	} {
		if !strings.Contains(scan, w) {
			t.Errorf("scan lacks %s:\n%s", w, scan)
		}
	}
	blk := model.Dump(lowerSrc(t, src, "Block", "Forward").Body)
	if w := `(template "mlx.ConvGeneral" "(" (list (ident x):array) ", " (list (sel (ident self):Block "W"):array) ", " (list (lit 1):int) ", " (list (lit 0):int) ", " (list (lit 1):int) ", " (list (lit 1):int) ", " (list (lit 4):int) ", " (list (lit false):bool) ")"):array`; !strings.Contains(blk, w) {
		t.Errorf("Block.Forward lacks %s:\n%s", w, blk)
	}
}
