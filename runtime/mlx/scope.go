package mlx

/*
#include "shim.h"
*/
import "C"

// Scope frees, when closed, every array created while it was the innermost
// open scope, except those kept. It is how a decode loop keeps MLX memory flat:
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
// The scope stack belongs to the process, not to a goroutine: arrays are
// attributed to the innermost open scope whichever goroutine creates them, so
// scopes are meant for one driving goroutine (the generation loop) at a time.
type Scope struct {
	parent *Scope
	arrays []*Array
	closed bool
}

var scopes struct{ top *Scope } // guarded by mu

// NewScope opens a scope nested in the current innermost one.
func NewScope() *Scope {
	mu.Lock()
	defer mu.Unlock()
	s := &Scope{parent: scopes.top}
	scopes.top = s
	return s
}

// Keep exempts arrays from this scope's Close. Arrays that belong to another
// scope, error arrays and nil are ignored.
func (s *Scope) Keep(arrs ...*Array) {
	mu.Lock()
	defer mu.Unlock()
	for _, a := range arrs {
		if a != nil && a.scope == s {
			if p := s.parent; p != nil && !p.closed {
				a.scope = p
				p.arrays = append(p.arrays, a)
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
	mu.Lock()
	defer mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	// One call into C frees them all: a per-array call would cost a cgo
	// transition per op of the graph.
	hs := make([]C.mlxg_array, 0, len(s.arrays))
	for _, a := range s.arrays {
		if a.scope == s && a.c != nil && a.c.h != nil {
			hs = append(hs, a.c.h)
			a.c.h = nil
		}
	}
	if len(hs) > 0 {
		C.mlxg_free_many(&hs[0], C.int(len(hs)))
	}
	s.arrays = nil
	onStack := false
	for t := scopes.top; t != nil; t = t.parent {
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
	for t := scopes.top; t != s; t = t.parent {
		for _, a := range t.arrays {
			if a.scope == t && a.c != nil && a.c.h != nil {
				a.armCleanup()
			}
		}
	}
	scopes.top = s.parent
}

// Len is the number of arrays the scope currently manages (for tests and leak hunting).
func (s *Scope) Len() int {
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for _, a := range s.arrays {
		if a.scope == s && a.c != nil && a.c.h != nil {
			n++
		}
	}
	return n
}
