// Package mlx is hf2go's Go binding of MLX, the array framework, built on the
// real libmlx that ships in the pinned PyPI wheel (see scripts/setup.sh).
//
// # Design
//
// cgo cannot call C++, so the binding goes through a small C ABI written for
// this project (shim.h, shim_*.cpp) in which every C++ exception is caught and
// returned as a message. On the Go side:
//
//   - Errors are sticky. Every op returns an *Array; if MLX rejects the op (a
//     shape mismatch, a bad axis, a freed input), the returned Array carries an
//     *Error naming the op, and every op that consumes it passes that error on.
//     Code therefore reads like the Python it came from and checks once, with
//     Err or Eval, where a result leaves the computation. Nothing aborts the
//     process and nothing panics across the package boundary.
//   - Thread placement is invisible and building ops takes no lock. MLX
//     streams belong to OS threads, while goroutines move between threads, so
//     every stream the binding uses is made with new_thread_unsafe_stream and
//     may be used from any thread; only graph submission (Eval, AsyncEval)
//     holds a lock, and only while it hands work over. A goroutine that calls
//     Bind gets a stream and a scope stack of its own, so concurrent
//     generations do not serialise each other (context.go).
//   - Lifetime is explicit. MLX memory is not Go memory, so the garbage
//     collector cannot see its size. Free releases an array at once; a Scope
//     releases every array created inside it except those kept. A cleanup
//     attached to each Array is only a safety net for arrays nobody freed.
package mlx

/*
#cgo CXXFLAGS: -std=c++20 -O2 -I${SRCDIR}/../../.mlx/include -Wno-deprecated-declarations
#cgo CFLAGS: -I${SRCDIR}/../../.mlx/include
#cgo LDFLAGS: -L${SRCDIR}/../../.mlx/lib -lmlx -Wl,-rpath,${SRCDIR}/../../.mlx/lib
#cgo linux LDFLAGS: -lstdc++
#cgo darwin LDFLAGS: -lc++
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// mu serialises the few non-op entry points that keep state of their own
// (distributed groups, safetensors files); ops never take it.
var mu sync.Mutex

// initOnce creates the process-wide stream on first use.
var (
	initOnce sync.Once
	initErr  error
	onGPU    bool
)

func ensureInit() error {
	initOnce.Do(func() {
		// HF2GO_DEVICE=cpu forces the CPU even where a GPU backend is installed.
		wantGPU := C.int(1)
		if os.Getenv("HF2GO_DEVICE") == "cpu" {
			wantGPU = 0
		}
		var gpu C.int
		msg := C.mlxg_init(wantGPU, &gpu)
		if msg != nil {
			initErr = takeError("init", msg)
			return
		}
		onGPU = gpu != 0
	})
	return initErr
}

// Version is the version of the libmlx the binding is linked against.
func Version() string { return C.GoString(C.mlxg_version()) }

// OnGPU reports whether ops run on MLX's GPU backend (CUDA or Metal).
func OnGPU() bool {
	if err := ensureInit(); err != nil {
		return false
	}
	return onGPU
}

// Error is an op that MLX rejected, or an op given an unusable input.
type Error struct {
	Op  string // the MLX op, as Python names it (e.g. "matmul", "fast.rope")
	Msg string // MLX's message, or the binding's reason
}

func (e *Error) Error() string { return fmt.Sprintf("mlx.%s: %s", e.Op, e.Msg) }

// takeError converts a shim message into an *Error and frees the message.
func takeError(op string, msg C.mlxg_err) error {
	if msg == nil {
		return nil
	}
	s := C.GoString((*C.char)(unsafe.Pointer(msg)))
	C.free(unsafe.Pointer(msg))
	return &Error{Op: op, Msg: s}
}

// Eval evaluates the arrays and everything they depend on. It returns the
// first sticky error among them, if any.
func Eval(arrs ...*Array) error { return evalArrays("eval", false, arrs) }

// AsyncEval schedules evaluation and returns at once; a later Eval, a readback
// or Synchronize waits for it. It is how the decode loop overlaps work.
func AsyncEval(arrs ...*Array) error { return evalArrays("async_eval", true, arrs) }

func evalArrays(op string, async bool, arrs []*Array) error {
	if err := ensureInit(); err != nil {
		return err
	}
	hs := make([]C.mlxg_array, 0, len(arrs))
	for i, a := range arrs {
		if err := a.usable(op); err != nil {
			return fmt.Errorf("argument %d: %w", i, err)
		}
		if a.weak != weakNone {
			continue // a Python scalar has nothing to evaluate
		}
		hs = append(hs, a.c.h)
	}
	if len(hs) == 0 {
		return nil
	}
	var msg C.mlxg_err
	if async {
		msg = C.mlxg_async_eval(&hs[0], C.int(len(hs)))
	} else {
		msg = C.mlxg_eval(&hs[0], C.int(len(hs)))
	}
	return takeError(op, msg)
}

// Synchronize waits until all work issued so far on the calling goroutine's
// stream (its bound context's, else the shared one) has finished.
func Synchronize() error {
	if err := ensureInit(); err != nil {
		return err
	}
	return takeError("synchronize", C.mlxg_synchronize())
}

// Memory reports MLX's allocator counters in bytes.
type Memory struct {
	Active, Peak, Cache uint64
}

// MemoryStats returns MLX's allocator counters (mx.get_active_memory & co).
func MemoryStats() Memory {
	return Memory{
		Active: uint64(C.mlxg_active_memory()),
		Peak:   uint64(C.mlxg_peak_memory()),
		Cache:  uint64(C.mlxg_cache_memory()),
	}
}

// ResetPeakMemory resets the peak counter (mx.reset_peak_memory).
func ResetPeakMemory() { C.mlxg_reset_peak_memory() }

// ClearCache returns MLX's cached buffers to the system (mx.clear_cache).
func ClearCache() { C.mlxg_clear_cache() }

// SetCacheLimit sets MLX's buffer cache limit and returns the previous one.
func SetCacheLimit(bytes uint64) uint64 {
	return uint64(C.mlxg_set_cache_limit(C.size_t(bytes)))
}

// SetMemoryLimit sets MLX's memory limit and returns the previous one.
func SetMemoryLimit(bytes uint64) uint64 {
	return uint64(C.mlxg_set_memory_limit(C.size_t(bytes)))
}
