// Package upstream reads mlx-lm's Python sources from wherever they are (the
// project venv, a git checkout, an unpacked directory, a GitHub archive of a
// commit, a PyPI wheel) behind one interface, and checks them against
// upstream.lock, the file that pins the revision hf2go is derived from.
//
// Paths are always slash-separated and relative to the repository root of
// mlx-lm, e.g. "mlx_lm/models/cache.py".
package upstream

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const (
	// RepoURL is the upstream repository hf2go follows.
	RepoURL = "https://github.com/ml-explore/mlx-lm"
	// Project is the PyPI project name of mlx-lm.
	Project = "mlx-lm"
	// versionFile holds __version__ in every mlx-lm revision.
	versionFile = "mlx_lm/_version.py"
)

// Revision identifies what a Source holds. Either field may be empty when the
// source cannot know it (a PyPI wheel carries no commit; a bare commit may not
// be a release).
type Revision struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
}

func (r Revision) String() string {
	switch {
	case r.Version != "" && r.Commit != "":
		return fmt.Sprintf("%s (%s)", r.Version, r.Commit)
	case r.Version != "":
		return r.Version
	case r.Commit != "":
		return r.Commit
	}
	return "unknown revision"
}

// Label is how provenance headers name a revision: the release version when
// known ("0.32.2"), else the commit; "" when neither is.
func (r Revision) Label() string {
	if r.Version != "" {
		return r.Version
	}
	return r.Commit
}

// Source is one revision of mlx-lm's source tree.
type Source interface {
	// Name says where the files come from, for messages.
	Name() string
	// Revision is the version and/or commit the files belong to.
	Revision() Revision
	// ReadFile returns the bytes of a file. A missing file is an error
	// wrapping fs.ErrNotExist.
	ReadFile(path string) ([]byte, error)
	// List returns the paths of the regular files directly inside dir
	// (not recursive), sorted. A missing dir gives an empty list.
	List(dir string) ([]string, error)
}

// BlobHash is the git blob SHA-1 of data: what `git hash-object` prints.
func BlobHash(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// CleanPath validates a source path: relative, slash-separated, no "..",
// no empty or "." elements.
func CleanPath(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("invalid upstream path %q", p)
	}
	c := path.Clean(p)
	if c != p || c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("invalid upstream path %q", p)
	}
	return c, nil
}

// TrackedTopLevel are the files directly in mlx_lm/ that upstream.lock
// tracks besides mlx_lm/models/*.py: the non-model modules whose logic Go
// code ports (lm/loader and lm/convert port utils.py and convert.py,
// lm/generate generate.py, lm/sample sample_utils.py, lm/tokenizer's
// streaming detokenizers tokenizer_utils.py, lm/server server.py).
var TrackedTopLevel = []string{
	"mlx_lm/convert.py",
	"mlx_lm/generate.py",
	"mlx_lm/sample_utils.py",
	"mlx_lm/server.py",
	"mlx_lm/tokenizer_utils.py",
	"mlx_lm/utils.py",
}

// TrackedDirs are the directories of mlx_lm whose .py files upstream.lock
// tracks (not their subdirectories): the model files, the tool-call
// parsers lm/toolcall ports (one Go file per parser), and the fused-kernel
// package model files import (`from ..kernels import ...`, which the
// translator loads like a sibling file: names/relimport.go).
var TrackedDirs = []string{"mlx_lm/models", "mlx_lm/tool_parsers", "mlx_lm/kernels"}

// IsTracked reports whether path is one of the files upstream.lock tracks:
// the .py files of TrackedDirs and TrackedTopLevel.
func IsTracked(p string) bool {
	for _, t := range TrackedTopLevel {
		if p == t {
			return true
		}
	}
	dir, file := path.Split(p)
	for _, d := range TrackedDirs {
		if dir == d+"/" && strings.HasSuffix(file, ".py") {
			return true
		}
	}
	return false
}

// TrackedFiles lists the files of src that upstream.lock tracks, sorted. A
// top-level file the source lacks (an old revision without it) is left out.
func TrackedFiles(src Source) ([]string, error) {
	models, err := src.List("mlx_lm/models")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name(), err)
	}
	var out []string
	for _, p := range models {
		if IsTracked(p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no mlx_lm/models/*.py files: not an mlx-lm source tree", src.Name())
	}
	for _, d := range TrackedDirs[1:] {
		// An older revision without the directory tracks none of it.
		files, err := src.List(d)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", src.Name(), err)
		}
		for _, p := range files {
			if IsTracked(p) {
				out = append(out, p)
			}
		}
	}
	for _, p := range TrackedTopLevel {
		if _, err := src.ReadFile(p); err == nil {
			out = append(out, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}

var versionRE = regexp.MustCompile(`(?m)^__version__\s*=\s*["']([^"']+)["']`)

// readVersion reads __version__ from mlx_lm/_version.py; "" when absent.
func readVersion(read func(string) ([]byte, error)) string {
	b, err := read(versionFile)
	if err != nil {
		return ""
	}
	m := versionRE.FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

var (
	fullCommitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
	versionLike  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?(\.post[0-9]+|\.dev[0-9]+)?$`)
)

// IsFullCommit reports whether s is a full 40-hex-digit lowercase commit id.
func IsFullCommit(s string) bool { return fullCommitRE.MatchString(s) }

// IsVersion reports whether s looks like a PyPI release version (e.g. 0.31.2).
func IsVersion(s string) bool { return versionLike.MatchString(s) && strings.Contains(s, ".") }

// CompareVersions orders dotted release versions numerically (0.30.10 > 0.30.9).
// Non-numeric suffixes compare as strings after the numeric parts.
func CompareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y string
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil:
			if nx != ny {
				if nx < ny {
					return -1
				}
				return 1
			}
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return 0
}

// notExist builds an error wrapping fs.ErrNotExist.
func notExist(src, p string) error {
	return fmt.Errorf("%s: %s: %w", src, p, fs.ErrNotExist)
}
