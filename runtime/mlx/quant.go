package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import "unsafe"

// Quantization: mx.quantize & co. Mode "affine" has scales and biases; other
// modes MLX supports ("mxfp4", ...) have scales only, and Biases is nil.

// Quantized is the result of Quantize: packed weights, scales and biases.
type Quantized struct {
	Weight, Scales, Biases *Array
}

// Quantize is mx.quantize(w, group_size, bits, mode). A zero groupSize or
// bits takes MLX's default for the mode.
func Quantize(w *Array, groupSize, bits int, mode string) (Quantized, error) {
	if mode == "" {
		mode = "affine"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	var n C.int
	outs, err := runMulti("quantize", 3, func(outs *C.mlxg_array) C.mlxg_err {
		return C.mlxg_quantize(w.c.h, C.int(groupSize), C.int(bits), cmode, outs, &n)
	}, w)
	if err != nil {
		return Quantized{}, err
	}
	q := Quantized{Weight: outs[0], Scales: outs[1]}
	if n >= 3 {
		q.Biases = outs[2]
	} else {
		// runMulti wrapped a NULL third slot; drop it.
		outs[2].c.h = nil
	}
	return q, nil
}

// Dequantize is mx.dequantize(w, scales, biases, group_size, bits, mode,
// dtype=); biases may be nil; dtype < 0 keeps the scales' dtype.
func Dequantize(w, scales, biases *Array, groupSize, bits int, mode string, dtype Dtype) *Array {
	if mode == "" {
		mode = "affine"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	var ob opBuf
	hs, owned, err := ob.prep("dequantize", 2, w, scales, biases)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_dequantize(hs[0], hs[1], hs[2], C.int(groupSize), C.int(bits), cmode, C.int(dtype), &out)
	return finish("dequantize", msg, out, owned)
}

// QuantizedMatmul is mx.quantized_matmul(x, w, scales, biases, transpose,
// group_size, bits, mode).
func QuantizedMatmul(x, w, scales, biases *Array, transpose bool, groupSize, bits int, mode string) *Array {
	if mode == "" {
		mode = "affine"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	var ob opBuf
	hs, owned, err := ob.prep("quantized_matmul", 3, x, w, scales, biases)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_quantized_matmul(hs[0], hs[1], hs[2], hs[3], b2i(transpose), C.int(groupSize), C.int(bits), cmode, &out)
	return finish("quantized_matmul", msg, out, owned)
}

// GatherMM is mx.gather_mm(a, b, lhs_indices, rhs_indices, sorted_indices);
// either index array may be nil.
func GatherMM(a, b, lhsIndices, rhsIndices *Array, sortedIndices bool) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("gather_mm", 2, a, b, lhsIndices, rhsIndices)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_gather_mm(hs[0], hs[1], hs[2], hs[3], b2i(sortedIndices), &out)
	return finish("gather_mm", msg, out, owned)
}

// GatherQMM is mx.gather_qmm(x, w, scales, biases, lhs_indices, rhs_indices,
// transpose, group_size, bits, mode, sorted_indices).
func GatherQMM(x, w, scales, biases, lhsIndices, rhsIndices *Array, transpose bool, groupSize, bits int, mode string, sortedIndices bool) *Array {
	if mode == "" {
		mode = "affine"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	// biases is optional but sits before the index arrays; runOpt needs the
	// required inputs first, so biases is checked here.
	if biases != nil {
		if err := biases.usable("gather_qmm"); err != nil {
			return errArray(err)
		}
	}
	var ob opBuf
	hs, owned, err := ob.prep("gather_qmm", 3, x, w, scales, biases, lhsIndices, rhsIndices)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_gather_qmm(hs[0], hs[1], hs[2], hs[3], hs[4], hs[5], b2i(transpose), C.int(groupSize), C.int(bits),
		cmode, b2i(sortedIndices), &out)
	return finish("gather_qmm", msg, out, owned)
}

// FromFp8 is mx.from_fp8(x, dtype): fp8 (e4m3) values stored as uint8 to dtype.
func FromFp8(x *Array, dtype Dtype) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("from_fp8", 1, x)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_from_fp8(hs[0], C.int(dtype), &out)
	return finish("from_fp8", msg, out, owned)
}

// ToFp8 is mx.to_fp8(x): x as fp8 (e4m3) values stored as uint8.
func ToFp8(x *Array) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("to_fp8", 1, x)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_to_fp8(hs[0], &out)
	return finish("to_fp8", msg, out, owned)
}
