package types_test

import "testing"

// TestExplicitBaseInit checks Base.__init__(self, ...) called in place of
// super().__init__() (mistral4's PipelineMixin.__init__(self)): the base's
// body runs in the derived class, so the fields it assigns exist with their
// types (start_idx read by an inherited method).
func TestExplicitBaseInit(t *testing.T) {
	src := header + `
class Base:
    def __init__(self):
        super().__init__()
        self.start_idx = 0
        self.end_idx = None

    def first(self):
        return self.layers[self.start_idx]

class Inner(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)
    def __call__(self, x):
        return self.proj(x)

class M(Base, nn.Module):
    def __init__(self, args: ModelArgs):
        Base.__init__(self)
        self.layers = [Inner(args.hidden_size) for _ in range(args.num_layers)]
    def __call__(self, x):
        return self.first()(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.model = M(args)
    def __call__(self, inputs, cache=None):
        return self.model(inputs)
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if got, want := fieldTypes(u.ByClass["M"]), "start_idx:int end_idx:None layers:List[Inner]"; got != want {
		t.Errorf("M's fields: got %q, want %q", got, want)
	}
}
