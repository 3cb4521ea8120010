package mlx

/*
#include "shim.h"
*/
import "C"

// Shape manipulation, joining and splitting, creation from shapes.

// Reshape is mx.reshape(a, shape); one dimension may be -1.
func Reshape(a *Array, shape ...int) *Array {
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("reshape", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_reshape(hs[0], intsPtr(s), C.int(len(s)), &out)
	return finish("reshape", msg, out, owned)
}

// Transpose is mx.transpose(a, axes); no axes reverses them.
func Transpose(a *Array, axes ...int) *Array {
	ax := cInts(axes)
	n := C.int(len(ax))
	if len(axes) == 0 {
		n = -1
	}
	var ob opBuf
	hs, owned, err := ob.prep("transpose", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_transpose(hs[0], intsPtr(ax), n, &out)
	return finish("transpose", msg, out, owned)
}

// Swapaxes is mx.swapaxes(a, axis1, axis2).
func Swapaxes(a *Array, axis1, axis2 int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("swapaxes", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_swapaxes(hs[0], C.int(axis1), C.int(axis2), &out)
	return finish("swapaxes", msg, out, owned)
}

// Moveaxis is mx.moveaxis(a, source, destination).
func Moveaxis(a *Array, source, destination int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("moveaxis", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_moveaxis(hs[0], C.int(source), C.int(destination), &out)
	return finish("moveaxis", msg, out, owned)
}

// ExpandDims is mx.expand_dims(a, axes).
func ExpandDims(a *Array, axes ...int) *Array {
	ax := cInts(axes)
	var ob opBuf
	hs, owned, err := ob.prep("expand_dims", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_expand_dims(hs[0], intsPtr(ax), C.int(len(ax)), &out)
	return finish("expand_dims", msg, out, owned)
}

// Squeeze is mx.squeeze(a, axes); no axes removes every axis of size one.
func Squeeze(a *Array, axes ...int) *Array {
	ax := cInts(axes)
	n := C.int(len(ax))
	if len(axes) == 0 {
		n = -1
	}
	var ob opBuf
	hs, owned, err := ob.prep("squeeze", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_squeeze(hs[0], intsPtr(ax), n, &out)
	return finish("squeeze", msg, out, owned)
}

// Flatten is mx.flatten(a, start_axis, end_axis).
func Flatten(a *Array, startAxis, endAxis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("flatten", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_flatten(hs[0], C.int(startAxis), C.int(endAxis), &out)
	return finish("flatten", msg, out, owned)
}

// Unflatten is mx.unflatten(a, axis, shape).
func Unflatten(a *Array, axis int, shape ...int) *Array {
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("unflatten", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_unflatten(hs[0], C.int(axis), intsPtr(s), C.int(len(s)), &out)
	return finish("unflatten", msg, out, owned)
}

// BroadcastTo is mx.broadcast_to(a, shape).
func BroadcastTo(a *Array, shape ...int) *Array {
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("broadcast_to", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_broadcast_to(hs[0], intsPtr(s), C.int(len(s)), &out)
	return finish("broadcast_to", msg, out, owned)
}

// Astype is a.astype(dtype).
func Astype(a *Array, dtype Dtype) *Array {
	if !dtype.valid() {
		return Errorf("astype", "invalid dtype %d", int(dtype))
	}
	var ob opBuf
	hs, owned, err := ob.prep("astype", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_astype(hs[0], C.int(dtype), &out)
	return finish("astype", msg, out, owned)
}

// View is mx.view(a, dtype): the same bytes read as another dtype.
func View(a *Array, dtype Dtype) *Array {
	if !dtype.valid() {
		return Errorf("view", "invalid dtype %d", int(dtype))
	}
	var ob opBuf
	hs, owned, err := ob.prep("view", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_view(hs[0], C.int(dtype), &out)
	return finish("view", msg, out, owned)
}

// Tile is mx.tile(a, reps).
func Tile(a *Array, reps ...int) *Array {
	r := cInts(reps)
	var ob opBuf
	hs, owned, err := ob.prep("tile", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_tile(hs[0], intsPtr(r), C.int(len(r)), &out)
	return finish("tile", msg, out, owned)
}

// Repeat is mx.repeat(a, repeats, axis).
func Repeat(a *Array, repeats, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("repeat", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_repeat(hs[0], C.int(repeats), C.int(axis), 0, &out)
	return finish("repeat", msg, out, owned)
}

// RepeatFlat is mx.repeat(a, repeats) without an axis (over the flattened array).
func RepeatFlat(a *Array, repeats int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("repeat", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_repeat(hs[0], C.int(repeats), 0, 1, &out)
	return finish("repeat", msg, out, owned)
}

// PadWidth is the (before, after) padding of one axis.
type PadWidth struct{ Before, After int }

// Pad is mx.pad(a, pad_width, constant_values=value) with one PadWidth per
// axis from the first; value may be nil for zero or a Python scalar.
func Pad(a *Array, widths []PadWidth, value *Array) *Array {
	return pad(a, widths, value, false)
}

// PadEdge is mx.pad(a, pad_width, mode="edge").
func PadEdge(a *Array, widths []PadWidth) *Array { return pad(a, widths, nil, true) }

func pad(a *Array, widths []PadWidth, value *Array, edge bool) *Array {
	axes := make([]C.int, len(widths))
	lo := make([]C.int, len(widths))
	hi := make([]C.int, len(widths))
	for i, w := range widths {
		axes[i], lo[i], hi[i] = C.int(i), C.int(w.Before), C.int(w.After)
	}
	if value == nil {
		value = Int(0)
	}
	var ob opBuf
	hs, owned, err := ob.prep("pad", 2, a, value)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_pad(hs[0], intsPtr(axes), intsPtr(lo), intsPtr(hi), C.int(len(widths)), hs[1], b2i(edge), &out)
	return finish("pad", msg, out, owned)
}

// Concatenate is mx.concatenate(arrays, axis).
func Concatenate(arrs []*Array, axis int) *Array {
	if len(arrs) == 0 {
		return Errorf("concatenate", "no arrays to concatenate")
	}
	return run("concatenate", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_concatenate(&hs[0], C.int(len(hs)), C.int(axis), out)
	}, arrs...)
}

// Stack is mx.stack(arrays, axis).
func Stack(arrs []*Array, axis int) *Array {
	if len(arrs) == 0 {
		return Errorf("stack", "no arrays to stack")
	}
	return run("stack", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_stack(&hs[0], C.int(len(hs)), C.int(axis), out)
	}, arrs...)
}

// Split is mx.split(a, num, axis): num equal parts.
func Split(a *Array, num, axis int) ([]*Array, error) {
	if num <= 0 {
		return nil, &Error{Op: "split", Msg: "number of sections must be positive"}
	}
	return runMulti("split", num, func(outs *C.mlxg_array) C.mlxg_err {
		return C.mlxg_split_sections(a.c.h, C.int(num), C.int(axis), outs)
	}, a)
}

// SplitAt is mx.split(a, indices, axis): parts between the given indices.
func SplitAt(a *Array, indices []int, axis int) ([]*Array, error) {
	idx := cInts(indices)
	return runMulti("split", len(indices)+1, func(outs *C.mlxg_array) C.mlxg_err {
		return C.mlxg_split_indices(a.c.h, intsPtr(idx), C.int(len(idx)), C.int(axis), outs)
	}, a)
}

// Zeros is mx.zeros(shape, dtype).
func Zeros(dtype Dtype, shape ...int) *Array { return Full(Int(0), dtype, shape...) }

// Ones is mx.ones(shape, dtype).
func Ones(dtype Dtype, shape ...int) *Array { return Full(Int(1), dtype, shape...) }

// ZerosLike is mx.zeros_like(a).
func ZerosLike(a *Array) *Array {
	if err := a.usable("zeros_like"); err != nil {
		return errArray(err)
	}
	return Zeros(a.Dtype(), a.Shape()...)
}

// OnesLike is mx.ones_like(a).
func OnesLike(a *Array) *Array {
	if err := a.usable("ones_like"); err != nil {
		return errArray(err)
	}
	return Ones(a.Dtype(), a.Shape()...)
}

// Full is mx.full(shape, val, dtype); val may be an array or a Python scalar.
func Full(val *Array, dtype Dtype, shape ...int) *Array {
	if !dtype.valid() {
		return Errorf("full", "invalid dtype %d", int(dtype))
	}
	s := cInts(shape)
	var ob opBuf
	var hs, owned []C.mlxg_array
	var err error
	if val != nil && val.weak != weakNone {
		// A Python scalar is made in the requested dtype, as the binding's
		// to_array(vals, dtype) does: made in its own (int32, float32) it
		// cost an AsType node in every mx.zeros / mx.full graph (each KV
		// cache allocation, two per layer).
		if err := ensureInit(); err != nil {
			return errArray(err)
		}
		h, own, err := val.materialize("full", dtype, true)
		if err != nil {
			return errArray(err)
		}
		hs = append(ob.hs[:0], h)
		if own {
			owned = append(ob.owned[:0], h)
		}
	} else if hs, owned, err = ob.prep("full", 1, val); err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_full(intsPtr(s), C.int(len(s)), hs[0], C.int(dtype), &out)
	return finish("full", msg, out, owned)
}

// Arange is mx.arange(start, stop, step, dtype).
func Arange(start, stop, step float64, dtype Dtype) *Array {
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	var ob opBuf
	_, owned, err := ob.prep("arange", 0)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_arange(C.double(start), C.double(stop), C.double(step), C.int(dtype), &out)
	return finish("arange", msg, out, owned)
}

// Tri is mx.tri(n, m, k, dtype).
func Tri(n, m, k int, dtype Dtype) *Array {
	var ob opBuf
	_, owned, err := ob.prep("tri", 0)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_tri(C.int(n), C.int(m), C.int(k), C.int(dtype), &out)
	return finish("tri", msg, out, owned)
}

// Tril is mx.tril(a, k).
func Tril(a *Array, k int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("tril", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_tril(hs[0], C.int(k), 0, &out)
	return finish("tril", msg, out, owned)
}

// Triu is mx.triu(a, k).
func Triu(a *Array, k int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("triu", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_tril(hs[0], C.int(k), 1, &out)
	return finish("triu", msg, out, owned)
}

// Depends is mx.depends(inputs, dependencies): inputs that evaluate only
// after the dependencies have.
func Depends(inputs, deps []*Array) ([]*Array, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	all := append(append([]*Array{}, inputs...), deps...)
	return runMulti("depends", len(inputs), func(outs *C.mlxg_array) C.mlxg_err {
		hs := handles(all)
		var dp *C.mlxg_array
		if len(deps) > 0 {
			dp = &hs[len(inputs)]
		}
		return C.mlxg_depends(&hs[0], C.int(len(inputs)), dp, C.int(len(deps)), outs)
	}, all...)
}

// SliceStrided is mx.slice(a, start, stop, strides) (one entry per axis).
func SliceStrided(a *Array, start, stop, strides []int) *Array {
	if len(start) != len(stop) || len(start) != len(strides) {
		return Errorf("slice", "start, stop and strides must have the same length")
	}
	st, sp, sd := cInts(start), cInts(stop), cInts(strides)
	var ob opBuf
	hs, owned, err := ob.prep("slice", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_slice(hs[0], intsPtr(st), intsPtr(sp), intsPtr(sd), C.int(len(st)), &out)
	return finish("slice", msg, out, owned)
}

// SliceDynamic is mx.slice(a, start_array, axes, slice_size): a slice whose
// start is an array, so it can change without rebuilding the graph.
func SliceDynamic(a, start *Array, axes, sizes []int) *Array {
	ax, sz := cInts(axes), cInts(sizes)
	var ob opBuf
	hs, owned, err := ob.prep("slice", 2, a, start)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_slice_dynamic(hs[0], hs[1], intsPtr(ax), C.int(len(ax)), intsPtr(sz), C.int(len(sz)), &out)
	return finish("slice", msg, out, owned)
}

// SliceUpdateStrided is mx.slice_update(a, update, start, stop, strides).
func SliceUpdateStrided(a, update *Array, start, stop, strides []int) *Array {
	if len(start) != len(stop) || len(start) != len(strides) {
		return Errorf("slice_update", "start, stop and strides must have the same length")
	}
	st, sp, sd := cInts(start), cInts(stop), cInts(strides)
	var ob opBuf
	hs, owned, err := ob.prep("slice_update", 2, a, update)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_slice_update(hs[0], hs[1], intsPtr(st), intsPtr(sp), intsPtr(sd), C.int(len(st)), &out)
	return finish("slice_update", msg, out, owned)
}

// SliceUpdateDynamic is mx.slice_update(a, update, start_array, axes).
func SliceUpdateDynamic(a, update, start *Array, axes []int) *Array {
	ax := cInts(axes)
	var ob opBuf
	hs, owned, err := ob.prep("slice_update", 3, a, update, start)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_slice_update_dynamic(hs[0], hs[1], hs[2], intsPtr(ax), C.int(len(ax)), &out)
	return finish("slice_update", msg, out, owned)
}
