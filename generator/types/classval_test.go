package types_test

import (
	"testing"
)

// TestClassValues checks a local that holds a class (jamba's
// ffn_layer_class, picked in an if/else and called once): the call builds
// the class that was picked, so the field it is assigned to is the
// interface of both classes, and the constructors' parameters learn their
// types from the one call site.
func TestClassValues(t *testing.T) {
	u, ds := check(t, header+`
class Dense(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x):
        return self.proj(x)

class Sparse(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.gate = nn.Linear(args.hidden_size, 2)

    def __call__(self, x):
        return self.gate(x)

class Block(nn.Module):
    def __init__(self, args: ModelArgs, i: int):
        super().__init__()
        if i % 2 == 0:
            ffn_class = Sparse
        else:
            ffn_class = Dense
        self.ffn = ffn_class(args)

    def __call__(self, x):
        return self.ffn(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [Block(args, i) for i in range(args.num_layers)]

    def __call__(self, inputs, cache=None):
        h = inputs
        for layer in self.layers:
            h = layer(h)
        return h
`)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if got, want := fieldTypes(u.ByClass["Block"]), "ffn:Dense | Sparse"; got != want {
		t.Errorf("Block fields: %s, want %s", got, want)
	}
	if got, want := paramTypes(u.ByClass["Dense"].ByMeth["__init__"]), "args:ModelArgs"; got != want {
		t.Errorf("Dense.__init__: %s, want %s", got, want)
	}
}
