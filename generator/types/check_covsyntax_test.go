package types_test

import (
	"strings"
	"testing"
)

// TestTruncatedByAnyOperand checks that int(args.x * v), v a value of no
// static type (a config dict's entry, which may be a float), leaves the int
// field x an int (laguna's int(args.head_dim * rope.get("partial_rotary_factor",
// ...))), while int(args.y * d) with d an int still widens y to float.
func TestTruncatedByAnyOperand(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", `    head_dim: Optional[int] = None
    rope: Optional[Dict[str, Any]] = None
    factor: int = 1
`, 1) + `
class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        p = (args.rope or {}).get("partial", 1.0)
        self.dims = int(args.hidden_size * p)
        d = args.hidden_size // 4
        self.rot = int(args.factor * d)
    def __call__(self, x):
        return x

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.a = Attention(args)
`
	src = strings.Replace(src, "from typing import Any, Optional", "from typing import Any, Dict, Optional", 1)
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := fieldTypes(u.ByClass["ModelArgs"])
	if !strings.Contains(got, "hidden_size:int") || !strings.Contains(got, "factor:float") {
		t.Errorf("fields %s: want hidden_size:int (its multiplier may be the float) and factor:float", got)
	}
}
