package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import "unsafe"

// mx.fast: the fused kernels the models call.

// RMSNorm is mx.fast.rms_norm(x, weight, eps); weight may be nil.
func RMSNorm(x, weight *Array, eps float32) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("fast.rms_norm", 1, x, weight)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_rms_norm(hs[0], hs[1], C.float(eps), &out)
	return finish("fast.rms_norm", msg, out, owned)
}

// LayerNorm is mx.fast.layer_norm(x, weight, bias, eps); weight and bias may be nil.
func LayerNorm(x, weight, bias *Array, eps float32) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("fast.layer_norm", 1, x, weight, bias)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_layer_norm(hs[0], hs[1], hs[2], C.float(eps), &out)
	return finish("fast.layer_norm", msg, out, owned)
}

// RopeOpts are mx.fast.rope's keyword arguments.
type RopeOpts struct {
	Dims        int
	Traditional bool
	Base        float32 // used when Freqs is nil
	Scale       float32
	Freqs       *Array // custom frequencies instead of Base (base=None)
}

// Rope is mx.fast.rope(x, dims, traditional=, base=, scale=, offset=, freqs=)
// with an integer offset.
func Rope(x *Array, o RopeOpts, offset int) *Array { return rope(x, o, offset, nil) }

// RopeArrayOffset is mx.fast.rope with an array offset (one per batch entry,
// or a scalar array), as batched caches pass it.
func RopeArrayOffset(x *Array, o RopeOpts, offset *Array) *Array {
	if offset == nil {
		return Errorf("fast.rope", "nil offset array")
	}
	return rope(x, o, 0, offset)
}

func rope(x *Array, o RopeOpts, offset int, offsetArr *Array) *Array {
	hasBase := b2i(o.Freqs == nil)
	var ob opBuf
	hs, owned, err := ob.prep("fast.rope", 1, x, offsetArr, o.Freqs)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_rope(hs[0], C.int(o.Dims), b2i(o.Traditional), C.float(o.Base), hasBase, C.float(o.Scale),
		C.int(offset), hs[1], hs[2], &out)
	return finish("fast.rope", msg, out, owned)
}

// AttentionMask is the mask argument of scaled_dot_product_attention: none,
// "causal", or an array (boolean: true attends; additive: added to scores).
type AttentionMask struct {
	Causal bool
	Array  *Array
}

// NoMask is mask=None.
var NoMask = AttentionMask{}

// CausalMask is mask="causal".
var CausalMask = AttentionMask{Causal: true}

// MaskArray is mask=<array>.
func MaskArray(m *Array) AttentionMask { return AttentionMask{Array: m} }

// ScaledDotProductAttention is mx.fast.scaled_dot_product_attention(q, k, v,
// scale=, mask=, sinks=); sinks may be nil.
func ScaledDotProductAttention(q, k, v *Array, scale float32, mask AttentionMask, sinks *Array) *Array {
	mode := ""
	if mask.Causal {
		mode = "causal"
	}
	cmode := C.CString(mode)
	defer C.free(unsafe.Pointer(cmode))
	var ob opBuf
	hs, owned, err := ob.prep("fast.scaled_dot_product_attention", 3, q, k, v, mask.Array, sinks)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_sdpa(hs[0], hs[1], hs[2], C.float(scale), cmode, hs[3], hs[4], &out)
	return finish("fast.scaled_dot_product_attention", msg, out, owned)
}
