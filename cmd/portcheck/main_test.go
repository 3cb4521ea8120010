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

// TestCLIDrift: a temp repository pinned at the 0.30.4 fixture (HF2GO_VENV
// points at it) whose lock derives a ported file from cache.py; pinned →
// 0.32.2 fixture is drift (exit 1) with a GitHub warning on that file;
// verify passes until the header or the lock is edited by hand.
func TestCLIDrift(t *testing.T) {
	root := repo(t)
	fixture := filepath.Join(root, "portcheck", "testdata", "mlx_lm-0.32.2")
	venv030 := filepath.Join(root, "portcheck", "testdata", "venv-0.30.4")
	t.Setenv("HF2GO_VENV", venv030)
	src, err := upstream.Venv(root)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	lock, err := upstream.NewLock(src.WithCommit("02228601cd125282125fffa93d36c912acba1c41"), upstream.Revision{Version: "0.30.4", Commit: "02228601cd125282125fffa93d36c912acba1c41"},
		map[string][]string{"mlx_lm/models/cache.py": {"ported/cache/cache.go"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := lock.WriteFile(filepath.Join(tmp, upstream.LockFileName)); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(tmp, "ported", "cache"), 0o755)
	// The header in the form hf2go wrote up to 0.30.4: commit and version.
	os.WriteFile(filepath.Join(tmp, "ported", "cache", "cache.go"), []byte("// Ported from mlx_lm/models/cache.py\n// Upstream: mlx-lm "+
		lock.Upstream.Commit+" (v0.30.4)\n// Blob: "+lock.Files["mlx_lm/models/cache.py"].Blob+"\npackage cache\n"), 0o644)

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
	good, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(good, []byte("// Blob: "), []byte("// Blob: 0"), 1), 0o644)
	out, code, _ = run(t, "--repo", tmp, "verify", "--no-generate-check")
	if code != 1 || !strings.Contains(out, "ported/cache/cache.go: line 3") {
		t.Errorf("verify after header edit: code %d\n%s", code, out)
	}
	os.WriteFile(p, good, 0o644)
	// ... and once the lock is: a blob (the venv no longer matches), the
	// version (unparseable: the lock is checked before anything runs), a
	// comment added.
	lp := filepath.Join(tmp, upstream.LockFileName)
	lockBytes, _ := os.ReadFile(lp)
	for _, tc := range []struct {
		name, old, new, want string
		code                 int
	}{
		{"blob", lock.Files["mlx_lm/models/llama.py"].Blob, strings.Repeat("7", 40), "mlx_lm/models/llama.py: blob " + lock.Files["mlx_lm/models/llama.py"].Blob + " does not match upstream.lock (" + strings.Repeat("7", 40) + ")", 1},
		{"version", "version: 0.30.4", "version: 0.30.5", "mlx-lm 0.30.4, upstream.lock pins 0.30.5", 1},
		{"commit", "commit: 0222", "commit: 1222", "header names mlx-lm 0.30.4 (02228601cd125282125fffa93d36c912acba1c41) for mlx_lm/models/cache.py, upstream.lock pins 0.30.4 (12228601", 1},
		{"garbled commit", "commit: 0222", "commit: x222", "is not a 40-hex commit id", 2},
		{"comment", "files:\n", "files: # edited\n", "upstream.lock is not in the form portcheck writes", 1},
	} {
		os.WriteFile(lp, bytes.Replace(lockBytes, []byte(tc.old), []byte(tc.new), 1), 0o644)
		out, code, err := run(t, "--repo", tmp, "verify", "--no-generate-check")
		msg := out
		if err != nil {
			msg += err.Error()
		}
		if code != tc.code || !strings.Contains(msg, tc.want) {
			t.Errorf("lock %s hand-edited: code %d, want %d and %q in\n%s", tc.name, code, tc.code, tc.want, msg)
		}
	}
	os.WriteFile(lp, lockBytes, 0o644)
	if out, code, _ := run(t, "--repo", tmp, "verify", "--no-generate-check"); code != 0 {
		t.Errorf("verify after restoring: code %d\n%s", code, out)
	}
}

// TestCLILockKeepsRelease: `portcheck lock` rewrites the lock of the pinned
// release from the venv and the headers, keeping what the venv cannot know
// (the wheel's name and sha256, an empty commit), and refuses when the venv
// holds another release.
func TestCLILockKeepsRelease(t *testing.T) {
	root := repo(t)
	t.Setenv("HF2GO_VENV", filepath.Join(root, "portcheck", "testdata", "venv-0.30.4"))
	src, err := upstream.Venv(root)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	lock, err := upstream.NewLock(src, upstream.Revision{Version: "0.30.4"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lock.Upstream.Wheel, lock.Upstream.SHA256 = "mlx_lm-0.30.4-py3-none-any.whl", "b5a7f1a545fdcde63666edc13815f3eecfd7492fd065d31484c30f61b4e1cf83"
	lp := filepath.Join(tmp, upstream.LockFileName)
	if err := lock.WriteFile(lp); err != nil {
		t.Fatal(err)
	}
	// A header the lock does not list yet: lock adds it to derived.
	os.MkdirAll(filepath.Join(tmp, "ported", "rope"), 0o755)
	os.WriteFile(filepath.Join(tmp, "ported", "rope", "rope.go"), []byte(upstream.PortedHeader(upstream.Origin{
		Path: "mlx_lm/models/rope_utils.py", Version: "0.30.4", Blob: lock.Files["mlx_lm/models/rope_utils.py"].Blob})+"\npackage rope\n"), 0o644)
	if out, code, err := run(t, "--repo", tmp, "lock"); code != 0 {
		t.Fatalf("lock: code %d, %v\n%s", code, err, out)
	}
	got, err := upstream.ReadLock(lp)
	if err != nil {
		t.Fatal(err)
	}
	if got.Upstream != lock.Upstream {
		t.Errorf("lock changed the release: %+v, was %+v", got.Upstream, lock.Upstream)
	}
	if d := got.Files["mlx_lm/models/rope_utils.py"].Derived; len(d) != 1 || d[0] != "ported/rope/rope.go" {
		t.Errorf("derived not taken from the headers: %v", d)
	}
	if out, code, _ := run(t, "--repo", tmp, "verify", "--no-generate-check"); code != 0 {
		t.Errorf("verify after lock: code %d\n%s", code, out)
	}
	// The venv at another release: lock refuses (bump moves releases).
	got.Upstream.Version, got.Upstream.Wheel = "0.30.5", "mlx_lm-0.30.5-py3-none-any.whl"
	if err := got.WriteFile(lp); err != nil {
		t.Fatal(err)
	}
	if _, code, err := run(t, "--repo", tmp, "lock"); code != 2 || err == nil || !strings.Contains(err.Error(), "use `portcheck bump`") {
		t.Errorf("lock with the venv at another release: code %d, %v", code, err)
	}
}
