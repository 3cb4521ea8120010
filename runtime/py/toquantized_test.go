package py

import (
	"slices"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// TestAccumulate compares with itertools.accumulate([3, 1, 4]) == [3, 4, 8].
func TestAccumulate(t *testing.T) {
	if got := Accumulate(3, 1, 4); !slices.Equal(got, []int{3, 4, 8}) {
		t.Errorf("Accumulate(3, 1, 4) = %v, want [3 4 8]", got)
	}
	if got := Accumulate(); len(got) != 0 {
		t.Errorf("Accumulate() = %v, want []", got)
	}
}

// TestQuantizeTakes: a to_quantized(group_size, bits) takes the affine
// settings and refuses another mode or a global scale, naming the method.
func TestQuantizeTakes(t *testing.T) {
	if err := QuantizeTakes(nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "affine"}, "F.to_quantized", "group_size", "bits"); err != nil {
		t.Errorf("affine: %v", err)
	}
	if err := QuantizeTakes(nn.QuantParams{GroupSize: 32, Bits: 4}, "F.to_quantized", "group_size", "bits"); err != nil {
		t.Errorf("no mode: %v", err)
	}
	err := QuantizeTakes(nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "mxfp4"}, "F.to_quantized", "group_size", "bits")
	if err == nil || !strings.Contains(err.Error(), "F.to_quantized() got an unexpected keyword argument 'mode'") {
		t.Errorf("mxfp4: %v, want the method's TypeError", err)
	}
	if err := QuantizeTakes(nn.QuantParams{Mode: "mxfp4"}, "F.to_quantized", "group_size", "bits", "mode"); err != nil {
		t.Errorf("a method with a mode parameter: %v", err)
	}
	if err := QuantizeTakes(nn.QuantParams{GlobalScale: true}, "F.to_quantized", "group_size", "bits"); err == nil {
		t.Error("global scale without a global_scale parameter: no error")
	}
}

// TestQuantizeCallRecovers: a Python exception of the translated body
// (mx.quantize refusing a group size) is QuantizeCall's error, not a
// panic out of nn.Quantize; refused settings do not run the body.
func TestQuantizeCallRecovers(t *testing.T) {
	_, err := QuantizeCall(nn.QuantParams{GroupSize: 128, Bits: 4}, "F.to_quantized", []string{"group_size", "bits"}, func() any {
		Raise("ValueError", "%s", "[quantize] The last dimension of the matrix needs to be divisible by the quantization group size 128")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "divisible by the quantization group size 128") {
		t.Errorf("err = %v, want the body's ValueError", err)
	}
	ran := false
	if _, err := QuantizeCall(nn.QuantParams{Mode: "nvfp4"}, "F.to_quantized", []string{"group_size", "bits"}, func() any { ran = true; return 1 }); err == nil || ran {
		t.Errorf("nvfp4: err %v, body ran %v; want an error before the body", err, ran)
	}
	layer, err := QuantizeCall(nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "affine"}, "F.to_quantized", []string{"group_size", "bits"}, func() any { return 7 })
	if err != nil || layer != 7 {
		t.Errorf("affine: %v, %v; want the body's value", layer, err)
	}
}
