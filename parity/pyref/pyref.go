// Package pyref runs the Python reference — MLX and mlx-lm at the pinned
// versions, from the project's .venv — for tests that compare Go against it.
//
// A reference script receives an output directory, writes its results there
// (safetensors, JSON), and exits 0. Tests never skip when the venv is absent:
// they fail and say how to create it, because a parity test that silently
// does not run proves nothing.
package pyref

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// RepoRoot finds the directory holding go.mod, walking up from the working
// directory (go test runs in the package directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Python returns the venv's interpreter.
func Python() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	py := filepath.Join(root, ".venv", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		return "", fmt.Errorf("the Python reference is not installed (%s missing): run `make setup`", py)
	}
	return py, nil
}

// Run runs script (a path relative to the test's package directory) with
// args under the venv's Python and returns its stdout. The test fails,
// with the script's stderr, if the script fails.
func Run(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	py, err := Python()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{script}, args...)...)
	// A fixed hash seed keeps set/dict iteration in the scripts reproducible;
	// no bytecode keeps __pycache__ out of the source tree.
	cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("python %s %v: %v\n%s", script, args, err, stderr.String())
	}
	t.Logf("python reference %s ran in %.1fs", script, time.Since(start).Seconds())
	return stdout.Bytes()
}
