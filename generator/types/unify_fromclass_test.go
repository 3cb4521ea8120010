package types_test

import "testing"

// TestUnifyFromClass checks a conditional expression whose branches are a
// module class of the file and a table type that adapts such classes
// (step3p5's `ClampedSwiGLU(limit) if limit > 0 else SwiGLU()`): the value is
// the table type (GLUActivation), and it can go where SwitchGLU takes one.
// A class whose __call__ takes another number of arguments does not unify.
func TestUnifyFromClass(t *testing.T) {
	src := header + `from .switch_layers import SwitchGLU, SwiGLU

class ClampedSwiGLU(nn.Module):
    def __init__(self, limit):
        super().__init__()
        self.limit = limit
    def __call__(self, x, gate):
        return mx.clip(x, -self.limit, self.limit) * nn.silu(gate)

class MoE(nn.Module):
    def __init__(self, args: ModelArgs, limit: float):
        super().__init__()
        activation = ClampedSwiGLU(limit) if limit > 0 else SwiGLU()
        self.switch_mlp = SwitchGLU(args.hidden_size, args.hidden_size, 4, activation=activation)
        self.act = activation
    def __call__(self, x, inds):
        return self.switch_mlp(x, inds)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.moe = MoE(args, 7.0)
    def __call__(self, inputs, cache=None):
        return self.moe(inputs, inputs)
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if got, want := fieldTypes(u.ByClass["MoE"]), "switch_mlp:SwitchGLU act:GLUActivation"; got != want {
		t.Errorf("MoE's fields: got %q, want %q", got, want)
	}
	// One argument: not a GLU activation.
	bad := header + `from .switch_layers import SwiGLU

class Act(nn.Module):
    def __call__(self, x):
        return x

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.act = Act() if args.hidden_size > 4 else SwiGLU()
    def __call__(self, inputs, cache=None):
        return inputs
`
	if _, diags := check(t, bad); len(diags) == 0 {
		t.Error("a one-argument class unified with GLUActivation")
	}
}
