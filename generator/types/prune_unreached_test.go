package types_test

import (
	"testing"
)

// TestUnreachedMethods checks which methods inference reaches: the
// special methods, the hooks mlx-lm calls on any module (to_quantized),
// every method of Model, and what a kept body names (self.helper, a
// getattr string); a LoRA-style method nothing calls (with a construct the
// checker would reject, mx.random.uniform) is skipped with the reason,
// and so is the helper only it calls.
func TestUnreachedMethods(t *testing.T) {
	u, ds := check(t, header+`
class Proj(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.w = mx.zeros((d, d))

    def helper(self, x):
        return x @ self.w

    def named(self, x):
        return x + 1

    def to_quantized(self, group_size: int = 64, bits: int = 4):
        return self

    def only_lora(self, x):
        return x * 2

    def to_lora(self, r: int = 8):
        a = mx.random.uniform(low=-1.0, high=1.0, shape=(r, r))
        return self.only_lora(a)

    def __call__(self, x):
        return getattr(self, "named")(self.helper(x))

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.p = Proj(args.hidden_size)

    def extra(self, x):
        return x

    def __call__(self, inputs, cache=None):
        return self.p(inputs)
`)
	_ = ds                              // getattr is not translated; only the skip decisions are compared here
	want := map[string]map[string]bool{ // class -> method -> skipped
		"Proj":  {"__init__": false, "helper": false, "named": false, "to_quantized": false, "only_lora": true, "to_lora": true, "__call__": false},
		"Model": {"__init__": false, "extra": false, "__call__": false},
	}
	for cls, ms := range want {
		c := u.ByClass[cls]
		if c == nil {
			t.Fatalf("class %s not collected", cls)
		}
		for name, skipped := range ms {
			m := c.ByMeth[name]
			if m == nil {
				t.Fatalf("%s.%s not collected", cls, name)
			}
			if got := m.Skipped != ""; got != skipped {
				t.Errorf("%s.%s skipped = %v (%q), want %v", cls, name, got, m.Skipped, skipped)
			}
		}
	}
}
