package types_test

import "testing"

// TestAnyParamFromCallSites checks parameters annotated Any: the call sites
// decide their type (a cache where the caller passes its cache, an
// Optional[array] where the annotation was Optional[Any] and an array is
// passed), and call sites that disagree keep the Any.
func TestAnyParamFromCallSites(t *testing.T) {
	src := header + `
class Block(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n = args.hidden_size
    def _store(self, x, slot: Optional[Any], idx: int, extra: Any):
        if slot is not None:
            slot[idx] = x
        return x
    def _mixed(self, v: Any):
        return v
    def __call__(self, x, cache: Optional[Any] = None):
        y = self._store(x, cache, 0, x)
        self._mixed(1)
        self._mixed("a")
        return y

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [Block(args) for _ in range(args.num_layers)]
    def __call__(self, inputs, cache=None):
        h = inputs
        for layer, c in zip(self.layers, cache):
            h = layer(h, c)
        return h
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	b := u.ByClass["Block"]
	for _, c := range []struct{ got, want string }{
		{paramTypes(b.ByMeth["_store"]), "x:array slot:Cache idx:int extra:array"},
		{paramTypes(b.ByMeth["_mixed"]), "v:Any"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
