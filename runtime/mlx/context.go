package mlx

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Concurrency. Building ops takes no lock: MLX builds graphs from any thread,
// and every array the shim hands out is tagged with the binding context that
// made it, read by Go from the handle itself (mlxg_meta), so the scope that
// owns it is found without a call. There are two kinds of context:
//
//   - the shared context (0), used by every goroutine that did not Bind: its
//     ops go to the process's shared stream and its scope stack is one for
//     all such goroutines (guarded by sharedMu), so scopes opened there are
//     meant for one driving goroutine at a time;
//   - a bound context, made by Bind for one goroutine locked to its OS
//     thread: its ops go to a stream of its own, its scope stack is its own
//     and touched by no one else, so nothing it does takes a lock but graph
//     submission (eval), which holds the shim's submit lock only while it
//     hands work to the streams, never while it waits for results.
//
// A generation loop binds (lm/generate does), so many requests generate at
// once without serialising each other. An array may be read by several
// goroutines at once (weights are), but freeing it must not race with its use.

// maxContexts bounds the number of goroutines bound at once.
const maxContexts = 4096

// ctxState is a context's scope stack.
type ctxState struct {
	id     int32
	stream C.int // the shim's stream index (bound contexts)
	top    *Scope
}

var (
	// sharedMu guards the shared context's scope stack.
	sharedMu sync.Mutex
	shared   = &ctxState{id: 0}

	// ctxTable maps a handle's context id to its state; entry 0 is shared.
	ctxTable [maxContexts]atomic.Pointer[ctxState]

	ctxPool struct {
		sync.Mutex
		free []*ctxState
		next int32
	}
)

func init() { ctxTable[0].Store(shared) }

// metaOf is the header the shim writes at the start of every handle.
func metaOf(h C.mlxg_array) *C.mlxg_meta { return (*C.mlxg_meta)(unsafe.Pointer(h)) }

// currentCtx is the context of the calling goroutine's OS thread. Only a
// bound goroutine (locked to its thread) gets a stable non-shared answer.
func currentCtx() *ctxState {
	id := C.mlxg_ctx_current()
	if id == 0 {
		return shared
	}
	return ctxTable[id].Load()
}

// Binding is what Bind returns: call Release when the bound work is done.
type Binding struct {
	ctx      *ctxState
	released bool
}

// Bind locks the calling goroutine to its OS thread and gives it a context
// of its own until Release: its ops go to its own MLX stream, its scopes see
// only the arrays it creates, and none of it takes a lock that another
// goroutine holds while working (see the package comment). Use it around a
// unit of work such as one generation:
//
//	b, err := mlx.Bind()
//	if err != nil { ... }
//	defer b.Release()
//
// Binding a goroutine that is already bound returns a Binding whose Release
// does nothing, so functions may bind without knowing their caller's state.
// Arrays a bound goroutine creates can be used by other goroutines once they
// are evaluated; evaluating them elsewhere before that also works (their
// work runs on the bound context's stream) but loses the point of binding.
func Bind() (*Binding, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	runtime.LockOSThread()
	if C.mlxg_ctx_current() != 0 {
		runtime.UnlockOSThread() // nested: the outer binding holds the lock
		return &Binding{released: true}, nil
	}
	c, err := takeCtx()
	if err != nil {
		runtime.UnlockOSThread()
		return nil, err
	}
	C.mlxg_ctx_bind(C.int32_t(c.id), c.stream)
	return &Binding{ctx: c}, nil
}

// Release ends the binding: scopes still open in it are dropped (their
// arrays then live until freed or collected, as when an outer Close drops
// inner scopes), the thread goes back to the shared context and is
// unlocked. It must be called by the bound goroutine; a second call does
// nothing.
func (b *Binding) Release() {
	if b == nil || b.released {
		return
	}
	b.released = true
	c := b.ctx
	for t := c.top; t != nil; t = t.parent {
		t.armAll()
	}
	c.top = nil
	C.mlxg_ctx_unbind()
	runtime.UnlockOSThread()
	ctxPool.Lock()
	ctxPool.free = append(ctxPool.free, c)
	ctxPool.Unlock()
}

// takeCtx reuses a released context (its stream included: MLX streams are
// never destroyed, so one per request would grow without bound) or makes one.
func takeCtx() (*ctxState, error) {
	ctxPool.Lock()
	defer ctxPool.Unlock()
	if n := len(ctxPool.free); n > 0 {
		c := ctxPool.free[n-1]
		ctxPool.free = ctxPool.free[:n-1]
		return c, nil
	}
	if ctxPool.next+1 >= maxContexts {
		return nil, errors.New("mlx.Bind: too many goroutines bound at once")
	}
	var idx C.int
	if err := takeError("bind", C.mlxg_ctx_new_stream(&idx)); err != nil {
		return nil, err
	}
	ctxPool.next++
	c := &ctxState{id: ctxPool.next, stream: idx}
	ctxTable[c.id].Store(c)
	return c, nil
}
