// Package paritytest runs mlx-lm (Python, from the repository's .venv) to
// produce reference outputs and compares Go results against them. It is the
// one test harness shared by the tests of ported/, lm/ and cmd/mlxlm.
package paritytest

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// Python is the venv interpreter. A missing venv fails the test: parity is
// the point of these tests, so skipping would hide that nothing was checked.
func Python(t testing.TB) string {
	t.Helper()
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// Generate runs testdata/<script> (relative to the test's package directory)
// with a fresh output directory as its first argument and returns that
// directory. One run per package computes every case, since each Python
// start-up with mlx-lm imported costs about a second.
func Generate(t testing.TB, script string, extraArgs ...string) string {
	t.Helper()
	return GenerateIn(t, script, t.TempDir(), extraArgs...)
}

// GenerateIn is Generate writing into an existing directory (for a second
// run of a script that reads what the Go side wrote there).
func GenerateIn(t testing.TB, script, out string, extraArgs ...string) string {
	t.Helper()
	pyref.Run(t, filepath.Join("testdata", script), append([]string{out}, extraArgs...)...)
	return out
}

// Load reads a safetensors file written by the Python side.
func Load(t testing.TB, path string) *mlx.Tensors {
	t.Helper()
	// Evaluate everything at once: a broken reference file fails here, with
	// its name, rather than inside some comparison.
	ts, err := mlx.LoadSafetensors(path)
	if err == nil {
		all := make([]*mlx.Array, 0, len(ts.Arrays))
		for _, n := range ts.Names() {
			all = append(all, ts.Arrays[n])
		}
		err = mlx.Eval(all...)
	}
	if err != nil {
		t.Fatalf("paritytest: load %s: %v", path, err)
	}
	t.Cleanup(ts.Free)
	return ts
}

// Diff is the result of comparing two arrays.
type Diff struct {
	MaxAbs float64 // max |got - want| over all elements
}

// Compare checks shapes and dtypes and returns the largest absolute
// difference. Integer and boolean arrays are compared exactly (MaxAbs is then
// the largest integer difference).
func Compare(got, want *mlx.Array) (Diff, error) {
	if err := got.Err(); err != nil {
		return Diff{}, fmt.Errorf("got: %w", err)
	}
	if err := want.Err(); err != nil {
		return Diff{}, fmt.Errorf("want: %w", err)
	}
	gs, ws := got.Shape(), want.Shape()
	if fmt.Sprint(gs) != fmt.Sprint(ws) {
		return Diff{}, fmt.Errorf("shape %v, want %v", gs, ws)
	}
	if got.Dtype() != want.Dtype() {
		return Diff{}, fmt.Errorf("dtype %s, want %s", got.Dtype(), want.Dtype())
	}
	g, err := AsFloat64s(got)
	if err != nil {
		return Diff{}, err
	}
	w, err := AsFloat64s(want)
	if err != nil {
		return Diff{}, err
	}
	var d Diff
	for i := range g {
		if math.IsNaN(g[i]) != math.IsNaN(w[i]) {
			return Diff{}, fmt.Errorf("element %d: NaN mismatch (%v vs %v)", i, g[i], w[i])
		}
		if math.IsInf(g[i], 0) || math.IsInf(w[i], 0) {
			if g[i] != w[i] {
				return Diff{}, fmt.Errorf("element %d: %v, want %v", i, g[i], w[i])
			}
			continue
		}
		if a := math.Abs(g[i] - w[i]); a > d.MaxAbs {
			d.MaxAbs = a
		}
	}
	return d, nil
}

// Checker accumulates comparisons for one test and reports their count and
// the largest difference seen, so a test log says what was compared.
type Checker struct {
	T      testing.TB
	Tol    float64
	Count  int
	MaxAbs float64
}

// Close compares got with want and fails the test when they differ by more
// than the tolerance (exactly, for integer and boolean arrays).
func (c *Checker) Close(name string, got, want *mlx.Array) {
	c.T.Helper()
	if want == nil {
		c.T.Errorf("%s: no reference array", name)
		return
	}
	d, err := Compare(got, want)
	if err != nil {
		c.T.Errorf("%s: %v", name, err)
		return
	}
	c.Count++
	tol := c.Tol
	if !want.Dtype().IsFloating() {
		tol = 0
	}
	if d.MaxAbs > tol {
		c.T.Errorf("%s: max |Δ| = %g > %g", name, d.MaxAbs, tol)
	}
	if want.Dtype().IsFloating() && d.MaxAbs > c.MaxAbs {
		c.MaxAbs = d.MaxAbs
	}
}

// Report logs what was compared; it fails the test if nothing was, since a
// parity test that compared nothing proves nothing.
func (c *Checker) Report(minCount int) {
	c.T.Helper()
	if c.Count < minCount {
		c.T.Errorf("only %d comparisons made, want at least %d", c.Count, minCount)
	}
	c.T.Logf("parity: %d arrays compared, max |Δ| = %g (tolerance %g)", c.Count, c.MaxAbs, c.Tol)
}

// Get returns a tensor by name or fails the test.
func Get(t testing.TB, ts *mlx.Tensors, name string) *mlx.Array {
	t.Helper()
	a, ok := ts.Arrays[name]
	if !ok {
		t.Fatalf("paritytest: reference file has no tensor %q", name)
	}
	return a
}

// MaxAbsDiff compares shapes and returns max |a-b| in float64 after casting
// both to float32, so arrays of different dtypes can be compared (inf and nan
// must agree exactly: a position where one side is inf and the other is not
// counts as an infinite difference). Compare is the stricter form that also
// requires equal dtypes.
func MaxAbsDiff(a, b *mlx.Array) (float64, error) {
	if err := mlx.Eval(a, b); err != nil {
		return 0, err
	}
	sa, sb := a.Shape(), b.Shape()
	if fmt.Sprint(sa) != fmt.Sprint(sb) {
		return 0, fmt.Errorf("shapes differ: %v vs %v", sa, sb)
	}
	fa := mlx.Astype(a, mlx.Float32)
	fb := mlx.Astype(b, mlx.Float32)
	defer fa.Free()
	defer fb.Free()
	xa, err := mlx.ToSlice[float32](fa)
	if err != nil {
		return 0, err
	}
	xb, err := mlx.ToSlice[float32](fb)
	if err != nil {
		return 0, err
	}
	worst := 0.0
	for i := range xa {
		x, y := float64(xa[i]), float64(xb[i])
		switch {
		case x == y, math.IsNaN(x) && math.IsNaN(y):
			continue
		case math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsNaN(x) || math.IsNaN(y):
			return math.Inf(1), nil
		}
		worst = max(worst, math.Abs(x-y))
	}
	return worst, nil
}

// Ints reads an integer array as []int.
func Ints(t testing.TB, a *mlx.Array) []int {
	t.Helper()
	b := mlx.Astype(a, mlx.Int64)
	defer b.Free()
	v, err := mlx.ToSlice[int64](b)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
