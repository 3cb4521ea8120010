package types_test

import "testing"

// TestCacheEntryParams checks recurrent_gemma's pattern: a block called
// with one entry of its layer's cache (`self.lru(x, cache=cache[1])`) takes
// a cache entry, not a cache, although its parameter is named cache; a
// function it passes the entry to (`scan(x, h0=cache)`) learns that in a
// later round, and `h = h0` then `h = mx.zeros(...)` is one local (a cache
// and an array unify to a cache entry, an entry and an array to an array);
// Model.__init__'s unannotated first parameter is the ModelArgs.
func TestCacheEntryParams(t *testing.T) {
	src := header + `
class LRU(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d,))
    def __call__(self, x, cache=None):
        return scan(x * self.w, h0=cache)

def scan(x, h0):
    if h0 is not None:
        h = h0
    else:
        h = mx.zeros(x.shape)
    for t in range(x.shape[1]):
        h = h * 0.5 + x[:, t]
    return h, h0[:, None]

class Block(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.lru = LRU(d)
    def __call__(self, x, cache=None):
        if cache is None:
            cache = [None, None]
        y, cache[1] = self.lru(x, cache=cache[1])
        return y

class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.args = config
        self.layers = [Block(config.hidden_size) for _ in range(config.num_layers)]
    def __call__(self, inputs, cache=None):
        h = inputs
        for layer, c in zip(self.layers, cache):
            h = layer(h, c)
        return h
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Error(diags)
	}
	for _, c := range []struct{ got, want string }{
		{paramTypes(u.ByClass["LRU"].ByMeth["__call__"]), "x:array cache:CacheSlot"},
		{paramTypes(u.ByClass["Block"].ByMeth["__call__"]), "x:array cache:Cache"},
		{paramTypes(u.ByFunc["scan"]), "x:array h0:CacheSlot"},
		{paramTypes(u.ByClass["Model"].ByMeth["__init__"]), "config:ModelArgs"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestCacheEntryParamsCacheOnly checks falcon_h1's and deepseek_v32's
// pattern: a callee given a cache entry (`cache=cache[1]`) that uses it only
// as a cache (attributes, `is None`, truth, `cache=cache`, a helper whose
// parameter is annotated a cache) keeps a Cache parameter, unannotated or
// annotated Optional[Any]; the call site converts the entry. A callee that
// returns the entry (a value use) still takes the entry.
func TestCacheEntryParamsCacheOnly(t *testing.T) {
	src := header + `
class Attn(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d,))
    def _step(self, x, cache: Optional[KVCache]):
        return x
    def __call__(self, x, cache=None):
        if cache is not None:
            x = x + cache.offset
        if cache:
            x = self._step(x, cache)
        return x

class Indexer(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d,))
    def __call__(self, x, cache: Optional[Any] = None):
        offset = cache.offset if cache is not None else 0
        return x + offset

class Passer(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d,))
    def __call__(self, x, cache=None):
        return x, cache

class Block(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.attn = Attn(d)
        self.idx = Indexer(d)
        self.passer = Passer(d)
    def __call__(self, x, cache=None):
        y = self.attn(x, cache=cache[0])
        y = y + self.idx(x, cache=cache[1])
        y, c = self.passer(y, cache=cache[1])
        return y

class Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.args = config
        self.layers = [Block(config.hidden_size) for _ in range(config.num_layers)]
    def __call__(self, inputs, cache=None):
        h = inputs
        for layer, c in zip(self.layers, cache):
            h = layer(h, c)
        return h
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Error(diags)
	}
	for _, c := range []struct{ got, want string }{
		{paramTypes(u.ByClass["Attn"].ByMeth["__call__"]), "x:array cache:Cache"},
		{paramTypes(u.ByClass["Indexer"].ByMeth["__call__"]), "x:array cache:Cache"},
		{paramTypes(u.ByClass["Passer"].ByMeth["__call__"]), "x:array cache:CacheSlot"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
