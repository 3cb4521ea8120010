package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// fusedSrc is afm7's pattern in small: subclasses of nn.Linear and
// nn.QuantizedLinear (API-table bases) that split the projection their
// base computes (super().__call__), a starred target over
// itertools.accumulate, attribute targets of a tuple assignment, the
// class's own to_quantized, and n * [x] list repetition.
const fusedSrc = header + `        self.proj = Split(args.hidden_size, [args.hidden_size] + 2 * [args.window])

    def __call__(self, x):
        a, b, c = self.proj(x)
        return a + b + c

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
        ql = Packed(self.weight.shape[-1], [1, 2, 3], group_size, bits)
        ql.weight, ql.scales, ql.biases = mx.quantize(self.weight, group_size, bits)
        return ql
`

func withAccumulate(src string) string {
	return strings.Replace(src, "from .base import BaseModelArgs\n", "from .base import BaseModelArgs\nfrom itertools import accumulate\n", 1)
}

// TestSuperMethodCall: super().__call__(x) in a subclass of nn.Linear runs
// the table base's __call__, copied into the class as LinearForward (its
// body the table's Python: x @ self.weight.T without a bias); the
// QuantizedLinear subclass gets QuantizedLinearForward.
func TestSuperMethodCall(t *testing.T) {
	src := withAccumulate(fusedSrc)
	fwd := model.Dump(lowerSrc(t, src, "Split", "Forward").Body)
	if w := `(sel (ident self):Split "LinearForward")`; !strings.Contains(fwd, w) {
		t.Errorf("Split.Forward lacks %s:\n%s", w, fwd)
	}
	base := model.Dump(lowerSrc(t, src, "Split", "LinearForward").Body)
	if w := `(call (qual mlx Matmul) (ident x):array (template (list (sel (ident self):Split "Weight"):array) ".T()"):array)`; !strings.Contains(base, w) {
		t.Errorf("LinearForward lacks %s:\n%s", w, base)
	}
	qb := model.Dump(lowerSrc(t, src, "Packed", "QuantizedLinearForward").Body)
	if w := `(template "mlx.QuantizedMatmul"`; !strings.Contains(qb, w) {
		t.Errorf("QuantizedLinearForward lacks %s:\n%s", w, qb)
	}
}

// TestToQuantizedProtocol: a class's own to_quantized(group_size, bits) is
// nn.Quantizable's ToQuantized(q nn.QuantParams) (any, error): the settings
// checked by py.QuantizeTakes against the Python parameters, the body a
// function literal called with q.GroupSize and q.Bits.
func TestToQuantizedProtocol(t *testing.T) {
	fn := lowerSrc(t, withAccumulate(fusedSrc), "Split", "ToQuantized")
	if len(fn.Params) != 1 || model.Dump(fn.Params[0].Type) != "nn.QuantParams" {
		t.Errorf("ToQuantized params %s, want (q nn.QuantParams)", model.Dump(fn.Params[0].Type))
	}
	if len(fn.Results) != 2 {
		t.Errorf("ToQuantized returns %d values, want (any, error)", len(fn.Results))
	}
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(call (qual py QuantizeTakes) (ident q) (lit "Split.to_quantized") (lit "group_size") (lit "bits"))`,
		`(sel (ident q) "GroupSize")`, `(sel (ident q) "Bits")`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("ToQuantized lacks %s:\n%s", w, got)
		}
	}
}

// TestIntTimesList: 2 * [n] is [n] * 2 (py.Repeat of the element), and the
// starred target over accumulate is a slice of the running sums.
func TestIntTimesList(t *testing.T) {
	src := withAccumulate(fusedSrc)
	f := lowerFunc(t, src, "NewModel")
	if w := `(call (qual py Repeat) (sel (ident args):ModelArgs "Window"):int (lit 2):int)`; !strings.Contains(f, w) {
		t.Errorf("NewModel lacks %s:\n%s", w, f)
	}
	fi := lowerFunc(t, src, "NewSplit")
	for _, w := range []string{`(template "py.Accumulate" "(" (list (spread (ident outputDims):List[int]))`, `(call (qual py Slice) (ident unpack`, `(call (qual py At) (ident unpack`} {
		if !strings.Contains(fi, w) {
			t.Errorf("NewSplit lacks %s:\n%s", w, fi)
		}
	}
}
