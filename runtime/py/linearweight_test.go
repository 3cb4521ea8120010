package py

import (
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// TestAnyPop checks d.pop(k[, default]) on a value of no static type against
// Python: the key removed; a missing key is fine with a default and KeyError
// without; a non-dict has no pop (AttributeError).
func TestAnyPop(t *testing.T) {
	d := map[string]any{"a": 1, "b": 2}
	AnyPop(d, "a", false)
	AnyPop(d, "zz", true)
	if _, ok := d["a"]; ok || len(d) != 1 {
		t.Fatalf("after pops: %v", d)
	}
	for _, c := range []struct {
		v    any
		kind string
	}{{d, "KeyError"}, {[]any{1}, "AttributeError"}} {
		func() {
			defer func() {
				if e, ok := recover().(*Error); !ok || e.Kind != c.kind {
					t.Errorf("pop on %T: raised %v, want %s", c.v, e, c.kind)
				}
			}()
			AnyPop(c.v, "zz", false)
		}()
	}
}

// TestSetLinearWeight checks that linear.weight = w replaces what Forward uses.
func TestSetLinearWeight(t *testing.T) {
	l := nn.NewLinear(2, 2, false)
	w := mlx.Ones(mlx.Float32, 2, 2)
	SetLinearWeight(l, w)
	if LinearWeight(l) != w {
		t.Fatal("weight not replaced")
	}
}
