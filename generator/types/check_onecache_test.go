package types_test

import (
	"strings"
	"testing"
)

// TestAnnotatedOneCacheIndexed checks bailing_moe_v3's and gear's conv
// helpers: a `cache` parameter annotated one cache (`Optional[ArraysCache]`,
// `ArraysCache | None`) and indexed by a computed position
// (`cache[cache_index]`) stays that one layer's cache with its members
// (`cache.lengths`), not the model's list of caches the unannotated
// convention makes of an indexed `cache`; an isinstance(mask, str) test of
// a mask is a run-time bool, not a constant.
func TestAnnotatedOneCacheIndexed(t *testing.T) {
	src := strings.Replace(header, "from .cache import KVCache", "from .cache import ArraysCache, KVCache", 1) + `
class Mixer(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d,))
    def _conv(self, x, cache: Optional[ArraysCache], idx: int, mask: Optional[mx.array]):
        if isinstance(mask, str):
            x = x * 2
        if cache is not None:
            state = cache[idx]
            if state is None:
                state = mx.zeros(x.shape)
            if cache.lengths is not None:
                cache[idx] = state + x
            else:
                cache[idx] = x
        return x
    def __call__(self, x, mask=None, cache: Optional[ArraysCache] = None):
        x = self._conv(x, cache, 0, mask)
        return self._conv(x, cache, 1, mask)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.layers = [Mixer(args.hidden_size) for _ in range(args.num_layers)]
    def __call__(self, inputs, cache=None):
        h = inputs
        for layer, c in zip(self.layers, cache):
            h = layer(h, None, c)
        return h
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Error(diags)
	}
	got := paramTypes(u.ByClass["Mixer"].ByMeth["_conv"])
	if want := "x:array cache:Cache idx:int mask:mask"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
