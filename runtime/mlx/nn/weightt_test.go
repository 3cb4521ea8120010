package nn_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// transposes is how many Transpose nodes one evaluation of y would run.
func transposes(t *testing.T, y *mlx.Array) int {
	t.Helper()
	census, err := mlx.GraphCensus(y)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(census, "\n") {
		if name, count, ok := strings.Cut(line, " "); ok && name == "Transpose" {
			for _, c := range count {
				n = 10*n + int(c-'0')
			}
		}
	}
	return n
}

// evaluated is a random normal array, evaluated (as a loaded weight is).
func evaluated(t *testing.T, seed uint64, shape ...int) *mlx.Array {
	t.Helper()
	a := mlx.Normal(shape, mlx.Float32, 0, 1, mlx.RandomKey(seed))
	if err := mlx.Eval(a); err != nil {
		t.Fatal(err)
	}
	return a
}

// sameBits fails unless got and want evaluate to the same bytes.
func sameBits(t *testing.T, what string, got, want *mlx.Array) {
	t.Helper()
	g, err := got.Bytes()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	w, err := want.Bytes()
	if err != nil {
		t.Fatalf("%s: reference: %v", what, err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s: result differs from x @ W.T computed directly", what)
	}
}

// TestLinearWeightTCached checks what nn.WeightT is for: a Forward of a
// Linear (with and without bias) or an Embedding.AsLinear whose weight is
// evaluated has no Transpose node in its graph, the first call (which makes
// the view) nor the next (which reuses it after the first call's scope was
// closed), its result is
// bit-identical to x @ W.T (+ b) built directly, the view survives the
// caller's scope, and a Weight field pointed at another array gives that
// array's result (the cache is invalidated by identity). A lazy weight (a
// constructor's zeros) is transposed per call, as mlx-lm does.
func TestLinearWeightTCached(t *testing.T) {
	const in, out = 24, 16
	x := evaluated(t, 1, 3, in)
	// Evaluated together, as a loader evaluates a model's parameters.
	w1 := mlx.Normal([]int{out, in}, mlx.Float32, 0, 1, mlx.RandomKey(2))
	w2 := mlx.Normal([]int{out, in}, mlx.Float32, 0, 1, mlx.RandomKey(3))
	b := mlx.Normal([]int{out}, mlx.Float32, 0, 1, mlx.RandomKey(4))
	if err := mlx.Eval(w1, w2, b); err != nil {
		t.Fatal(err)
	}

	direct := func(w, b *mlx.Array) *mlx.Array {
		if b != nil {
			return mlx.Addmm(b, x, w.T(), 1, 1)
		}
		return mlx.Matmul(x, w.T())
	}
	type layer struct {
		name    string
		forward func(*mlx.Array) *mlx.Array
		set     func(w *mlx.Array)
		bias    *mlx.Array
	}
	lin := &nn.Linear{}
	linB := &nn.Linear{Bias: b}
	emb := &nn.Embedding{}
	for _, l := range []layer{
		{"Linear", lin.Forward, func(w *mlx.Array) { lin.Weight = w }, nil},
		{"Linear with bias", linB.Forward, func(w *mlx.Array) { linB.Weight = w }, b},
		{"Embedding.AsLinear", emb.AsLinear, func(w *mlx.Array) { emb.Weight = w }, nil},
	} {
		t.Run(l.name, func(t *testing.T) {
			l.set(w1)
			step := mlx.NewScope()
			first := l.forward(x)
			if n := transposes(t, first); n != 0 {
				t.Errorf("first call: %d Transpose nodes, want 0 (the view is made and evaluated here)", n)
			}
			sameBits(t, "first call", first, direct(w1, l.bias))
			step.Close() // the caller's step scope frees what the call made, not the view

			s := mlx.NewScope()
			defer s.Close()
			second := l.forward(x)
			if n := transposes(t, second); n != 0 {
				t.Errorf("second call: %d Transpose nodes, want 0", n)
			}
			sameBits(t, "second call", second, direct(w1, l.bias))

			l.set(w2)
			replaced := l.forward(x)
			sameBits(t, "after the Weight was replaced", replaced, direct(w2, l.bias))
			if n := transposes(t, l.forward(x)); n != 0 {
				t.Errorf("second call on the new weight: %d Transpose nodes, want 0", n)
			}

			lazy := mlx.Add(w1, w2) // not evaluated
			l.set(lazy)
			ys := []*mlx.Array{l.forward(x), l.forward(x)}
			for i, y := range ys {
				if n := transposes(t, y); n != 1 {
					t.Errorf("lazy weight, call %d: %d Transpose nodes, want 1", i, n)
				}
			}
			for _, y := range ys {
				sameBits(t, "lazy weight", y, direct(lazy, l.bias))
			}
		})
	}
}

// TestLinearWeightTFreedWeight checks that a freed weight still fails the
// op (the cached view must not outlive it silently).
func TestLinearWeightTFreedWeight(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	x := evaluated(t, 1, 2, 8)
	l := &nn.Linear{Weight: evaluated(t, 2, 4, 8)}
	if err := mlx.Eval(l.Forward(x)); err != nil {
		t.Fatal(err)
	}
	l.Weight.Free()
	if err := l.Forward(x).Err(); err == nil || !strings.Contains(err.Error(), "after Free") {
		t.Errorf("Forward with a freed weight: err = %v, want use after Free", err)
	}
}

// TestLinearWeightTConcurrent calls Forward on one fresh Linear from many
// goroutines at once (as the server does; run with -race): every result is
// bit-identical to x @ W.T, whichever goroutine's view won.
func TestLinearWeightTConcurrent(t *testing.T) {
	x := evaluated(t, 1, 2, 32)
	w := evaluated(t, 2, 8, 32)
	want, err := mlx.Matmul(x, w.T()).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	l := &nn.Linear{Weight: w}
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan string, workers*4)
	for range workers {
		wg.Go(func() {
			bd, err := mlx.Bind()
			if err != nil {
				errs <- err.Error()
				return
			}
			defer bd.Release()
			for range 4 {
				s := mlx.NewScope()
				got, err := l.Forward(x).Bytes()
				s.Close()
				if err != nil {
					errs <- err.Error()
				} else if !bytes.Equal(got, want) {
					errs <- "result differs from x @ W.T"
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestLinearWeightTInCompile checks that a Linear called inside a Compile
// trace (where WeightT neither evaluates nor caches) computes x @ W.T, and
// that a call after the trace still does.
func TestLinearWeightTInCompile(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	x := evaluated(t, 1, 2, 8)
	l := &nn.Linear{Weight: evaluated(t, 2, 4, 8)}
	f := mlx.Compile(func(a ...*mlx.Array) *mlx.Array { return l.Forward(a[0]) }, false)
	sameBits(t, "compiled", f(x), mlx.Matmul(x, l.Weight.T()))
	sameBits(t, "compiled, second call", f(x), mlx.Matmul(x, l.Weight.T()))
	sameBits(t, "after the trace", l.Forward(x), mlx.Matmul(x, l.Weight.T()))
}
