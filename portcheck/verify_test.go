package portcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
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
	v := lock.Upstream.Version
	writeFile(t, root, "ported/cache/cache.go", "// Copyright hf2go authors.\n\n"+
		upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/cache.py", Version: v, Blob: cache.Blob})+"\n\n// Package cache ports mlx-lm's caches.\npackage cache\n")
	writeFile(t, root, "ported/cache/cache_test.go", "package cache\n")
	writeFile(t, root, "generated/models/llama/llama.go",
		upstream.GeneratedHeader(upstream.Origin{Path: "mlx_lm/models/llama.py", Version: v, Blob: llama.Blob})+"\n\npackage llama\n")
	gen := lock.Files["mlx_lm/generate.py"]
	writeFile(t, root, "lm/generate/generate.go", upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/generate.py", Version: v, Blob: gen.Blob})+"\n\npackage generate\n")
	writeFile(t, root, "lm/tokenizer/bpe.go", "package tokenizer\n") // not a port: no header needed
	cache.Derived = []string{"ported/cache/cache.go"}
	llama.Derived = []string{"generated/models/llama/llama.go"}
	gen.Derived = []string{"lm/generate/generate.go"}
	if err := lock.WriteFile(filepath.Join(root, upstream.LockFileName)); err != nil {
		t.Fatal(err)
	}
	return root, lock
}

// reread parses the temp tree's lock again after a test edited the file.
func reread(t *testing.T, root string, lock **upstream.Lock) {
	t.Helper()
	l, err := upstream.ReadLock(filepath.Join(root, upstream.LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	*lock = l
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
			writeFile(t, root, "ported/rope/rope.go", upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/nope.py", Version: lock.Upstream.Version, Blob: strings.Repeat("1", 40)})+"\npackage rope\n")
		}, "ported/rope/rope.go: header names mlx_lm/models/nope.py, which upstream.lock does not track"},
		{"derived out of date", func() {
			writeFile(t, root, "ported/cache/rotating.go", upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/cache.py", Version: lock.Upstream.Version, Blob: lock.Files["mlx_lm/models/cache.py"].Blob})+"\npackage cache\n")
		}, "mlx_lm/models/cache.py: upstream.lock lists derived [ported/cache/cache.go], headers say [ported/cache/cache.go ported/cache/rotating.go]"},
		{"header version hand-edited", func() {
			p := filepath.Join(root, "ported/cache/cache.go")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "// Upstream: mlx-lm "+lock.Upstream.Version, "// Upstream: mlx-lm 0.31.0", 1)), 0o644)
		}, "ported/cache/cache.go: header names mlx-lm 0.31.0 for mlx_lm/models/cache.py, upstream.lock pins " + lock.Upstream.Version},
		{"generated header commit hand-edited", func() {
			p := filepath.Join(root, "generated/models/llama/llama.go")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "at mlx-lm "+lock.Upstream.Version, "at mlx-lm "+strings.Repeat("ab", 20), 1)), 0o644)
		}, "generated/models/llama/llama.go: header names mlx-lm " + strings.Repeat("ab", 20) + " for mlx_lm/models/llama.py"},
		{"lm port without header", func() {
			writeFile(t, root, "lm/generate/stream.go", "package generate\n")
		}, "lm/generate/stream.go: no provenance header"},
		{"lm header blob hand-edited", func() {
			p := filepath.Join(root, "lm/generate/generate.go")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "// Blob: "+lock.Files["mlx_lm/generate.py"].Blob, "// Blob: "+strings.Repeat("3", 40), 1)), 0o644)
		}, "lm/generate/generate.go: header says mlx_lm/generate.py blob " + strings.Repeat("3", 40)},
		{"lock blob hand-edited", func() {
			p := filepath.Join(root, upstream.LockFileName)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), lock.Files["mlx_lm/models/gemma.py"].Blob, strings.Repeat("4", 40), 1)), 0o644)
			reread(t, root, &lock)
		}, "mlx_lm/models/gemma.py: blob " + lock.Files["mlx_lm/models/gemma.py"].Blob + " does not match upstream.lock (" + strings.Repeat("4", 40) + ")"},
		{"lock version hand-edited", func() {
			p := filepath.Join(root, upstream.LockFileName)
			b, _ := os.ReadFile(p)
			// A careful edit: the wheel name follows, so the lock still parses.
			e := strings.Replace(string(b), "version: "+lock.Upstream.Version+"\n", "version: 9.9.9\n", 1)
			e = strings.Replace(e, "wheel: mlx_lm-"+lock.Upstream.Version+"-", "wheel: mlx_lm-9.9.9-", 1)
			os.WriteFile(p, []byte(e), 0o644)
			reread(t, root, &lock)
		}, "mlx-lm " + lock.Upstream.Version + ", upstream.lock pins 9.9.9"},
		{"lock reformatted by hand", func() {
			p := filepath.Join(root, upstream.LockFileName)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, []byte("# checked by hand\n")...), 0o644)
			reread(t, root, &lock)
		}, "upstream.lock is not in the form portcheck writes (edited by hand?)"},
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

