package mlx

import (
	"runtime"
	"sync"
	"testing"
)

// Per-op cost breakdown of the binding: each benchmark isolates one thing an
// op costs, reported per MLX op (ns/op). docs/bench/profile.md has the numbers
// and how they add up; run with
//
//	go test -run '^$' -bench Probe -benchtime 200000x ./runtime/mlx
//
// (a measurement, not a test).

const probeChain = 1000

func probeInputs(b *testing.B) (x, c *Array) {
	x, c = Ones(Float32, 16), Ones(Float32, 16)
	if err := Eval(x, c); err != nil {
		b.Fatal(err)
	}
	return x, c
}

// BenchmarkProbeCgoNoop: one cgo transition (Go → empty C function → Go).
func BenchmarkProbeCgoNoop(b *testing.B) {
	for range b.N {
		probeNoop()
	}
}

// BenchmarkProbeMutex: the package mutex, uncontended, as each op takes it.
func BenchmarkProbeMutex(b *testing.B) {
	var m sync.Mutex
	for range b.N {
		m.Lock()
		m.Unlock() //nolint:staticcheck // the lock pair is what is measured
	}
}

// BenchmarkProbeStickyCheck: the sticky-error and liveness check of one input.
func BenchmarkProbeStickyCheck(b *testing.B) {
	x, c := probeInputs(b)
	var err error
	for range b.N {
		if e := x.usable("add"); e != nil {
			err = e
		}
		if e := c.usable("add"); e != nil {
			err = e
		}
	}
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkProbeAddCleanup: runtime.AddCleanup on a fresh Array-sized object,
// as an op outside any scope pays (plus the allocation).
func BenchmarkProbeAddCleanup(b *testing.B) {
	for range b.N {
		a := &Array{c: &cell{}}
		runtime.AddCleanup(a, func(*cell) {}, a.c)
	}
}

// BenchmarkProbeAlloc: the Go allocation of one scoped Array (Array + cell in one object).
func BenchmarkProbeAlloc(b *testing.B) {
	var keep *scopedArray
	for range b.N {
		keep = &scopedArray{}
	}
	_ = keep
}

// BenchmarkProbeNativeMLX: the same chain built entirely in C++ (MLX's own op
// construction and release, no binding): the floor Go and Python share.
func BenchmarkProbeNativeMLX(b *testing.B) {
	x, c := probeInputs(b)
	var build, free float64
	n := 0
	for i := 0; i < b.N; i += probeChain {
		bn, fn, err := probeNative(x, c, probeChain, false)
		if err != nil {
			b.Fatal(err)
		}
		build, free, n = build+bn, free+fn, n+1
	}
	b.ReportMetric(build/float64(n), "build-ns/op")
	b.ReportMetric(free/float64(n), "free-ns/op")
}

// BenchmarkProbeNativeMLXHandles: BenchmarkProbeNativeMLX plus one heap
// handle per result (the shim's wrap), freed one by one.
func BenchmarkProbeNativeMLXHandles(b *testing.B) {
	x, c := probeInputs(b)
	var build, free float64
	n := 0
	for i := 0; i < b.N; i += probeChain {
		bn, fn, err := probeNative(x, c, probeChain, true)
		if err != nil {
			b.Fatal(err)
		}
		build, free, n = build+bn, free+fn, n+1
	}
	b.ReportMetric(build/float64(n), "build-ns/op")
	b.ReportMetric(free/float64(n), "free-ns/op")
}

// BenchmarkProbeRawCgo: one cgo call per op straight into the shim, nothing
// else on the Go side; the chain freed in one call.
func BenchmarkProbeRawCgo(b *testing.B) {
	x, c := probeInputs(b)
	hs := probeHandles(probeChain)
	for i := 0; i < b.N; i += probeChain {
		probeRawChain(x, c, probeChain, hs)
	}
}

// BenchmarkProbeBindingScoped: the binding's op (mlx.Add / mlx.Multiply)
// under a Scope, closed per chain: what model code pays per op.
func BenchmarkProbeBindingScoped(b *testing.B) {
	x, c := probeInputs(b)
	for i := 0; i < b.N; i += probeChain {
		s := NewScope()
		y := x
		for j := range probeChain {
			if j%2 == 0 {
				y = Add(y, c)
			} else {
				y = Multiply(y, c)
			}
		}
		s.Close()
	}
}

// BenchmarkProbeBindingWeak: as Scoped with a Python scalar operand
// (x + 1.0): the weak scalar's materialisation.
func BenchmarkProbeBindingWeak(b *testing.B) {
	x, _ := probeInputs(b)
	one := Float(1)
	for i := 0; i < b.N; i += probeChain {
		s := NewScope()
		y := x
		for j := range probeChain {
			if j%2 == 0 {
				y = Add(y, one)
			} else {
				y = Multiply(y, one)
			}
		}
		s.Close()
	}
}

// BenchmarkProbeBindingUnscoped: the binding's op outside any scope (each
// Array gets its cleanup), freed explicitly.
func BenchmarkProbeBindingUnscoped(b *testing.B) {
	x, c := probeInputs(b)
	ys := make([]*Array, probeChain)
	for i := 0; i < b.N; i += probeChain {
		y := x
		for j := range probeChain {
			if j%2 == 0 {
				y = Add(y, c)
			} else {
				y = Multiply(y, c)
			}
			ys[j] = y
		}
		for _, y := range ys {
			y.Free()
		}
	}
}

// TestProbeAllocs reports (does not assert) the Go allocations per op.
func TestProbeAllocs(t *testing.T) {
	x, c := Ones(Float32, 16), Ones(Float32, 16)
	if err := Eval(x, c); err != nil {
		t.Fatal(err)
	}
	s := NewScope()
	defer s.Close()
	t.Logf("allocs per scoped Add: %.2f", testing.AllocsPerRun(1000, func() { Add(x, c) }))
	t.Logf("allocs per scoped Add with a weak scalar: %.2f", testing.AllocsPerRun(1000, func() { Add(x, Float(1)) }))
	t.Logf("allocs per scoped Reshape: %.2f", testing.AllocsPerRun(1000, func() { Reshape(x, 4, 4) }))
}

// BenchmarkProbeBindingScopedLocked: BenchmarkProbeBindingScoped on a
// goroutine locked to its OS thread (every C call on one thread: one malloc
// arena, a warm thread cache).
func BenchmarkProbeBindingScopedLocked(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	BenchmarkProbeBindingScoped(b)
}

// BenchmarkProbeRawCgoLocked: BenchmarkProbeRawCgo on a locked OS thread.
func BenchmarkProbeRawCgoLocked(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	BenchmarkProbeRawCgo(b)
}

// TestDtypeSizes checks the Go table of element sizes against MLX's.
func TestDtypeSizes(t *testing.T) {
	for d := Bool; d <= Complex64; d++ {
		if got, want := d.Size(), d.shimSize(); got != want {
			t.Errorf("%s: Size() = %d, MLX says %d", d, got, want)
		}
	}
}
