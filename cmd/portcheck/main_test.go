package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/upstream"
)

// run executes the CLI in-process and returns stdout and the exit status
// main would use.
func run(t *testing.T, args ...string) (string, int, error) {
	t.Helper()
	cmd := newRoot()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	code := 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return out.String(), code, err
}

func repo(t *testing.T) string {
	r, err := upstream.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := upstream.Venv(r); err != nil {
		t.Fatalf("no venv: run `make setup`: %v", err)
	}
	return r
}

func TestCLIExitCodes(t *testing.T) {
	root := repo(t)
	fixture := filepath.Join(root, "portcheck", "testdata", "mlx_lm-0.32.2")

	// Same tree on both sides: nothing changed, exit 0.
	out, code, err := run(t, "--repo", root, "--from", fixture, "--to", fixture)
	if code != 0 || !strings.Contains(out, "9 unchanged") {
		t.Errorf("identical trees: code %d err %v\n%s", code, err, out)
	}
	// Bad flag / bad format / unknown source: exit 2 with one clear message.
	if _, code, err := run(t, "--repo", root, "--bogus"); code != 2 || err == nil {
		t.Errorf("bad flag: code %d", code)
	}
	if _, code, err := run(t, "--repo", root, "--format", "xml", "--to", fixture); code != 2 || !strings.Contains(err.Error(), "unknown --format") {
		t.Errorf("bad format: code %d, %v", code, err)
	}
	if _, code, err := run(t, "--repo", root, "--to", "/no/such/dir"); code != 2 || !strings.Contains(err.Error(), "is not latest, a version") {
		t.Errorf("bad source: code %d, %v", code, err)
	}
	// An unreachable PyPI is an error, not a crash.
	if _, code, err := run(t, "--repo", root, "--pypi-url", "http://127.0.0.1:1/pypi", "--cache-dir", t.TempDir(), "--to", "0.31.0"); code != 2 || err == nil {
		t.Errorf("unreachable PyPI: code %d, %v", code, err)
	}
}

// TestCLIDrift: a temp repository whose lock derives a ported file from
// cache.py; pinned (venv) → 0.32.2 fixture is drift (exit 1) with a GitHub
// warning on that file.
func TestCLIDrift(t *testing.T) {
	root := repo(t)
	fixture := filepath.Join(root, "portcheck", "testdata", "mlx_lm-0.32.2")
	tmp := t.TempDir()
	lock, err := upstream.ReadLock(filepath.Join(root, upstream.LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range lock.Files {
		f.Derived = []string{}
	}
	lock.Files["mlx_lm/models/cache.py"].Derived = []string{"ported/cache/cache.go"}
	if err := lock.WriteFile(filepath.Join(tmp, upstream.LockFileName)); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(tmp, "ported", "cache"), 0o755)
	os.WriteFile(filepath.Join(tmp, "ported", "cache", "cache.go"), []byte(upstream.PortedHeader(upstream.Origin{
		Path: "mlx_lm/models/cache.py", Commit: lock.Upstream.Commit, Version: lock.Upstream.Version, Blob: lock.Files["mlx_lm/models/cache.py"].Blob,
	})+"\npackage cache\n"), 0o644)
	t.Setenv("HF2GO_VENV", filepath.Join(root, ".venv"))

	out, code, err := run(t, "--repo", tmp, "--to", fixture, "--format", "github")
	if code != 1 {
		t.Fatalf("drift: code %d, err %v\n%s", code, err, out)
	}
	if !strings.Contains(out, "::warning file=ported/cache/cache.go,") {
		t.Errorf("no warning on cache.go:\n%s", out)
	}
	out, code, _ = run(t, "--repo", tmp, "verify", "--no-generate-check")
	if code != 0 {
		t.Errorf("verify of the temp repo: code %d\n%s", code, out)
	}
	// bump to the fixture is refused (cache.go names the old blob).
	out, code, err = run(t, "--repo", tmp, "bump", "--to", fixture, "--commit", strings.Repeat("ab", 20))
	if code != 1 || err == nil || !strings.Contains(err.Error(), "ported/cache/cache.go") {
		t.Errorf("bump: code %d, %v\n%s", code, err, out)
	}
	// verify fails once the header is hand-edited.
	p := filepath.Join(tmp, "ported", "cache", "cache.go")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("// Blob: "), []byte("// Blob: 0"), 1), 0o644)
	out, code, _ = run(t, "--repo", tmp, "verify", "--no-generate-check")
	if code != 1 || !strings.Contains(out, "ported/cache/cache.go: line 3") {
		t.Errorf("verify after edit: code %d\n%s", code, out)
	}
}
