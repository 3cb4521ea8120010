package py

import (
	"sync"

	"github.com/hf2go/hf2go/runtime/mlx"
)

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
