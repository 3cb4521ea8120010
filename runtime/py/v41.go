package py

import (
	"cmp"
	"slices"
	"sync"

	"github.com/hf2go/hf2go/ported/rope"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// YarnRoPE is rope_utils.YarnRoPE(dims, traditional, max_position_embeddings,
// base, scaling_factor, original_max_position_embeddings, beta_fast,
// beta_slow, mscale, mscale_all_dim) with every keyword given (the table
// fills Python's defaults); an invalid configuration raises ValueError.
func YarnRoPE(dims int, traditional bool, maxPositionEmbeddings int, base, scalingFactor, originalMaxPositionEmbeddings,
	betaFast, betaSlow, mscale, mscaleAllDim float64) *rope.YarnRoPE {
	r, err := rope.NewYarnRoPE(dims, rope.YarnOpts{Traditional: traditional, MaxPositionEmbeddings: maxPositionEmbeddings,
		Base: base, ScalingFactor: scalingFactor, OriginalMaxPositionEmbeddings: originalMaxPositionEmbeddings,
		BetaFast: betaFast, BetaSlow: betaSlow, Mscale: mscale, MscaleAllDim: mscaleAllDim})
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return r
}

// Prod is math.prod over ints (1 for an empty iterable).
func Prod(xs []int) int {
	p := 1
	for _, x := range xs {
		p *= x
	}
	return p
}

// ModuleArray is a module-level array of a model file (deepseek_v41's
// `_FP4_LUT = mx.array([...])`): build runs once per process, on first use,
// and every call returns that array. It is built on a goroutine bound to a
// context of its own (mlx.Bind) with no scope open, so no caller's
// mlx.Scope frees it, and evaluated there, so every goroutine may read it
// (as they read weights). sync.OnceValue makes concurrent first uses wait
// for the one build; nothing writes the array afterwards.
func ModuleArray(build func() *mlx.Array) func() *mlx.Array {
	return sync.OnceValue(func() *mlx.Array {
		done := make(chan *mlx.Array)
		go func() {
			b, err := mlx.Bind()
			if err != nil {
				done <- mlx.Errorf("module array", "%v", err)
				return
			}
			defer b.Release()
			a := build()
			if err := mlx.Eval(a); err != nil {
				a = mlx.Errorf("module array", "%v", err)
			}
			done <- a
		}()
		return <-done
	})
}

// SetDefault is d.setdefault(k, def): the value under k, after storing def
// there when there was none.
func SetDefault[K comparable, V any](m map[K]V, k K, def V) V {
	if v, ok := m[k]; ok {
		return v
	}
	m[k] = def
	return def
}

// SortedPairKeys are the keys of a dict keyed by (int or str) pairs, in
// Python's tuple order: a Go map has no insertion order, and generated
// code iterates deterministically.
func SortedPairKeys[V any](m map[[2]any]V) [][2]any {
	keys := make([][2]any, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]any) int {
		for i := range a {
			if c := cmpScalar(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	return keys
}

// cmpScalar orders two ints or two strs (the elements of a tuple key).
func cmpScalar(a, b any) int {
	switch x := a.(type) {
	case int:
		if y, ok := b.(int); ok {
			return cmp.Compare(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return cmp.Compare(x, y)
		}
	}
	Raise("TypeError", "'<' not supported between %T and %T", a, b)
	return 0
}
