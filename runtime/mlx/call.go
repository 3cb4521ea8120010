package mlx

/*
#include "shim.h"
*/
import "C"

// This file holds the plumbing every op goes through: check the inputs'
// sticky errors, materialise Python scalars, call the shim, wrap the result.
// The per-op files only say which shim function to call. Nothing here takes
// a lock (see context.go).

// run checks the inputs, materialises Python scalars, calls f with the input
// handles and wraps its one output. Each weak scalar takes its dtype from the
// first array input, as mlx's Python binding does (to_arrays).
// Most ops call opBuf.prep and finish themselves instead (see opBuf).
func run(name string, f func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err, inputs ...*Array) *Array {
	return runOpt(name, len(inputs), f, inputs...)
}

// runOpt is run where inputs past the first nreq are optional: a nil one
// stands for an absent argument and reaches f as NULL.
func runOpt(name string, nreq int, f func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err, inputs ...*Array) *Array {
	var buf, obuf [6]C.mlxg_array
	hs, owned, err := prepare(name, nreq, inputs, buf[:0], obuf[:0])
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := f(hs, &out)
	return finish(name, msg, out, owned)
}

// opBuf is the stack room an op's handles take: most ops call
//
//	var b opBuf
//	hs, owned, err := b.prep(name, nreq, inputs...)
//	...
//	var out C.mlxg_array
//	msg := C.mlxg_<op>(hs[0], ..., &out)
//	return finish(name, msg, out, owned)
//
// directly rather than through run's closure: with no function value in
// between, the buffer and the output slot stay on the op's stack (cgo's
// noescape, noescape.go), so the op allocates nothing in Go but its result,
// and in a scope not even that (scope.go).
type opBuf struct{ hs, owned [6]C.mlxg_array }

// prep is prepare into b.
func (b *opBuf) prep(name string, nreq int, inputs ...*Array) ([]C.mlxg_array, []C.mlxg_array, error) {
	return prepare(name, nreq, inputs, b.hs[:0], b.owned[:0])
}

// prepare checks the inputs and collects their handles into hs, making the
// Python scalars' arrays (listed in owned, for finish to free).
func prepare(name string, nreq int, inputs []*Array, hs, owned []C.mlxg_array) ([]C.mlxg_array, []C.mlxg_array, error) {
	weak := false
	for i, a := range inputs {
		if a == nil && i >= nreq {
			continue
		}
		if err := a.usable(name); err != nil {
			return nil, nil, err
		}
		if a.weak != weakNone {
			weak = true
		}
	}
	if err := ensureInit(); err != nil {
		return nil, nil, err
	}
	if !weak {
		for _, a := range inputs {
			if a == nil {
				hs = append(hs, nil)
			} else {
				hs = append(hs, a.c.h)
			}
		}
		return hs, owned, nil
	}
	// A weak scalar takes its dtype from the first array input (read from the
	// handle's header, no call).
	var peer Dtype
	hasPeer := false
	for _, b := range inputs {
		if b != nil && b.weak == weakNone {
			peer, hasPeer = Dtype(metaOf(b.c.h).dtype), true
			break
		}
	}
	for _, a := range inputs {
		if a == nil {
			hs = append(hs, nil)
			continue
		}
		h, own, err := a.materialize(name, peer, hasPeer)
		if err != nil {
			freeHandles(owned)
			return nil, nil, err
		}
		hs = append(hs, h)
		if own {
			owned = append(owned, h)
		}
	}
	return hs, owned, nil
}

// finish frees the scalars prepare made and wraps the op's result.
func finish(name string, msg C.mlxg_err, out C.mlxg_array, owned []C.mlxg_array) *Array {
	freeHandles(owned)
	if msg != nil {
		return errArray(takeError(name, msg))
	}
	return newArray(out)
}

func freeHandles(hs []C.mlxg_array) {
	if len(hs) > 0 {
		C.mlxg_free_many(&hs[0], C.int(len(hs)))
	}
}

// operand is an op input in the form the shim's by-value entry points take:
// an array handle (kind -1) or a Python scalar's value and dtype code.
func operand(a, peer *Array) (h C.mlxg_array, kind C.int, v C.double) {
	if a.weak == weakNone {
		return a.c.h, -1, 0
	}
	var pd Dtype
	has := peer.weak == weakNone
	if has {
		pd = Dtype(metaOf(peer.c.h).dtype)
	}
	return nil, C.int(a.weakDtype(pd, has)), C.double(a.val)
}

// unop is the hot path of an element-wise op of one input: one cgo call,
// nothing allocated but the result.
func unop(op C.int, name string, a *Array) *Array {
	if err := a.usable(name); err != nil {
		return errArray(err)
	}
	if a.weak != weakNone {
		return run(name, func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
			return C.mlxg_unary(op, hs[0], out)
		}, a)
	}
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	r := C.mlxg_unary_r(op, a.c.h)
	if r.err != nil {
		return errArray(takeError(name, r.err))
	}
	return newArray(r.h)
}

// binop is the hot path of an op of two inputs: one cgo call, a Python
// scalar operand made by the shim in the same call.
func binop(op C.int, name string, a, b *Array) *Array {
	if err := a.usable(name); err != nil {
		return errArray(err)
	}
	if err := b.usable(name); err != nil {
		return errArray(err)
	}
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	ha, ka, va := operand(a, b)
	hb, kb, vb := operand(b, a)
	r := C.mlxg_binary_r(op, ha, hb, ka, va, kb, vb)
	if r.err != nil {
		return errArray(takeError(name, r.err))
	}
	return newArray(r.h)
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
	outs := make([]C.mlxg_array, n)
	if msg := f(&outs[0]); msg != nil {
		return nil, takeError(name, msg)
	}
	res := make([]*Array, n)
	for i, h := range outs {
		if h == nil {
			res[i] = &Array{c: &cell{}}
			continue
		}
		res[i] = newArray(h)
	}
	return res, nil
}

// handles collects the handles of usable, non-scalar arrays.
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
