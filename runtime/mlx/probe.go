package mlx

/*
#include "shim.h"
*/
import "C"

// Probes for the per-op cost breakdown (profile_test.go, docs/bench/profile.md).
// They are not API: each isolates one thing an op costs.

// probeNoop is one cgo transition into an empty C function.
func probeNoop() { C.mlxg_probe_noop() }

// probeNative builds a chain of n alternating add/multiply ops entirely in
// C++ (no Go, no cgo per op) and returns MLX's own cost per op: building,
// and releasing the chain. With wrapEach every result also gets the heap
// handle the shim gives Go.
func probeNative(x, c *Array, n int, wrapEach bool) (buildNs, freeNs float64, err error) {
	var b, f C.double
	msg := C.mlxg_probe_chain(x.c.h, c.c.h, C.int(n), b2i(wrapEach), &b, &f)
	return float64(b), float64(f), takeError("probe", msg)
}

// probeRawChain issues n alternating add/multiply ops straight through the
// shim's entry point, one cgo call each, with none of the binding's Go-side
// work (no checks, lock, Array or scope), then frees the handles in one call.
func probeRawChain(x, c *Array, n int, hs []C.mlxg_array) {
	y := x.c.h
	for i := range n {
		op := C.int(C.MLXG_ADD)
		if i%2 == 1 {
			op = C.MLXG_MULTIPLY
		}
		var out C.mlxg_array
		if msg := C.mlxg_binary(op, y, c.c.h, &out); msg != nil {
			panic(takeError("probe", msg))
		}
		hs[i] = out
		y = out
	}
	C.mlxg_free_many(&hs[0], C.int(n))
}

// probeHandles is a reusable handle buffer for probeRawChain.
func probeHandles(n int) []C.mlxg_array { return make([]C.mlxg_array, n) }
