package py

import (
	"sync"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestModuleArray checks that a module array is built once, survives the
// scope of the goroutine that first used it, and reads the same from
// concurrent goroutines.
func TestModuleArray(t *testing.T) {
	builds := 0
	lut := ModuleArray(func() *mlx.Array {
		builds++
		return mlx.FromSlice([]float32{0, 0.5, 6}, 3)
	})
	s := mlx.NewScope()
	first := lut()
	s.Close()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if lut() != first {
				t.Error("a second call returned another array")
			}
		}()
	}
	wg.Wait()
	got, err := mlx.ToSlice[float32](lut())
	if err != nil {
		t.Fatal(err)
	}
	if builds != 1 || len(got) != 3 || got[1] != 0.5 || got[2] != 6 {
		t.Fatalf("builds = %d, values %v; want one build of [0 0.5 6]", builds, got)
	}
}

// TestProd checks math.prod over ints.
func TestProd(t *testing.T) {
	if Prod(nil) != 1 || Prod([]int{2, 3, 4}) != 24 {
		t.Fatal("Prod")
	}
}
