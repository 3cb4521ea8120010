// Package lmtest is shared by the tests of lm/ and cmd/mlxlm: it finds the
// repository, runs the pinned Python (mlx-lm 0.30.4 in .venv) to produce
// reference outputs, and compares arrays.
package lmtest

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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

// Python is the venv interpreter. A missing venv fails the test: the
// comparison with mlx-lm is the point, so skipping would hide that nothing
// was checked.
func Python(t testing.TB) string {
	t.Helper()
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// RunPython runs a script with args, failing the test with its output on error.
func RunPython(t testing.TB, script string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Python(t), append([]string{script}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("testutil: %s failed: %v\n%s", script, err, out.String())
	}
	t.Logf("testutil: %s took %v", filepath.Base(script), time.Since(start).Round(time.Millisecond))
	return out.String()
}

// Load reads a safetensors file and evaluates every array.
func Load(t testing.TB, path string) *mlx.Tensors {
	t.Helper()
	ts, err := mlx.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	all := make([]*mlx.Array, 0, len(ts.Arrays))
	for _, a := range ts.Arrays {
		all = append(all, a)
	}
	if err := mlx.Eval(all...); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ts
}

// MaxAbsDiff compares shapes and returns max |a-b| in float64 (inf and nan
// must agree exactly: a position where one side is inf and the other is not
// counts as an infinite difference).
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
