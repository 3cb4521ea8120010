package mlx

/*
#include "shim.h"
*/
import "C"

// Scope frees, when closed, every array created while it was the innermost
// open scope of its context, except those kept. It is how a decode loop
// keeps MLX memory flat:
//
//	for step := range n {
//		s := mlx.NewScope()
//		logits := model.Forward(tokens, caches)
//		next := sample(logits)
//		s.Keep(next)
//		s.Keep(cacheState...)
//		s.Close()
//	}
//
// Scopes nest. Kept arrays move to the enclosing scope, or become unmanaged
// (freed by Free or, at the latest, by their cleanup) when there is none.
//
// Scope stacks belong to contexts (see Bind): a goroutine that bound has its
// own, and its scopes collect only its arrays; goroutines that did not bind
// share one stack, so scopes opened there are meant for one driving
// goroutine at a time. A Scope is used by the goroutine that opened it.
//
// The Arrays of a scope are allocated in chunks that the scope owns, so an
// op costs no Go allocation of its own in the common case.
type Scope struct {
	parent *Scope
	ctx    *ctxState
	chunks [][]scopedArray // the last one is being filled
	used   int             // slots used in the last chunk
	extra  []*Array        // arrays a child scope kept into this one
	closed bool
}

const (
	firstChunk = 16
	maxChunk   = 512
)

// NewScope opens a scope nested in the innermost open scope of the calling
// goroutine's context.
func NewScope() *Scope {
	c := currentCtx()
	if c == shared {
		sharedMu.Lock()
		defer sharedMu.Unlock()
	}
	s := &Scope{parent: c.top, ctx: c}
	c.top = s
	return s
}

func lockCtx(c *ctxState) {
	if c == shared {
		sharedMu.Lock()
	}
}

func unlockCtx(c *ctxState) {
	if c == shared {
		sharedMu.Unlock()
	}
}

// alloc wraps a new handle as an Array of s. Caller holds s's context.
func (s *Scope) alloc(h C.mlxg_array) *Array {
	n := len(s.chunks)
	if n == 0 || s.used == len(s.chunks[n-1]) {
		size := firstChunk
		if n > 0 {
			size = min(2*len(s.chunks[n-1]), maxChunk)
		}
		s.chunks = append(s.chunks, make([]scopedArray, size))
		s.used = 0
		n++
	}
	sa := &s.chunks[n-1][s.used]
	s.used++
	sa.c.h, sa.c.embedded = h, true
	sa.a.c, sa.a.scope = &sa.c, s
	return &sa.a
}

// each calls f for every array the scope manages now.
func (s *Scope) each(f func(a *Array)) {
	for i, ch := range s.chunks {
		if i == len(s.chunks)-1 {
			ch = ch[:s.used]
		}
		for j := range ch {
			if a := &ch[j].a; a.scope == s {
				f(a)
			}
		}
	}
	for _, a := range s.extra {
		if a.scope == s {
			f(a)
		}
	}
}

// Keep exempts arrays from this scope's Close. Arrays that belong to another
// scope, error arrays and nil are ignored.
func (s *Scope) Keep(arrs ...*Array) {
	lockCtx(s.ctx)
	defer unlockCtx(s.ctx)
	for _, a := range arrs {
		if a != nil && a.scope == s {
			if p := s.parent; p != nil && !p.closed {
				a.scope = p
				p.extra = append(p.extra, a)
			} else {
				// Unmanaged now (or its parent was closed while s was left
				// open): the cleanup is its safety net.
				a.scope = nil
				if a.c != nil && a.c.h != nil {
					a.armCleanup()
				}
			}
		}
	}
}

// Close frees the scope's arrays that were not kept and pops the scope (and
// any scopes opened inside it that were left open). Closing twice is a no-op.
func (s *Scope) Close() {
	c := s.ctx
	lockCtx(c)
	defer unlockCtx(c)
	if s.closed {
		return
	}
	s.closed = true
	// One call into C frees them all: a per-array call would cost a cgo
	// transition per op of the graph.
	var buf [64]C.mlxg_array
	hs := buf[:0]
	s.each(func(a *Array) {
		if a.c != nil && a.c.h != nil {
			hs = append(hs, a.c.h)
			a.c.h = nil
		}
	})
	if len(hs) > 0 {
		C.mlxg_free_many(&hs[0], C.int(len(hs)))
	}
	s.chunks, s.extra = nil, nil
	onStack := false
	for t := c.top; t != nil; t = t.parent {
		if t == s {
			onStack = true
			break
		}
	}
	if !onStack {
		return
	}
	// Scopes opened inside s and left open are dropped from the stack with it.
	// Their arrays were created without a cleanup (see newArray), so arm one
	// now; a later Close of such a scope still frees them at once.
	for t := c.top; t != s; t = t.parent {
		t.armAll()
	}
	c.top = s.parent
}

// armAll arms the cleanup of every live array of s (s leaves its stack open).
func (s *Scope) armAll() {
	s.each(func(a *Array) {
		if a.c != nil && a.c.h != nil {
			a.armCleanup()
		}
	})
}

// Len is the number of arrays the scope currently manages (for tests and leak hunting).
func (s *Scope) Len() int {
	lockCtx(s.ctx)
	defer unlockCtx(s.ctx)
	n := 0
	s.each(func(a *Array) {
		if a.c != nil && a.c.h != nil {
			n++
		}
	})
	return n
}

// Detach moves a's data to a new Array that belongs to no scope, so no
// Scope.Close frees it: it lives until Free or, once unreachable, its
// cleanup (armed here), like an array Keep makes unmanaged. a itself is left
// empty, as after Free. It is for values made once inside a caller's scope
// and cached for later calls (nn.Linear's transposed weight). An error array,
// a Python scalar or a freed array is returned as it is. The caller owns a.
//
// It moves the handle rather than marking a unmanaged in place because a
// scope's arrays live in chunks the scope allocated: a cached Array inside
// one would keep the whole chunk from being collected.
func Detach(a *Array) *Array {
	if a == nil || a.err != nil || a.weak != weakNone || a.c == nil || a.c.h == nil {
		return a
	}
	c := ctxTable[metaOf(a.c.h).ctx].Load()
	lockCtx(c)
	h := a.c.h
	a.c.h = nil // the scope's Close (or a's cleanup) now finds nothing to free
	unlockCtx(c)
	out := &Array{c: &cell{h: h}}
	out.armCleanup()
	return out
}
