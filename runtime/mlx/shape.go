package mlx

/*
#include "shim.h"
*/
import "C"

// Shape manipulation, joining and splitting, creation from shapes.

// Reshape is mx.reshape(a, shape); one dimension may be -1.
func Reshape(a *Array, shape ...int) *Array {
	s := cInts(shape)
	return run("reshape", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_reshape(hs[0], intsPtr(s), C.int(len(s)), out)
	}, a)
}

// Transpose is mx.transpose(a, axes); no axes reverses them.
func Transpose(a *Array, axes ...int) *Array {
	ax := cInts(axes)
	n := C.int(len(ax))
	if len(axes) == 0 {
		n = -1
	}
	return run("transpose", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_transpose(hs[0], intsPtr(ax), n, out)
	}, a)
}

// Swapaxes is mx.swapaxes(a, axis1, axis2).
func Swapaxes(a *Array, axis1, axis2 int) *Array {
	return run("swapaxes", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_swapaxes(hs[0], C.int(axis1), C.int(axis2), out)
	}, a)
}

// Moveaxis is mx.moveaxis(a, source, destination).
func Moveaxis(a *Array, source, destination int) *Array {
	return run("moveaxis", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_moveaxis(hs[0], C.int(source), C.int(destination), out)
	}, a)
}

// ExpandDims is mx.expand_dims(a, axes).
func ExpandDims(a *Array, axes ...int) *Array {
	ax := cInts(axes)
	return run("expand_dims", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_expand_dims(hs[0], intsPtr(ax), C.int(len(ax)), out)
	}, a)
}

// Squeeze is mx.squeeze(a, axes); no axes removes every axis of size one.
func Squeeze(a *Array, axes ...int) *Array {
	ax := cInts(axes)
	n := C.int(len(ax))
	if len(axes) == 0 {
		n = -1
	}
	return run("squeeze", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_squeeze(hs[0], intsPtr(ax), n, out)
	}, a)
}

// Flatten is mx.flatten(a, start_axis, end_axis).
func Flatten(a *Array, startAxis, endAxis int) *Array {
	return run("flatten", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_flatten(hs[0], C.int(startAxis), C.int(endAxis), out)
	}, a)
}

// Unflatten is mx.unflatten(a, axis, shape).
func Unflatten(a *Array, axis int, shape ...int) *Array {
	s := cInts(shape)
	return run("unflatten", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_unflatten(hs[0], C.int(axis), intsPtr(s), C.int(len(s)), out)
	}, a)
}

// BroadcastTo is mx.broadcast_to(a, shape).
func BroadcastTo(a *Array, shape ...int) *Array {
	s := cInts(shape)
	return run("broadcast_to", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_broadcast_to(hs[0], intsPtr(s), C.int(len(s)), out)
	}, a)
}

// Astype is a.astype(dtype).
func Astype(a *Array, dtype Dtype) *Array {
	if !dtype.valid() {
		return Errorf("astype", "invalid dtype %d", int(dtype))
	}
	return run("astype", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_astype(hs[0], C.int(dtype), out)
	}, a)
}

// View is mx.view(a, dtype): the same bytes read as another dtype.
func View(a *Array, dtype Dtype) *Array {
	if !dtype.valid() {
		return Errorf("view", "invalid dtype %d", int(dtype))
	}
	return run("view", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_view(hs[0], C.int(dtype), out)
	}, a)
}

// Tile is mx.tile(a, reps).
func Tile(a *Array, reps ...int) *Array {
	r := cInts(reps)
	return run("tile", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_tile(hs[0], intsPtr(r), C.int(len(r)), out)
	}, a)
}

// Repeat is mx.repeat(a, repeats, axis).
func Repeat(a *Array, repeats, axis int) *Array {
	return run("repeat", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_repeat(hs[0], C.int(repeats), C.int(axis), 0, out)
	}, a)
}

// RepeatFlat is mx.repeat(a, repeats) without an axis (over the flattened array).
func RepeatFlat(a *Array, repeats int) *Array {
	return run("repeat", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_repeat(hs[0], C.int(repeats), 0, 1, out)
	}, a)
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
	return run("pad", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_pad(hs[0], intsPtr(axes), intsPtr(lo), intsPtr(hi), C.int(len(widths)), hs[1], b2i(edge), out)
	}, a, value)
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
	return run("full", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_full(intsPtr(s), C.int(len(s)), hs[0], C.int(dtype), out)
	}, val)
}

// Arange is mx.arange(start, stop, step, dtype).
func Arange(start, stop, step float64, dtype Dtype) *Array {
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	return run("arange", func(_ []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_arange(C.double(start), C.double(stop), C.double(step), C.int(dtype), out)
	})
}

// Tri is mx.tri(n, m, k, dtype).
func Tri(n, m, k int, dtype Dtype) *Array {
	return run("tri", func(_ []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_tri(C.int(n), C.int(m), C.int(k), C.int(dtype), out)
	})
}

// Tril is mx.tril(a, k).
func Tril(a *Array, k int) *Array {
	return run("tril", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_tril(hs[0], C.int(k), 0, out)
	}, a)
}

// Triu is mx.triu(a, k).
func Triu(a *Array, k int) *Array {
	return run("triu", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_tril(hs[0], C.int(k), 1, out)
	}, a)
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
	return run("slice", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_slice(hs[0], intsPtr(st), intsPtr(sp), intsPtr(sd), C.int(len(st)), out)
	}, a)
}

// SliceDynamic is mx.slice(a, start_array, axes, slice_size): a slice whose
// start is an array, so it can change without rebuilding the graph.
func SliceDynamic(a, start *Array, axes, sizes []int) *Array {
	ax, sz := cInts(axes), cInts(sizes)
	return run("slice", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_slice_dynamic(hs[0], hs[1], intsPtr(ax), C.int(len(ax)), intsPtr(sz), C.int(len(sz)), out)
	}, a, start)
}

// SliceUpdateStrided is mx.slice_update(a, update, start, stop, strides).
func SliceUpdateStrided(a, update *Array, start, stop, strides []int) *Array {
	if len(start) != len(stop) || len(start) != len(strides) {
		return Errorf("slice_update", "start, stop and strides must have the same length")
	}
	st, sp, sd := cInts(start), cInts(stop), cInts(strides)
	return run("slice_update", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_slice_update(hs[0], hs[1], intsPtr(st), intsPtr(sp), intsPtr(sd), C.int(len(st)), out)
	}, a, update)
}

// SliceUpdateDynamic is mx.slice_update(a, update, start_array, axes).
func SliceUpdateDynamic(a, update, start *Array, axes []int) *Array {
	ax := cInts(axes)
	return run("slice_update", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_slice_update_dynamic(hs[0], hs[1], hs[2], intsPtr(ax), C.int(len(ax)), out)
	}, a, update, start)
}
