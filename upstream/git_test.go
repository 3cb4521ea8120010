package upstream

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestGitSource builds a two-commit repository and reads both commits: file
// contents, listings, versions and blob hashes must equal what git stores.
func TestGitSource(t *testing.T) {
	r := newGitRepo(t)
	c1 := r.commit("one", map[string]string{
		"mlx_lm/_version.py":       `__version__ = "0.1.0"` + "\n",
		"mlx_lm/models/llama.py":   "class Model:\n    pass\n",
		"mlx_lm/models/cache.py":   "x = 1\n",
		"mlx_lm/models/sub/x.py":   "nested\n",
		"mlx_lm/utils.py":          "u\n",
		"mlx_lm/models/README.txt": "no\n",
	})
	c2 := r.commit("two", map[string]string{
		"mlx_lm/_version.py":      `__version__ = "0.2.0"` + "\n",
		"mlx_lm/models/cache.py":  "x = 2\n",
		"mlx_lm/models/llama.py!": "",
	})
	// The working tree is dirty and must not matter.
	os.WriteFile(filepath.Join(r.dir, "mlx_lm/models/cache.py"), []byte("dirty\n"), 0o644)

	ctx := context.Background()
	g1, err := NewGit(ctx, r.dir, c1)
	if err != nil {
		t.Fatal(err)
	}
	if got := g1.Revision(); got.Commit != c1 || got.Version != "0.1.0" {
		t.Errorf("revision = %+v", got)
	}
	files, err := TrackedFiles(g1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"mlx_lm/models/cache.py", "mlx_lm/models/llama.py", "mlx_lm/utils.py"}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("tracked at c1 = %v, want %v", files, want)
	}
	for _, p := range files {
		b, err := g1.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := BlobHash(b), r.run("rev-parse", c1+":"+p); got != want {
			t.Errorf("%s: BlobHash %s != git's %s", p, got, want)
		}
	}

	g2, err := NewGit(ctx, r.dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if g2.Revision().Commit != c2 || g2.Revision().Version != "0.2.0" {
		t.Errorf("main = %+v, want %s", g2.Revision(), c2)
	}
	if b, _ := g2.ReadFile("mlx_lm/models/cache.py"); string(b) != "x = 2\n" {
		t.Errorf("cache.py at main = %q", b)
	}
	if _, err := g2.ReadFile("mlx_lm/models/llama.py"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("deleted file: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := g2.ReadFile("../x"); err == nil {
		t.Error("path with .. accepted")
	}
	if _, err := NewGit(ctx, r.dir, "--output=/tmp/x"); err == nil {
		t.Error("option-like revision accepted")
	}
	if _, err := NewGit(ctx, r.dir, "nosuchbranch"); err == nil {
		t.Error("unknown revision accepted")
	}
}

// TestDirSource reads an unpacked tree and refuses a symlink leading out of it.
func TestDirSource(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.py"), []byte("secret"), 0o644)
	os.MkdirAll(filepath.Join(dir, "mlx_lm/models"), 0o755)
	os.WriteFile(filepath.Join(dir, "mlx_lm/models/a.py"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(dir, "mlx_lm/_version.py"), []byte(`__version__ = '9.9'`), 0o644)
	if err := os.Symlink(filepath.Join(outside, "secret.py"), filepath.Join(dir, "mlx_lm/models/b.py")); err != nil {
		t.Skip(err)
	}
	for _, open := range []string{dir, filepath.Join(dir, "mlx_lm")} {
		d, err := NewDir(open, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Revision().Version != "9.9" {
			t.Errorf("version = %q", d.Revision().Version)
		}
		if b, err := d.ReadFile("mlx_lm/models/a.py"); err != nil || string(b) != "a" {
			t.Errorf("a.py = %q, %v", b, err)
		}
		if _, err := d.ReadFile("mlx_lm/models/b.py"); err == nil {
			t.Error("read through a symlink leading outside the tree")
		}
		l, _ := d.List("mlx_lm/models")
		if !reflect.DeepEqual(l, []string{"mlx_lm/models/a.py"}) {
			t.Errorf("List = %v (symlinks are not regular files)", l)
		}
	}
	if _, err := NewDir(outside, ""); err == nil {
		t.Error("a directory without mlx_lm/ accepted")
	}
}
