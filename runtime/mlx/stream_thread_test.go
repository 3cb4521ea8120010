package mlx

import (
	"runtime"
	"testing"
)

// TestQuantizedOpsAcrossThreads builds quantized matmuls on one OS thread and
// evaluates them on another, as a goroutine that moves between threads does.
// With float32 inputs and bfloat16 scales, MLX 0.32.4's quantized_matmul casts
// the input with an astype that is given no stream, so it lands on the
// building thread's default stream, which exists only on that thread:
// evaluating elsewhere failed with "There is no Stream(cpu, N) in current
// thread" (seen in 4-bit MoE parity cases, a few percent of runs, and in
// generate on a GGUF model with float16 scales and float32 norms). The shim
// makes the stream a thread issues ops on its default stream (shim_core.cpp
// stream()); without that this test fails for quantized_matmul.
func TestQuantizedOpsAcrossThreads(t *testing.T) {
	quantized := func(shape ...int) Quantized {
		n := 1
		for _, d := range shape {
			n *= d
		}
		w := FromSlice(make([]float32, n), shape...).Astype(Bfloat16)
		q, err := Quantize(w, 32, 4, "affine")
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	ops := []struct {
		name  string
		build func() *Array
	}{
		{"quantized_matmul", func() *Array {
			q := quantized(64, 64)
			x := FromSlice(make([]float32, 64), 1, 64)
			return QuantizedMatmul(x, q.Weight, q.Scales, q.Biases, true, 32, 4, "affine")
		}},
		{"gather_qmm", func() *Array {
			q := quantized(4, 64, 64)
			x := FromSlice(make([]float32, 14*64), 1, 14, 1, 1, 64)
			idx := FromSlice(make([]uint32, 28), 1, 14, 2)
			return GatherQMM(x, q.Weight, q.Scales, q.Biases, nil, idx, true, 32, 4, "affine", false)
		}},
	}
	// The builder is either an unbound goroutine (shared context: its ops go
	// to the shared stream) or a bound one (its own context's stream); the
	// evaluator is another goroutine on another OS thread, as when an unbound
	// goroutine migrates or a bound goroutine's results are read elsewhere.
	for _, bound := range []bool{false, true} {
		for _, op := range ops {
			built := make(chan *Array)
			errs := make(chan error, 1)
			go func() {
				runtime.LockOSThread() // a thread of its own, ended with the goroutine
				if bound {
					b, err := Bind()
					if err != nil {
						errs <- err
						built <- nil
						return
					}
					defer b.Release()
				}
				built <- op.build()
			}()
			y := <-built
			if y == nil {
				t.Fatalf("Bind: %v", <-errs)
			}
			done := make(chan error)
			go func() {
				runtime.LockOSThread()
				done <- Eval(y)
			}()
			if err := <-done; err != nil {
				t.Errorf("%s built on one thread (bound=%v), evaluated on another: %v", op.name, bound, err)
			}
		}
	}
}
