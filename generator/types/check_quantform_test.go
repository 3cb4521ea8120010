package types_test

import (
	"strings"
	"testing"
)

// quantSrc: a Linear subclass whose to_quantized returns the file's
// QuantizedLinear subclass, assigned to a field of Model, and a parameter
// that the constructor's body rebinds (output_dims, a list, becomes the
// last running sum).
const quantSrc = `from itertools import accumulate
` + header + `
class Packed(nn.QuantizedLinear):
    def __init__(self, input_dims, output_dims, group_size: int = 64, bits: int = 4):
        *indices, output_dims = accumulate(output_dims)
        self.indices = indices
        super().__init__(input_dims, output_dims, bias=False, group_size=group_size, bits=bits)

    def __call__(self, x):
        x = super().__call__(x)
        return x.split(self.indices, axis=-1)

class Split(nn.Linear):
    def __init__(self, input_dims, output_dims):
        *indices, output_dims = accumulate(output_dims)
        self.indices = indices
        super().__init__(input_dims, output_dims, bias=False)

    def __call__(self, x):
        x = super().__call__(x)
        return x.split(self.indices, axis=-1)

    def to_quantized(self, group_size: int = 64, bits: int = 4):
        ql = Packed(self.weight.shape[-1], [1, 2], group_size, bits)
        ql.weight, ql.scales, ql.biases = mx.quantize(self.weight, group_size, bits)
        return ql

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = Split(args.hidden_size, [args.hidden_size, 4])

    def __call__(self, x):
        a, b = self.proj(x)
        return a + b
`

// TestQuantizedFormField: a field assigned a class whose to_quantized
// returns another class holds either (what nn.quantize may put there), an
// interface of the two; the table bases give the subclasses their fields
// (weight, scales, biases, group_size, bits, mode); the list parameter
// keeps its call sites' type although the body rebinds the name to an int.
func TestQuantizedFormField(t *testing.T) {
	u, diags := check(t, quantSrc)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m := u.ByClass["Model"]
	if got := fieldTypes(m); !strings.Contains(got, "proj:") || !strings.Contains(got, "Packed") || !strings.Contains(got, "Split") {
		t.Errorf("Model fields %s, want proj an interface of Packed and Split", got)
	}
	if got, w := fieldTypes(u.ByClass["Packed"]), "indices:List[int] group_size:int bits:int mode:str weight:array scales:array biases:array"; !strings.Contains(got, w) {
		t.Errorf("Packed fields %s, want %s", got, w)
	}
	for _, c := range []string{"Split", "Packed"} {
		if got := paramTypes(u.ByClass[c].ByMeth["__init__"]); !strings.Contains(got, "output_dims:List[int]") {
			t.Errorf("%s.__init__ params %s, want output_dims:List[int]", c, got)
		}
	}
}
