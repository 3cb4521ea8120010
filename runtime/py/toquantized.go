package py

import (
	"fmt"
	"slices"

	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// QuantizeTakes checks the settings nn.Quantize passes a translated
// to_quantized (a model file's own, afm7's FusedLinear.to_quantized(
// group_size, bits)) against the parameters that method takes, by their
// Python names. mlx's nn.quantize passes group_size, bits and mode as
// keywords (a per-layer dict of the config only its keys), so a method
// without a mode parameter is a TypeError there unless the settings name
// none; Go's loader always knows the mode, and such a method quantizes in
// mx.quantize's default mode, so "affine" is what it accepts and any other
// mode is an error naming the method, as is a global scale it cannot take.
func QuantizeTakes(q nn.QuantParams, method string, takes ...string) error {
	if q.Mode != "" && q.Mode != "affine" && !slices.Contains(takes, "mode") {
		return fmt.Errorf("%s() got an unexpected keyword argument 'mode' (%q; it quantizes in the affine mode only)", method, q.Mode)
	}
	if q.GlobalScale && !slices.Contains(takes, "global_scale") {
		return fmt.Errorf("%s() got an unexpected keyword argument 'global_scale'", method)
	}
	return nil
}
