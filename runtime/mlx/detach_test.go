package mlx_test

import (
	"runtime"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestDetach checks that Detach takes an array out of every scope: it
// survives the Close of the scope it was made in and of the enclosing one,
// holds its memory while referenced and gives it back once unreachable (its
// cleanup), while the original handle reads as freed; and that arrays with
// nothing to detach come back as they are.
func TestDetach(t *testing.T) {
	const mib4 = 4 << 20
	base := activeAfterGC()
	grown := func(what string, want uint64) {
		t.Helper()
		if got := activeAfterGC() - base; got != want {
			t.Errorf("%s: %d bytes above baseline, want %d", what, got, want)
		}
	}

	outer := mlx.NewScope()
	inner := mlx.NewScope()
	a := big(t)
	d := mlx.Detach(a)
	if a.Valid() {
		t.Error("the original array is still usable after Detach")
	}
	inner.Close()
	outer.Close()
	if err := d.Err(); err != nil {
		t.Fatalf("detached array freed by its scopes' Close: %v", err)
	}
	if n := d.Size(); n != 1<<20 {
		t.Errorf("detached array has %d elements, want %d", n, 1<<20)
	}
	grown("detached, still referenced", mib4)
	runtime.KeepAlive(d)
	d = nil
	grown("detached, unreachable", 0)

	e := mlx.Errorf("test", "boom")
	if got := mlx.Detach(e); got != e {
		t.Error("Detach of an error array did not return it as it is")
	}
	f := big(t)
	f.Free()
	if got := mlx.Detach(f); got != f || got.Valid() {
		t.Error("Detach of a freed array did not return it, freed")
	}
}

// TestIsAvailableAndTracing checks the two questions nn.WeightT asks before
// caching a weight's view: a lazy array is not evaluated and an evaluated one
// is; Tracing is true inside a Compile trace only.
func TestIsAvailableAndTracing(t *testing.T) {
	s := mlx.NewScope()
	defer s.Close()
	z := mlx.Zeros(mlx.Float32, 4, 4)
	if z.IsAvailable() {
		t.Error("lazy zeros report evaluated")
	}
	if err := mlx.Eval(z); err != nil {
		t.Fatal(err)
	}
	if !z.IsAvailable() {
		t.Error("evaluated zeros report not evaluated")
	}
	if mlx.Errorf("test", "boom").IsAvailable() {
		t.Error("an error array reports evaluated")
	}
	if mlx.Tracing() {
		t.Error("Tracing outside any Compile")
	}
	var inTrace bool
	f := mlx.Compile(func(a ...*mlx.Array) *mlx.Array {
		inTrace = mlx.Tracing()
		return mlx.Add(a[0], a[0])
	}, false)
	if err := mlx.Eval(f(z)); err != nil {
		t.Fatal(err)
	}
	if !inTrace {
		t.Error("Tracing is false inside a Compile trace")
	}
	if mlx.Tracing() {
		t.Error("Tracing still true after the trace")
	}
}