// tree030 is a temp tree pinned at the 0.30.4 fixture (HF2GO_VENV points
// there) with ported/cache/cache.go and a generated gemma3_text file derived
// from it, as hf2go was before the move.
func tree030(t *testing.T) (string, *upstream.Lock) {
	t.Helper()
	root := t.TempDir()
	lock := lock030(t)
	cache, g := lock.Files["mlx_lm/models/cache.py"], lock.Files["mlx_lm/models/gemma3_text.py"]
	writeFile(t, root, "ported/cache/cache.go", "// Copyright.\n//\n"+upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/cache.py", Commit: commit030, Version: "0.30.4", Blob: cache.Blob})+"\n\npackage cache\n")
	writeFile(t, root, "generated/models/gemma3_text/gemma3text.go", upstream.GeneratedHeader(upstream.Origin{Path: "mlx_lm/models/gemma3_text.py", Commit: commit030, Blob: g.Blob})+"\n\npackage gemma3text\n")
	cache.Derived = []string{"ported/cache/cache.go"}
	g.Derived = []string{"generated/models/gemma3_text/gemma3text.go"}
	if err := lock.WriteFile(filepath.Join(root, upstream.LockFileName)); err != nil {
		t.Fatal(err)
	}
	return root, lock
}

// TestBump moves a temp tree's lock from the 0.30.4 fixture to the 0.32.2
// fixture: refused while cache.go names 0.30.4's cache.py blob, written with
// --force (gemma3_text's file, whose upstream did not change, restamped to
// 0.32.2 and cache.go left alone), and written without force once cache.go
// is re-ported. Without a commit, a release needs its wheel digest.
func TestBump(t *testing.T) {
	to, err := upstream.NewDir(fixture, "")
	if err != nil {
		t.Fatal(err)
	}
	rev := to.Revision() // a directory knows its version, not its commit

	root, _ := tree030(t)
	lockPath := filepath.Join(root, upstream.LockFileName)
	before, _ := os.ReadFile(lockPath)
	genFile := filepath.Join(root, "generated/models/gemma3_text/gemma3text.go")
	genBefore, _ := os.ReadFile(genFile)
	withCommit := upstream.Revision{Version: rev.Version, Commit: strings.Repeat("ab", 20)}
	_, err = Bump(root, lockPath, to, withCommit, false)
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "ported/cache/cache.go: header says mlx_lm/models/cache.py blob") {
		t.Fatalf("bump with stale cache.go: err = %v", err)
	}
	if strings.Contains(err.Error(), "gemma3text.go") {
		t.Errorf("refusal names the file bump restamps: %v", err)
	}
	if after, _ := os.ReadFile(lockPath); string(after) != string(before) {
		t.Fatal("refused bump changed the lock")
	}
	if after, _ := os.ReadFile(genFile); string(after) != string(genBefore) {
		t.Fatal("refused bump restamped a file")
	}
	// A directory is no wheel and the lock pins another release: nothing
	// identifies 0.32.2 without a commit.
	if _, err := Bump(root, lockPath, to, rev, true); err == nil || !strings.Contains(err.Error(), "--commit") {
		t.Errorf("bump without a commit or wheel: %v", err)
	}
	res, err := Bump(root, lockPath, to, withCommit, true)
	if err != nil || len(res.Problems) == 0 {
		t.Fatalf("forced bump: %v (problems %v)", err, res)
	}
	if !reflect.DeepEqual(res.Restamped, []string{"generated/models/gemma3_text/gemma3text.go"}) {
		t.Errorf("restamped %v", res.Restamped)
	}
	got, err := upstream.ReadLock(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	if got.Upstream.Commit != withCommit.Commit || got.Upstream.Version != "0.32.2" || len(got.Files) != len(res.Lock.Files) {
		t.Errorf("written lock %+v", got.Upstream)
	}
	if got.Files["mlx_lm/models/gptj.py"] == nil {
		t.Error("new file missing from bumped lock")
	}
	if d := got.Files["mlx_lm/models/cache.py"].Derived; len(d) != 1 || d[0] != "ported/cache/cache.go" {
		t.Errorf("derived not recomputed from headers: %v", d)
	}
	b, _ := os.ReadFile(genFile)
	if want := upstream.GeneratedHeader(upstream.Origin{Path: "mlx_lm/models/gemma3_text.py", Version: "0.32.2", Blob: got.Files["mlx_lm/models/gemma3_text.py"].Blob}) + "\n\npackage gemma3text\n"; string(b) != want {
		t.Errorf("restamped file:\n%s\nwant:\n%s", b, want)
	}
	if probs := HeaderProblems(scan(t, root), got); len(probs) != 1 || !strings.Contains(probs[0], "ported/cache/cache.go: header says") {
		t.Errorf("after the forced bump, verify would report %v; want only cache.go", probs)
	}

	// Re-port cache.go (its header names 0.32.2's blob): the bump goes
	// through without force.
	root2, _ := tree030(t)
	lp2 := filepath.Join(root2, upstream.LockFileName)
	cacheBlob := got.Files["mlx_lm/models/cache.py"].Blob
	writeFile(t, root2, "ported/cache/cache.go", upstream.PortedHeader(upstream.Origin{Path: "mlx_lm/models/cache.py", Version: "0.32.2", Blob: cacheBlob})+"\n\npackage cache\n")
	res, err = Bump(root2, lp2, to, withCommit, false)
	if err != nil || len(res.Problems) != 0 {
		t.Fatalf("clean bump: %v %v", err, res.Problems)
	}
	ents, _ := os.ReadDir(root2)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

// TestBumpWheelRelease: bumping to a wheel with no commit records the
// wheel's name and sha256 and leaves commit empty; a later
// `bump --to pinned --commit` only adds the commit, keeping the digest.
func TestBumpWheelRelease(t *testing.T) {
	whl := filepath.Join(t.TempDir(), "mlx_lm-0.32.2-py3-none-any.whl")
	writeWheel(t, whl, fixture)
	to, err := upstream.OpenWheel(whl)
	if err != nil {
		t.Fatal(err)
	}
	name, sum := WheelOf(to)
	if name != "mlx_lm-0.32.2-py3-none-any.whl" || len(sum) != 64 {
		t.Fatalf("WheelOf = %q %q", name, sum)
	}
	root, _ := tree030(t)
	lockPath := filepath.Join(root, upstream.LockFileName)
	writeFile(t, root, "ported/cache/cache.go", "")
	os.Remove(filepath.Join(root, "ported/cache/cache.go"))
	res, err := Bump(root, lockPath, to, to.Revision(), false)
	if err != nil {
		t.Fatalf("bump to a wheel: %v", err)
	}
	got, _ := upstream.ReadLock(lockPath)
	if got.Upstream.Commit != "" || got.Upstream.Wheel != name || got.Upstream.SHA256 != sum || got.Upstream.Version != "0.32.2" {
		t.Errorf("lock %+v", got.Upstream)
	}
	if len(res.Restamped) != 1 {
		t.Errorf("restamped %v", res.Restamped)
	}
	// The commit, once known, is added to the same release.
	dir, err := upstream.NewDir(fixture, "")
	if err != nil {
		t.Fatal(err)
	}
	c := strings.Repeat("cd", 20)
	if _, err := Bump(root, lockPath, dir, upstream.Revision{Version: "0.32.2", Commit: c}, false); err != nil {
		t.Fatal(err)
	}
	got2, _ := upstream.ReadLock(lockPath)
	if got2.Upstream.Commit != c || got2.Upstream.SHA256 != sum || got2.Upstream.Wheel != name {
		t.Errorf("after --commit: %+v", got2.Upstream)
	}
	// Headers name the version, so adding the commit changes no Go file.
	if probs := HeaderProblems(scan(t, root), got2); len(probs) != 0 {
		t.Errorf("headers after --commit: %v", probs)
	}
}

// TestVerifyWheelDigest: the lock's wheel sha256 is checked against the
// cached wheel (offline) or PyPI's published digest (--online); a
// hand-edited digest fails both ways.
func TestVerifyWheelDigest(t *testing.T) {
	root, lock := tempTree(t)
	cache := t.TempDir()
	whl := filepath.Join(cache, "pypi", lock.Upstream.Wheel)
	writeWheel(t, whl, fixture)
	w, err := upstream.OpenWheel(whl)
	if err != nil {
		t.Fatal(err)
	}
	_, sum := w.WheelFile()
	srv := fakePyPIJSON(t, lock.Upstream.Wheel, sum)
	pypi := &upstream.PyPI{BaseURL: srv.URL + "/pypi", CacheDir: cache}
	lock.Upstream.SHA256 = sum // the digest of the wheel this test built
	for _, online := range []bool{false, true} {
		res, err := Verify(context.Background(), VerifyOptions{RepoRoot: t.TempDir(), Lock: lock, Wheels: pypi, Online: online})
		if err != nil {
			t.Fatal(err)
		}
		if s := stepNamed(res, "release wheel sha256"); s.Status != StepOK {
			t.Errorf("online=%v: %+v", online, s)
		}
		bad := *lock
		bad.Upstream.SHA256 = strings.Repeat("0", 64)
		res, err = Verify(context.Background(), VerifyOptions{RepoRoot: t.TempDir(), Lock: &bad, Wheels: pypi, Online: online})
		if err != nil {
			t.Fatal(err)
		}
		if s := stepNamed(res, "release wheel sha256"); s.Status != StepFailed || !strings.Contains(strings.Join(s.Problems, " "), "upstream.lock has "+strings.Repeat("0", 64)) {
			t.Errorf("online=%v, hand-edited digest: %+v", online, s)
		}
	}
	// No cached wheel, offline: not available, and not a failure.
	res, _ := Verify(context.Background(), VerifyOptions{RepoRoot: root, Lock: lock, Wheels: &upstream.PyPI{CacheDir: t.TempDir()}})
	if s := stepNamed(res, "release wheel sha256"); s.Status != StepNotAvailable {
		t.Errorf("no cached wheel: %+v", s)
	}
}

func stepNamed(res *VerifyResult, name string) Step {
	for _, s := range res.Steps {
		if s.Name == name {
			return s
		}
	}
	return Step{}
}

func scan(t *testing.T, root string) []upstream.FileProvenance {
	t.Helper()
	files, err := upstream.ScanProvenance(root)
	if err != nil {
		t.Fatal(err)
	}
	return files
}
