package mlx_test

import (
	"runtime"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// BenchmarkAddChain builds and frees chains of 1000 adds in a scope: the
// per-op cost of the binding plus MLX graph construction and destruction
// (compare with the same loop in Python; make bench-runtime does, side by side).
func BenchmarkAddChain(b *testing.B) {
	x := mlx.Ones(mlx.Float32, 16)
	one := mlx.Ones(mlx.Float32, 16)
	mlx.Eval(x, one)
	b.ResetTimer()
	for i := 0; i < b.N; i += 1000 {
		s := mlx.NewScope()
		y := x
		for j := 0; j < 1000; j++ {
			y = mlx.Add(y, one)
		}
		s.Close()
	}
}

// BenchmarkAddChainLocked is BenchmarkAddChain on a goroutine locked to its
// OS thread (one malloc arena, no thread hand-offs between cgo calls).
func BenchmarkAddChainLocked(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	BenchmarkAddChain(b)
}
