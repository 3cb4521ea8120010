package portcheck

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hf2go/hf2go/upstream"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	r, err := upstream.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func venv(t *testing.T) *upstream.Dir {
	t.Helper()
	d, err := upstream.Venv(repoRoot(t))
	if err != nil {
		t.Fatalf("no venv: run `make setup` (the pinned mlx-lm is the reference these tests compare against): %v", err)
	}
	return d
}

func venvModels(t *testing.T) string {
	return filepath.Join(venv(t).Root(), "mlx_lm", "models")
}

func realLock(t *testing.T) *upstream.Lock {
	t.Helper()
	l, err := upstream.ReadLock(filepath.Join(repoRoot(t), upstream.LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// pinLock is the repository's lock with every derived list emptied, so
// tests do not depend on which ports exist yet.
func pinLock(t *testing.T) *upstream.Lock {
	t.Helper()
	l := realLock(t)
	for _, f := range l.Files {
		f.Derived = []string{}
	}
	return l
}

// subset restricts a source to the files another source has (plus the
// removed ones named), so a fixture holding a few files of a release can be
// compared with a full tree.
type subset struct {
	upstream.Source
	keep map[string]bool
}

func (s subset) List(dir string) ([]string, error) {
	all, err := s.Source.List(dir)
	var out []string
	for _, p := range all {
		if s.keep[p] {
			out = append(out, p)
		}
	}
	return out, err
}

func (s subset) ReadFile(p string) ([]byte, error) {
	if !s.keep[p] && p != "mlx_lm/_version.py" {
		return nil, os.ErrNotExist
	}
	return s.Source.ReadFile(p)
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
