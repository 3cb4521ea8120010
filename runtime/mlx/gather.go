package mlx

/*
#include "shim.h"
*/
import "C"

// Gathering, scattering, sorting and selection.

// Take is mx.take(a, indices, axis).
func Take(a, indices *Array, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("take", 2, a, indices)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_take(hs[0], hs[1], C.int(axis), 0, &out)
	return finish("take", msg, out, owned)
}

// TakeFlat is mx.take(a, indices) over the flattened array.
func TakeFlat(a, indices *Array) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("take", 2, a, indices)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_take(hs[0], hs[1], 0, 1, &out)
	return finish("take", msg, out, owned)
}

// TakeAlongAxis is mx.take_along_axis(a, indices, axis).
func TakeAlongAxis(a, indices *Array, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("take_along_axis", 2, a, indices)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_take_along_axis(hs[0], hs[1], C.int(axis), 0, &out)
	return finish("take_along_axis", msg, out, owned)
}

// PutAlongAxis is mx.put_along_axis(a, indices, values, axis).
func PutAlongAxis(a, indices, values *Array, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("put_along_axis", 3, a, indices, values)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_put_along_axis(hs[0], hs[1], hs[2], C.int(axis), 0, &out)
	return finish("put_along_axis", msg, out, owned)
}

// Scatter writes updates into a at the given indices along axes
// (mx.core's scatter, what Python's a[idx] = v compiles to).
func Scatter(a *Array, indices []*Array, updates *Array, axes []int) *Array {
	return scatter("scatter", C.MLXG_SCATTER_SET, a, indices, updates, axes)
}

// ScatterAdd is Scatter that adds instead of overwriting (a.at[idx].add(v)).
func ScatterAdd(a *Array, indices []*Array, updates *Array, axes []int) *Array {
	return scatter("scatter_add", C.MLXG_SCATTER_ADD, a, indices, updates, axes)
}

func scatter(name string, mode C.int, a *Array, indices []*Array, updates *Array, axes []int) *Array {
	ax := cInts(axes)
	inputs := append([]*Array{a, updates}, indices...)
	return run(name, func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		var ip *C.mlxg_array
		if len(hs) > 2 {
			ip = &hs[2]
		}
		return C.mlxg_scatter(hs[0], ip, C.int(len(hs)-2), hs[1], intsPtr(ax), C.int(len(ax)), mode, out)
	}, inputs...)
}

// Sort is mx.sort(a, axis).
func Sort(a *Array, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("sort", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_sort(C.MLXG_SORT, hs[0], C.int(axis), 0, &out)
	return finish("sort", msg, out, owned)
}

// Argsort is mx.argsort(a, axis).
func Argsort(a *Array, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("argsort", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_sort(C.MLXG_ARGSORT, hs[0], C.int(axis), 0, &out)
	return finish("argsort", msg, out, owned)
}

// Partition is mx.partition(a, kth, axis).
func Partition(a *Array, kth, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("partition", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_partition(C.MLXG_PARTITION, hs[0], C.int(kth), C.int(axis), 0, &out)
	return finish("partition", msg, out, owned)
}

// Argpartition is mx.argpartition(a, kth, axis).
func Argpartition(a *Array, kth, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("argpartition", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_partition(C.MLXG_ARGPARTITION, hs[0], C.int(kth), C.int(axis), 0, &out)
	return finish("argpartition", msg, out, owned)
}

// Topk is mx.topk(a, k, axis): the k largest values, unordered.
func Topk(a *Array, k, axis int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("topk", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_topk(hs[0], C.int(k), C.int(axis), 0, &out)
	return finish("topk", msg, out, owned)
}

func cumulative(op C.int, name string, a *Array, axis int, reverse, inclusive bool) *Array {
	var ob opBuf
	hs, owned, err := ob.prep(name, 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_cumulative(op, hs[0], C.int(axis), 0, b2i(reverse), b2i(inclusive), &out)
	return finish(name, msg, out, owned)
}

// Cumsum is mx.cumsum(a, axis, reverse=reverse, inclusive=inclusive).
func Cumsum(a *Array, axis int, reverse, inclusive bool) *Array {
	return cumulative(C.MLXG_CUMSUM, "cumsum", a, axis, reverse, inclusive)
}

// Cumprod is mx.cumprod.
func Cumprod(a *Array, axis int, reverse, inclusive bool) *Array {
	return cumulative(C.MLXG_CUMPROD, "cumprod", a, axis, reverse, inclusive)
}

// Cummax is mx.cummax.
func Cummax(a *Array, axis int, reverse, inclusive bool) *Array {
	return cumulative(C.MLXG_CUMMAX, "cummax", a, axis, reverse, inclusive)
}

// Cummin is mx.cummin.
func Cummin(a *Array, axis int, reverse, inclusive bool) *Array {
	return cumulative(C.MLXG_CUMMIN, "cummin", a, axis, reverse, inclusive)
}
