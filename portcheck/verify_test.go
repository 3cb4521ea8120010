package portcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/upstream"
)

// TestVerifyRealTree: the repository as committed verifies against the venv.
func TestVerifyRealTree(t *testing.T) {
	root := repoRoot(t)
	res, err := Verify(context.Background(), VerifyOptions{RepoRoot: root, Lock: realLock(t), Source: venv(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("verify failed on the real tree: %v", res.Problems())
	}
}

// tempTree is a temp copy of the repository's lock plus Go files with
// provenance headers derived from cache.py (ported) and llama.py (generated).
func tempTree(t *testing.T) (string, *upstream.Lock) {
	t.Helper()
	root := t.TempDir()
	lock := pinLock(t)
	cache, llama := lock.Files["mlx_lm/models/cache.py"], lock.Files["mlx_lm/models/llama.py"]
	c := lock.Upstream.Commit
	writeFile(t, root, "ported/cache/cache.go", "// Copyright hf2go authors.\n\n"+
		upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/cache.py", Commit: c, Version: "0.30.4", Blob: cache.Blob})+"\n\n// Package cache ports mlx-lm's caches.\npackage cache\n")
	writeFile(t, root, "ported/cache/cache_test.go", "package cache\n")
	writeFile(t, root, "generated/models/llama/llama.go",
		upstream.GeneratedHeader(upstream.Origin{Path: "mlx_lm/models/llama.py", Commit: c, Blob: llama.Blob})+"\n\npackage llama\n")
	cache.Derived = []string{"ported/cache/cache.go"}
	llama.Derived = []string{"generated/models/llama/llama.go"}
	if err := lock.WriteFile(filepath.Join(root, upstream.LockFileName)); err != nil {
		t.Fatal(err)
	}
	return root, lock
}

func verifyTemp(t *testing.T, root string, lock *upstream.Lock) *VerifyResult {
	t.Helper()
	res, err := Verify(context.Background(), VerifyOptions{RepoRoot: root, Lock: lock, Source: venv(t), GenerateCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestVerifyTempTree(t *testing.T) {
	root, lock := tempTree(t)
	res := verifyTemp(t, root, lock)
	if !res.OK() {
		t.Fatalf("clean temp tree fails: %v", res.Problems())
	}
	if s := res.Steps[len(res.Steps)-1]; s.Status != StepNotAvailable {
		t.Errorf("generate check without cmd/hf2go: %+v", s)
	}

	cases := []struct {
		name string
		edit func()
		want string
	}{
		{"blob hand-edited", func() {
			p := filepath.Join(root, "ported/cache/cache.go")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "// Blob: "+lock.Files["mlx_lm/models/cache.py"].Blob, "// Blob: "+strings.Repeat("0", 40), 1)), 0o644)
		}, "ported/cache/cache.go: header says mlx_lm/models/cache.py blob 0000000000000000000000000000000000000000, upstream.lock has " + lock.Files["mlx_lm/models/cache.py"].Blob},
		{"header garbled", func() {
			p := filepath.Join(root, "generated/models/llama/llama.go")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "(blob ", "(blob: ", 1)), 0o644)
		}, "generated/models/llama/llama.go: line 1: malformed generated-file header"},
		{"no header", func() {
			writeFile(t, root, "ported/rope/rope.go", "package rope\n")
		}, "ported/rope/rope.go: no provenance header"},
		{"untracked upstream file", func() {
			writeFile(t, root, "ported/rope/rope.go", upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/nope.py", Commit: lock.Upstream.Commit, Blob: strings.Repeat("1", 40)})+"\npackage rope\n")
		}, "ported/rope/rope.go: header names mlx_lm/models/nope.py, which upstream.lock does not track"},
		{"derived out of date", func() {
			writeFile(t, root, "ported/cache/rotating.go", upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/cache.py", Commit: lock.Upstream.Commit, Blob: lock.Files["mlx_lm/models/cache.py"].Blob})+"\npackage cache\n")
		}, "mlx_lm/models/cache.py: upstream.lock lists derived [ported/cache/cache.go], headers say [ported/cache/cache.go ported/cache/rotating.go]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, lock = tempTree(t)
			tc.edit()
			res := verifyTemp(t, root, lock)
			if res.OK() {
				t.Fatal("verify passed")
			}
			if got := strings.Join(res.Problems(), "\n"); !strings.Contains(got, tc.want) {
				t.Errorf("problems:\n%s\nwant one containing:\n%s", got, tc.want)
			}
		})
	}

	// The upstream source differing from the lock fails the source step.
	t.Run("source mismatch", func(t *testing.T) {
		root, lock := tempTree(t)
		lock.Files["mlx_lm/models/llama.py"].Blob = strings.Repeat("2", 40)
		res := verifyTemp(t, root, lock)
		if got := strings.Join(res.Problems(), "\n"); res.OK() || !strings.Contains(got, "mlx_lm/models/llama.py: blob ") || !strings.Contains(got, "does not match upstream.lock ("+strings.Repeat("2", 40)+")") {
			t.Errorf("problems: %v", res.Problems())
		}
	})
}

// TestBump moves a temp tree's lock to the 0.32.2 fixture: refused while
// cache.go names 0.30.4's cache.py blob, written with --force, and written
// without force when the only derived file's upstream did not change.
func TestBump(t *testing.T) {
	to, err := upstream.NewDir(fixture, "")
	if err != nil {
		t.Fatal(err)
	}
	newCommit := strings.Repeat("ab", 20)
	rev := upstream.Revision{Version: to.Revision().Version, Commit: newCommit}

	root, _ := tempTree(t)
	lockPath := filepath.Join(root, upstream.LockFileName)
	before, _ := os.ReadFile(lockPath)
	_, _, err = Bump(root, lockPath, to, rev, false)
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "ported/cache/cache.go: header says mlx_lm/models/cache.py blob") {
		t.Fatalf("bump with stale cache.go: err = %v", err)
	}
	if after, _ := os.ReadFile(lockPath); string(after) != string(before) {
		t.Fatal("refused bump changed the lock")
	}
	if _, _, err := Bump(root, lockPath, to, upstream.Revision{Version: "0.32.2"}, true); err == nil || !strings.Contains(err.Error(), "--commit") {
		t.Errorf("bump without a commit: %v", err)
	}
	l, probs, err := Bump(root, lockPath, to, rev, true)
	if err != nil || len(probs) == 0 {
		t.Fatalf("forced bump: %v (problems %v)", err, probs)
	}
	got, err := upstream.ReadLock(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	if got.Upstream.Commit != newCommit || got.Upstream.Version != "0.32.2" || len(got.Files) != len(l.Files) {
		t.Errorf("written lock %+v", got.Upstream)
	}
	if got.Files["mlx_lm/models/gptj.py"] == nil {
		t.Error("new file missing from bumped lock")
	}
	if d := got.Files["mlx_lm/models/cache.py"].Derived; len(d) != 1 || d[0] != "ported/cache/cache.go" {
		t.Errorf("derived not recomputed from headers: %v", d)
	}

	// gemma3_text.py did not change between the releases: a tree deriving
	// only from it bumps cleanly.
	root2 := t.TempDir()
	lock := pinLock(t)
	g := lock.Files["mlx_lm/models/gemma3_text.py"]
	writeFile(t, root2, "generated/models/gemma3_text/gemma3_text.go", upstream.GeneratedHeader(upstream.Origin{Path: "mlx_lm/models/gemma3_text.py", Commit: lock.Upstream.Commit, Blob: g.Blob})+"\npackage gemma3_text\n")
	lp2 := filepath.Join(root2, upstream.LockFileName)
	if _, probs, err := Bump(root2, lp2, to, rev, false); err != nil || len(probs) != 0 {
		t.Fatalf("clean bump: %v %v", err, probs)
	}
	ents, _ := os.ReadDir(root2)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}
