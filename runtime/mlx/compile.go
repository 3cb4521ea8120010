package mlx

/*
#include <stdlib.h>
#include <string.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"math"
	"runtime/cgo"
	"slices"
	"unsafe"
)

// Compile is mx.compile: it returns a function that computes what fn
// computes, traced once per input shape class and replayed by MLX's compiler
// afterwards (element-wise chains fused into one kernel, no Go and no
// per-op dispatch on later calls). shapeless is mx.compile(shapeless=True):
// one trace for every input shape. Python scalars (Float, Int, BoolScalar)
// among the arguments are constants of the trace, as non-array arguments are
// in Python: each distinct value traces once.
//
// fn must be a pure function of its arguments built from mlx ops (no Eval,
// no reads of array values, no Free of its arguments). Errors follow the
// package's sticky convention: an op that fails while tracing, or a bad
// argument, gives an Array carrying the error.
//
// How models use it: mlx-lm's @mx.compile / @partial(mx.compile,
// shapeless=True) functions become package-level
//
//	var swigluC = mlx.Compile(func(a ...*mlx.Array) *mlx.Array { return ... a[0] ... a[1] ... }, true)
//
// called as swigluC(gate, x). MLX keeps one compiled-function cache per OS
// thread, so a goroutine that did not Bind may trace once per thread it runs on.
func Compile(fn func(args ...*Array) *Array, shapeless bool) func(args ...*Array) *Array {
	c := newCompiled(func(args []*Array) []*Array { return []*Array{fn(args...)} }, shapeless)
	return func(args ...*Array) *Array {
		outs, err := c.call(args)
		if err != nil {
			return errArray(err)
		}
		return outs[0]
	}
}

// CompileMulti is Compile for a function with several results.
func CompileMulti(fn func(args ...*Array) []*Array, shapeless bool) func(args ...*Array) ([]*Array, error) {
	c := newCompiled(func(args []*Array) []*Array { return fn(args...) }, shapeless)
	return func(args ...*Array) ([]*Array, error) { return c.call(args) }
}

// SetCompileEnabled turns MLX's compiler on or off for the whole process
// (mx.enable_compile / mx.disable_compile): off, compiled functions run their
// ops one by one. For tests that compare the two.
func SetCompileEnabled(on bool) {
	if ensureInit() == nil {
		C.mlxg_compile_set_enabled(b2i(on))
	}
}

// constNone marks a nil (None) argument among a compiled call's constants.
const constNone weakKind = 0xff

// maxCompiledOutputs bounds a compiled function's results.
const maxCompiledOutputs = 16

type compiled struct {
	fn     func(args []*Array) []*Array
	handle cgo.Handle // lets the shim's trace callback find fn
	c      C.mlxg_fn
}

func newCompiled(fn func(args []*Array) []*Array, shapeless bool) *compiled {
	c := &compiled{fn: fn}
	// A compiled function lives as long as the program (it is a package-level
	// value in practice): the handle and the shim's record are never freed,
	// as MLX keeps its cache entry for the id anyway.
	c.handle = cgo.NewHandle(c)
	c.c = C.mlxg_compile_new(C.uintptr_t(c.handle), b2i(shapeless))
	return c
}

// call runs the compiled function on args. The constants passed to the
// shim describe the Python-scalar arguments: first the number of arguments,
// then per scalar its position and kind, and its value's bits.
func (c *compiled) call(args []*Array) ([]*Array, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	ins := make([]C.mlxg_array, 0, len(args))
	consts := make([]C.uint64_t, 1, 1+2*len(args))
	consts[0] = C.uint64_t(len(args))
	for i, a := range args {
		if a == nil {
			// None (an Optional array argument not given): like Python's
			// compile, a constant of the trace, which the body sees as nil.
			consts = append(consts, C.uint64_t(uint64(i)<<8|uint64(constNone)), 0)
			continue
		}
		if err := a.usable("compile"); err != nil {
			return nil, err
		}
		if a.weak != weakNone {
			consts = append(consts, C.uint64_t(uint64(i)<<8|uint64(a.weak)), C.uint64_t(math.Float64bits(a.val)))
			continue
		}
		ins = append(ins, a.c.h)
	}
	var outs [maxCompiledOutputs]C.mlxg_array
	var n C.int
	var inp *C.mlxg_array
	if len(ins) > 0 {
		inp = &ins[0]
	}
	msg := C.mlxg_compile_call(c.c, inp, C.int(len(ins)), &consts[0], C.int(len(consts)), &outs[0], maxCompiledOutputs, &n)
	if msg != nil {
		return nil, takeError("compile", msg)
	}
	res := make([]*Array, int(n))
	for i := range res {
		res[i] = newArray(outs[i])
	}
	return res, nil
}

// hf2goCompileTrace is the shim's trace callback: it runs the Go function on
// the tracer arrays (and the constants' scalars) and hands the results'
// handles to the shim. It returns the number of results, or -1 and a
// message. A panic in the function is reported, not propagated through C.
//
//export hf2goCompileTrace
func hf2goCompileTrace(goFn C.uintptr_t, ins *C.mlxg_array, nin C.int, consts *C.uint64_t, nconst C.int,
	outs *C.mlxg_array, maxout C.int, errOut **C.char) (n C.int) {
	fail := func(msg string) C.int {
		*errOut = C.CString(msg)
		return -1
	}
	defer func() {
		if r := recover(); r != nil {
			n = fail(fmt.Sprintf("compiled function panicked: %v", r))
		}
	}()
	c := cgo.Handle(goFn).Value().(*compiled)
	hin := unsafe.Slice(ins, int(nin))
	cs := unsafe.Slice(consts, int(nconst))
	s := NewScope()
	defer s.Close()
	tracers := make([]*Array, len(hin))
	for i, h := range hin {
		tracers[i] = newArray(h) // in s: freed when the trace ends
	}
	args := make([]*Array, int(cs[0]))
	isConst := make([]bool, len(args))
	for k := 1; k+1 < len(cs); k += 2 {
		pos, kind := int(cs[k]>>8), weakKind(cs[k]&0xff)
		isConst[pos] = true
		if kind == constNone {
			continue // nil
		}
		args[pos] = &Array{weak: kind, val: math.Float64frombits(uint64(cs[k+1]))}
	}
	j := 0
	for i := range args {
		if !isConst[i] {
			args[i] = tracers[j]
			j++
		}
	}
	res := c.fn(args)
	if len(res) > int(maxout) {
		return fail(fmt.Sprintf("compiled function returned %d results, at most %d are supported", len(res), maxout))
	}
	out := unsafe.Slice(outs, int(maxout))
	for _, r := range res {
		if err := r.Err(); err != nil {
			return fail(err.Error())
		}
		if r.weak != weakNone {
			return fail("a compiled function must return arrays, not Python scalars")
		}
	}
	for i, r := range res {
		if j := slices.Index(res[:i], r); j >= 0 {
			out[i] = C.mlxg_dup(out[j]) // returned twice
		} else if r.scope == s {
			// Made by the trace: the shim takes the handle over, so it
			// leaves the scope and Go.
			s.Keep(r)
			out[i] = r.c.h
			r.c.h = nil
		} else {
			// An array from outside the trace (captured): the shim gets a
			// handle of its own.
			out[i] = C.mlxg_dup(r.c.h)
		}
	}
	return C.int(len(res))
}

// Tracing reports whether the calling goroutine's OS thread is inside a
// Compile trace (the only function transformation this binding exposes):
// every array made there is part of the trace, so nothing may be derived
// from a constant and cached for later calls, and nothing may be evaluated.
func Tracing() bool {
	if ensureInit() != nil {
		return false
	}
	return C.mlxg_in_tracing() != 0
}
