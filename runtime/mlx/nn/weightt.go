package nn

import (
	"sync/atomic"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// WeightT is the transpose of a layer's weight, made once and reused by every
// call (PORTING_DECISIONS.md, "Constant views of weights"). mlx-lm's
// nn.Linear computes self.weight.T on every call, a Transpose node in every
// decode step's graph; the transpose of a weight that is already evaluated is
// a constant view of its buffer (no kernel, no memory), so it is made and
// evaluated once and the step graph loses the node, with the very same Matmul
// inputs (same strides, same kernel, same bits).
//
// The zero value is ready. Many goroutines may call T at once with no lock: the
// cache is an immutable pair behind an atomic pointer.
type WeightT struct {
	p atomic.Pointer[transposed]
}

// transposed is one cached view, immutable once published.
type transposed struct {
	of *mlx.Array // the weight it was made from (the pointer, compared by identity)
	t  *mlx.Array // of.T(), evaluated, owned by no scope
}

// T returns w.T(). It is the cached view when one was made for this very
// array (a Weight field pointed at another array since — a load, update or
// quantization — makes it stale); else it makes one, and caches it when w is
// evaluated (mlx.Array.IsAvailable) and the thread is not tracing a Compile. A lazy w (a constructor's
// zeros) is transposed per call, as mlx-lm does. owned says the caller must
// Free the result after using it (a view nobody else holds); a cached view
// must not be freed.
func (c *WeightT) T(w *mlx.Array) (t *mlx.Array, owned bool) {
	cur := c.p.Load()
	if cur != nil && cur.of == w && w.Valid() {
		return cur.t, false
	}
	t = w.T()
	// Only a weight Eval has returned for: one that another thread's AsyncEval
	// is computing (lm/generate's decodeAhead submits the first step's graph,
	// lazy weights and all, while this thread builds the next) must not be
	// evaluated from here.
	if !w.IsAvailable() || mlx.Tracing() {
		return t, true
	}
	if mlx.Eval(t) != nil {
		return t, true // uncached: the caller's own eval of the step reports it
	}
	t = mlx.Detach(t)
	if c.p.CompareAndSwap(cur, &transposed{of: w, t: t}) {
		return t, false
	}
	// Another goroutine published first (for w, or for a newer weight): ours
	// was never shared, so the caller frees it like a per-call view.
	return t, true
}
