package mlx

/*
#include "shim.h"
*/
import "C"

// Gathering, scattering, sorting and selection.

// Take is mx.take(a, indices, axis).
func Take(a, indices *Array, axis int) *Array {
	return run("take", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_take(hs[0], hs[1], C.int(axis), 0, out)
	}, a, indices)
}

// TakeFlat is mx.take(a, indices) over the flattened array.
func TakeFlat(a, indices *Array) *Array {
	return run("take", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_take(hs[0], hs[1], 0, 1, out)
	}, a, indices)
}

// TakeAlongAxis is mx.take_along_axis(a, indices, axis).
func TakeAlongAxis(a, indices *Array, axis int) *Array {
	return run("take_along_axis", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_take_along_axis(hs[0], hs[1], C.int(axis), 0, out)
	}, a, indices)
}

// PutAlongAxis is mx.put_along_axis(a, indices, values, axis).
func PutAlongAxis(a, indices, values *Array, axis int) *Array {
	return run("put_along_axis", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_put_along_axis(hs[0], hs[1], hs[2], C.int(axis), 0, out)
	}, a, indices, values)
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
	return run("sort", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_sort(C.MLXG_SORT, hs[0], C.int(axis), 0, out)
	}, a)
}

// Argsort is mx.argsort(a, axis).
func Argsort(a *Array, axis int) *Array {
	return run("argsort", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_sort(C.MLXG_ARGSORT, hs[0], C.int(axis), 0, out)
	}, a)
}

// Partition is mx.partition(a, kth, axis).
func Partition(a *Array, kth, axis int) *Array {
	return run("partition", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_partition(C.MLXG_PARTITION, hs[0], C.int(kth), C.int(axis), 0, out)
	}, a)
}

// Argpartition is mx.argpartition(a, kth, axis).
func Argpartition(a *Array, kth, axis int) *Array {
	return run("argpartition", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_partition(C.MLXG_ARGPARTITION, hs[0], C.int(kth), C.int(axis), 0, out)
	}, a)
}

// Topk is mx.topk(a, k, axis): the k largest values, unordered.
func Topk(a *Array, k, axis int) *Array {
	return run("topk", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_topk(hs[0], C.int(k), C.int(axis), 0, out)
	}, a)
}

func cumulative(op C.int, name string, a *Array, axis int, reverse, inclusive bool) *Array {
	return run(name, func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_cumulative(op, hs[0], C.int(axis), 0, b2i(reverse), b2i(inclusive), out)
	}, a)
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
