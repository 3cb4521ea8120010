package mlx

/*
#include "shim_recurrent.h"
*/
import "C"

// Ops of recurrent and state-space models (mx.conv1d for the short
// convolutions of Mamba, LFM2, gated-delta layers; mx.hadamard_transform).

// Conv1d is mx.conv1d(x, weight, stride, padding, dilation, groups): x is
// (N, L, C_in), weight (C_out, K, C_in / groups).
func Conv1d(x, weight *Array, stride, padding, dilation, groups int) *Array {
	return run("conv1d", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_conv1d(hs[0], hs[1], C.int(stride), C.int(padding), C.int(dilation), C.int(groups), out)
	}, x, weight)
}

// ConvGeneral is mx.conv_general(x, weight, stride, padding,
// kernel_dilation, input_dilation, groups, flip) with int arguments, each
// the same for every spatial dimension (as Python's ints are): x is
// (N, ..., C_in), weight (C_out, ..., C_in / groups).
func ConvGeneral(x, weight *Array, stride, padding, kernelDilation, inputDilation, groups int, flip bool) *Array {
	f := C.int(0)
	if flip {
		f = 1
	}
	return run("conv_general", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_conv_general(hs[0], hs[1], C.int(stride), C.int(padding), C.int(kernelDilation),
			C.int(inputDilation), C.int(groups), f, out)
	}, x, weight)
}

// HadamardTransform is mx.hadamard_transform(x, scale); scale nil is MLX's
// default (1/sqrt(n)).
func HadamardTransform(x *Array, scale *float64) *Array {
	s, has := C.float(0), C.int(0)
	if scale != nil {
		s, has = C.float(*scale), 1
	}
	return run("hadamard_transform", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_hadamard_transform(hs[0], s, has, out)
	}, x)
}
