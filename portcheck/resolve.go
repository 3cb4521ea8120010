package portcheck

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/hf2go/hf2go/upstream"
)

// Env is what resolving a source spec needs. Zero values mean the defaults
// (pypi.org, github.com archives, os.UserCacheDir()).
type Env struct {
	RepoRoot   string
	Lock       *upstream.Lock
	CacheDir   string
	PyPIURL    string
	ArchiveURL string
	Client     *http.Client
}

// Resolve turns a --to / --from spec into a Source:
//
//	latest              newest mlx-lm release on PyPI
//	0.31.2              that release's wheel from PyPI
//	pinned              the venv (the pinned release installed by make setup)
//	<40-hex commit>     the GitHub archive of that commit
//	/path/repo@<rev>    a git repository at a commit, tag or branch
//	/path/x.whl         a wheel file
//	/path/dir           an unpacked tree (containing mlx_lm/), read from disk
func Resolve(ctx context.Context, spec string, env Env) (upstream.Source, error) {
	pypi := &upstream.PyPI{BaseURL: env.PyPIURL, CacheDir: env.CacheDir, Client: env.Client}
	switch {
	case spec == "":
		return nil, fmt.Errorf("empty source spec")
	case spec == "pinned":
		return Pinned(env)
	case spec == "latest":
		v, err := pypi.Latest(ctx)
		if err != nil {
			return nil, err
		}
		return pypi.Wheel(ctx, v)
	case upstream.IsVersion(spec):
		return pypi.Wheel(ctx, spec)
	case upstream.IsFullCommit(spec):
		a := &upstream.Archive{BaseURL: env.ArchiveURL, CacheDir: env.CacheDir, Client: env.Client, Lock: env.Lock}
		return a.Fetch(ctx, spec)
	}
	if i := strings.LastIndex(spec, "@"); i > 0 {
		dir, rev := spec[:i], spec[i+1:]
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return upstream.NewGit(ctx, dir, rev)
		}
	}
	st, err := os.Stat(spec)
	if err != nil {
		return nil, fmt.Errorf("%q is not latest, a version, a 40-hex commit, a dir@rev git checkout, a wheel or a directory", spec)
	}
	if !st.IsDir() && strings.HasSuffix(spec, ".whl") {
		return upstream.OpenWheel(spec)
	}
	if st.IsDir() {
		return upstream.NewDir(spec, "")
	}
	return nil, fmt.Errorf("%s: not a directory or .whl file", spec)
}

// Pinned is the source in use: the venv's mlx-lm, whose commit is taken from
// the lock when the versions agree.
func Pinned(env Env) (*upstream.Dir, error) {
	root := env.RepoRoot
	if root == "" {
		root = "."
	}
	d, err := upstream.Venv(root)
	if err != nil {
		return nil, err
	}
	if env.Lock != nil && d.Revision().Version == env.Lock.Upstream.Version {
		d = d.WithCommit(env.Lock.Upstream.Commit)
	}
	return d, nil
}

// LockPath is the lock of a repository root.
func LockPath(root string) string { return filepath.Join(root, upstream.LockFileName) }
