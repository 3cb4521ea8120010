package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import "unsafe"

// Quantization with a global scale: "nvfp4" mode's optional per-tensor
// float32 scale (mx.quantize(..., global_scale=) and
// mx.gather_qmm(..., global_scale=)), which mlx-lm 0.32's switch layers use
// for one scale per expert. Kept apart from Quantize and GatherQMM so that
// their signatures stay as they are.

// QuantizeGlobal is mx.quantize(w, group_size, bits, mode,
// global_scale=globalScale); globalScale nil is None (then it is Quantize).
func QuantizeGlobal(w *Array, groupSize, bits int, mode string, globalScale *Array) (Quantized, error) {
	if globalScale == nil {
		return Quantize(w, groupSize, bits, mode)
	}
	if mode == "" {
		mode = "affine"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	var n C.int
	outs, err := runMulti("quantize", 3, func(outs *C.mlxg_array) C.mlxg_err {
		return C.mlxg_quantize_global(w.c.h, C.int(groupSize), C.int(bits), cmode, globalScale.c.h, outs, &n)
	}, w, globalScale)
	if err != nil {
		return Quantized{}, err
	}
	q := Quantized{Weight: outs[0], Scales: outs[1]}
	if n >= 3 {
		q.Biases = outs[2]
	} else {
		outs[2].c.h = nil
	}
	return q, nil
}

// GatherQMMGlobal is GatherQMM with mx.gather_qmm's global_scale; nil is
// None. MLX 0.32.4 computes it on the GPU only: on the CPU it is MLX's own
// error, as in Python.
func GatherQMMGlobal(x, w, scales, biases, lhsIndices, rhsIndices *Array, transpose bool, groupSize, bits int, mode string,
	globalScale *Array, sortedIndices bool) *Array {
	if globalScale == nil {
		return GatherQMM(x, w, scales, biases, lhsIndices, rhsIndices, transpose, groupSize, bits, mode, sortedIndices)
	}
	if mode == "" {
		mode = "affine"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	return runOpt("gather_qmm", 4, func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_gather_qmm_global(hs[0], hs[1], hs[2], hs[4], hs[5], hs[6], b2i(transpose), C.int(groupSize), C.int(bits),
			cmode, hs[3], b2i(sortedIndices), out)
	}, x, w, scales, globalScale, biases, lhsIndices, rhsIndices)
}
