package types_test

import "testing"

// TestParamOrDefault checks that an unannotated parameter defaulting to None,
// rebound as `group = group or mx.distributed.init()` (qwen3_5's shard), is
// learnt as Optional of the default's type, while an annotated one and one
// whose default is not None keep theirs (scale: int stays int; n=0 stays
// int; `k or 1.0` with k unannotated but defaulting to 2 is not this rule).
func TestParamOrDefault(t *testing.T) {
	src := header + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
        self.w = mx.zeros((args.hidden_size,))
    def __call__(self, inputs, cache=None):
        return inputs * self.w
    def shard(self, group=None, scale: Optional[int] = None, n=0):
        group = group or mx.distributed.init()
        scale = scale or 2
        n = n or 3
        return group.size() * scale * n
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Error(diags)
	}
	if got, want := paramTypes(u.ByClass["Model"].ByMeth["shard"]), "group:Group scale:Optional[int] n:int"; got != want {
		t.Errorf("shard params: got %s, want %s", got, want)
	}
}
