package upstream

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Dir is a Source over an unpacked mlx-lm tree on disk (a checkout's working
// tree, an unpacked archive, site-packages). Reads go through os.Root, so a
// symlink inside the tree cannot lead outside it.
type Dir struct {
	root string
	name string
	rev  Revision
}

// NewDir opens dir, which must contain mlx_lm/ (a repository root, an
// unpacked archive or a site-packages directory) or be the mlx_lm package
// directory itself. The version is read from mlx_lm/_version.py; commit is
// whatever the caller knows ("" if nothing).
func NewDir(dir, commit string) (*Dir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(filepath.Join(abs, "mlx_lm")); err != nil || !st.IsDir() {
		if filepath.Base(abs) == "mlx_lm" {
			abs = filepath.Dir(abs)
		} else {
			return nil, fmt.Errorf("%s: no mlx_lm/ directory: not an mlx-lm source tree", dir)
		}
	}
	d := &Dir{root: abs, name: "dir " + abs}
	d.rev = Revision{Version: readVersion(d.ReadFile), Commit: commit}
	return d, nil
}

func (d *Dir) Name() string       { return d.name }
func (d *Dir) Revision() Revision { return d.rev }

// Root is the directory holding mlx_lm/.
func (d *Dir) Root() string { return d.root }

func (d *Dir) ReadFile(p string) ([]byte, error) {
	p, err := CleanPath(p)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(d.root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := r.ReadFile(filepath.FromSlash(p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notExist(d.name, p)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	return b, nil
}

func (d *Dir) List(dir string) ([]string, error) {
	dir, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(d.root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ents, err := fs.ReadDir(r.FS(), dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.name, err)
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// Venv is the default source: the mlx-lm installed in the project's virtual
// environment (.venv/lib/python3.*/site-packages/mlx_lm, created by
// `make setup`).
//
// repoRoot is the hf2go checkout; the venv is searched at repoRoot/.venv,
// or at $HF2GO_VENV when set.
func Venv(repoRoot string) (*Dir, error) {
	venv := os.Getenv("HF2GO_VENV")
	if venv == "" {
		venv = filepath.Join(repoRoot, ".venv")
	}
	matches, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", "mlx_lm"))
	sort.Strings(matches)
	if len(matches) == 0 {
		return nil, fmt.Errorf("no mlx_lm in %s/lib/python3*/site-packages: run `make setup`", venv)
	}
	d, err := NewDir(matches[len(matches)-1], "")
	if err != nil {
		return nil, err
	}
	d.name = "venv " + strings.TrimPrefix(d.root, repoRoot+string(filepath.Separator))
	return d, nil
}

// WithCommit returns a copy of d claiming commit c (e.g. the venv release
// whose commit the lock records).
func (d *Dir) WithCommit(c string) *Dir {
	n := *d
	n.rev.Commit = c
	return &n
}
