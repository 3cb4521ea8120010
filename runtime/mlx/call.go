package mlx

/*
#include "shim.h"
*/
import "C"

// This file holds the plumbing every op goes through: check the inputs'
// sticky errors, take the lock, materialise Python scalars, call the shim,
// wrap the result. The per-op files only say which shim function to call.

// run checks the inputs, takes the lock, materialises Python scalars, calls f
// with the input handles and wraps its one output. Each weak scalar takes its
// dtype from the first array input, as mlx's Python binding does (to_arrays).
func run(name string, f func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err, inputs ...*Array) *Array {
	return runOpt(name, len(inputs), f, inputs...)
}

// runOpt is run where inputs past the first nreq are optional: a nil one
// stands for an absent argument and reaches f as NULL.
func runOpt(name string, nreq int, f func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err, inputs ...*Array) *Array {
	for i, a := range inputs {
		if a == nil && i >= nreq {
			continue
		}
		if err := a.usable(name); err != nil {
			return errArray(err)
		}
	}
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// A weak scalar takes its dtype from the first array input; only then is
	// that dtype needed (it costs a cgo call).
	var peer Dtype
	hasPeer := false
	for _, a := range inputs {
		if a != nil && a.weak != weakNone {
			for _, b := range inputs {
				if b != nil && b.weak == weakNone {
					peer, hasPeer = Dtype(C.mlxg_dtype(b.c.h)), true
					break
				}
			}
			break
		}
	}
	var buf [6]C.mlxg_array
	hs := buf[:0]
	var owned uint64 // bit i: input i is a scalar materialised for this call
	for i, a := range inputs {
		if a == nil {
			hs = append(hs, nil)
			continue
		}
		h, own, err := a.materialize(name, peer, hasPeer)
		if err != nil {
			return errArray(err)
		}
		hs = append(hs, h)
		if own {
			owned |= 1 << uint(i%64)
		}
	}
	var out C.mlxg_array
	msg := f(hs, &out)
	for i, h := range hs {
		if owned&(1<<uint(i%64)) != 0 {
			C.mlxg_free(h)
		}
	}
	if msg != nil {
		return errArray(takeError(name, msg))
	}
	return newArray(out)
}

// runMulti is run for ops with several outputs.
func runMulti(name string, n int, f func(outs *C.mlxg_array) C.mlxg_err, inputs ...*Array) ([]*Array, error) {
	for _, a := range inputs {
		if err := a.usable(name); err != nil {
			return nil, err
		}
		if a.weak != weakNone {
			return nil, &Error{Op: name, Msg: "a Python scalar is not accepted here"}
		}
	}
	if err := ensureInit(); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	outs := make([]C.mlxg_array, n)
	if msg := f(&outs[0]); msg != nil {
		return nil, takeError(name, msg)
	}
	res := make([]*Array, n)
	for i, h := range outs {
		res[i] = newArray(h)
	}
	return res, nil
}

// handles collects the handles of usable, non-scalar arrays. Caller holds mu.
func handles(arrs []*Array) []C.mlxg_array {
	hs := make([]C.mlxg_array, len(arrs))
	for i, a := range arrs {
		hs[i] = a.c.h
	}
	return hs
}

func b2i(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
