package upstream

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// LockFileName is the name of the lock at the repository root.
const LockFileName = "upstream.lock"

// Lock is upstream.lock: the pinned upstream revision, the git blob hash of
// every tracked upstream file at that revision, and the Go files derived from
// each.
type Lock struct {
	Upstream LockUpstream         `yaml:"upstream"`
	Files    map[string]*LockFile `yaml:"files"`
}

// LockUpstream is the upstream: section.
//
// A release installed from PyPI is identified by its version and by the
// sha256 of its wheel as PyPI publishes it; the wheel carries no commit id,
// so Commit stays "" until `portcheck bump --commit <sha>` supplies one (no
// commit is ever invented). A pin on a bare commit (no release) has a Commit
// and may have no Version.
type LockUpstream struct {
	Repo    string `yaml:"repo"`
	Version string `yaml:"version"`
	Commit  string `yaml:"commit"`
	Wheel   string `yaml:"wheel,omitempty"`  // file name of the pure-Python wheel on PyPI
	SHA256  string `yaml:"sha256,omitempty"` // its sha256, as PyPI's JSON API publishes it
}

// LockFile is one entry of the files: section.
type LockFile struct {
	Blob    string   `yaml:"blob"`
	Derived []string `yaml:"derived"`
}

// Revision returns the pinned revision.
func (l *Lock) Revision() Revision {
	return Revision{Version: l.Upstream.Version, Commit: l.Upstream.Commit}
}

// Label is how provenance headers name the pinned revision: the release
// version when there is one ("0.32.2"), else the commit.
func (l *Lock) Label() string { return l.Revision().Label() }

// Paths returns the tracked paths, sorted.
func (l *Lock) Paths() []string {
	out := make([]string, 0, len(l.Files))
	for p := range l.Files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ReadLock parses an upstream.lock file.
func ReadLock(file string) (*Lock, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	l, err := ParseLock(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return l, nil
}

// ParseLock parses the bytes of an upstream.lock and validates them.
func ParseLock(b []byte) (*Lock, error) {
	var l Lock
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return &l, nil
}

// Validate checks the lock's invariants.
func (l *Lock) Validate() error {
	var errs []error
	if l.Upstream.Repo == "" {
		errs = append(errs, errors.New("upstream.repo is empty"))
	}
	u := l.Upstream
	if u.Commit != "" && !IsFullCommit(u.Commit) {
		errs = append(errs, fmt.Errorf("upstream.commit %q is not a 40-hex commit id", u.Commit))
	}
	if u.Version != "" && !IsVersion(u.Version) {
		errs = append(errs, fmt.Errorf("upstream.version %q is not a release version", u.Version))
	}
	if u.Commit == "" && u.Version == "" {
		errs = append(errs, errors.New("upstream: neither version nor commit is set"))
	}
	if u.SHA256 != "" && !sha256RE.MatchString(u.SHA256) {
		errs = append(errs, fmt.Errorf("upstream.sha256 %q is not 64 lowercase hex digits", u.SHA256))
	}
	if u.Wheel != "" && (!wheelNameRE.MatchString(u.Wheel) || (u.Version != "" && !strings.HasPrefix(u.Wheel, "mlx_lm-"+u.Version+"-"))) {
		errs = append(errs, fmt.Errorf("upstream.wheel %q is not an mlx_lm %s wheel file name", u.Wheel, u.Version))
	}
	if (u.Wheel == "") != (u.SHA256 == "") {
		errs = append(errs, errors.New("upstream: wheel and sha256 go together"))
	}
	if u.Commit == "" && u.SHA256 == "" {
		// Without a commit, the wheel digest is what identifies the release.
		errs = append(errs, errors.New("upstream: a release pinned without its commit needs wheel and sha256"))
	}
	if len(l.Files) == 0 {
		errs = append(errs, errors.New("files: is empty"))
	}
	for _, p := range l.Paths() {
		f := l.Files[p]
		if _, err := CleanPath(p); err != nil || !IsTracked(p) {
			errs = append(errs, fmt.Errorf("files: %q is not a tracked upstream path", p))
		}
		if f == nil || !IsFullCommit(f.Blob) {
			errs = append(errs, fmt.Errorf("files: %s: blob is not a 40-hex hash", p))
			continue
		}
		if !sort.StringsAreSorted(f.Derived) {
			errs = append(errs, fmt.Errorf("files: %s: derived is not sorted", p))
		}
	}
	return errors.Join(errs...)
}

// Marshal renders the lock in its canonical form: fixed key order, files
// sorted, derived as a flow sequence, the release tag as a comment.
func (l *Lock) Marshal() ([]byte, error) {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	key := func(k string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: k} }
	commit := str(l.Upstream.Commit)
	switch {
	case l.Upstream.Commit == "":
		commit.LineComment = "# not known here (PyPI wheels carry none); `portcheck bump --commit <sha>` sets it"
	case l.Upstream.Version != "":
		commit.LineComment = "# tag v" + l.Upstream.Version
	}
	up := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		key("repo"), str(l.Upstream.Repo),
		key("version"), str(l.Upstream.Version),
		key("commit"), commit,
	}}
	if l.Upstream.Wheel != "" {
		up.Content = append(up.Content, key("wheel"), str(l.Upstream.Wheel), key("sha256"), str(l.Upstream.SHA256))
	}
	files := &yaml.Node{Kind: yaml.MappingNode}
	for _, p := range l.Paths() {
		f := l.Files[p]
		der := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, d := range f.Derived {
			der.Content = append(der.Content, str(d))
		}
		files.Content = append(files.Content, key(p), &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			key("blob"), str(f.Blob),
			key("derived"), der,
		}})
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Content: []*yaml.Node{
		key("upstream"), up,
		key("files"), files,
	}}}}
	doc.HeadComment = "# upstream.lock: the mlx-lm revision hf2go is derived from. Written by `portcheck lock` / `portcheck bump`; do not edit by hand."
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile validates and writes the lock atomically (temp file + rename).
func (l *Lock) WriteFile(file string) error {
	if err := l.Validate(); err != nil {
		return err
	}
	b, err := l.Marshal()
	if err != nil {
		return err
	}
	return WriteFileAtomic(file, b, 0o644)
}

// WriteFileAtomic writes data to a temp file beside file, syncs it and renames
// it into place, so readers see either the old or the new content.
func WriteFileAtomic(file string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(file)
	f, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// NewLock builds a lock for every tracked file of src. derived maps upstream
// paths to the Go files derived from them (see ScanProvenance); entries for
// paths src lacks are ignored here (Verify reports them).
func NewLock(src Source, rev Revision, derived map[string][]string) (*Lock, error) {
	paths, err := TrackedFiles(src)
	if err != nil {
		return nil, err
	}
	l := &Lock{
		Upstream: LockUpstream{Repo: RepoURL, Commit: rev.Commit, Version: rev.Version},
		Files:    make(map[string]*LockFile, len(paths)),
	}
	for _, p := range paths {
		b, err := src.ReadFile(p)
		if err != nil {
			return nil, err
		}
		d := append([]string{}, derived[p]...)
		sort.Strings(d)
		l.Files[p] = &LockFile{Blob: BlobHash(b), Derived: d}
	}
	return l, nil
}

// BlobMismatchError says a file's content differs from what the lock pins.
type BlobMismatchError struct {
	Path string
	Got  string // blob hash of the bytes read
	Want string // blob hash in upstream.lock
}

func (e *BlobMismatchError) Error() string {
	return fmt.Sprintf("%s: blob %s does not match %s (%s)", e.Path, e.Got, LockFileName, e.Want)
}

// NotLockedError says a file is not listed in the lock at all.
type NotLockedError struct{ Path string }

func (e *NotLockedError) Error() string {
	return fmt.Sprintf("%s: not listed in %s", e.Path, LockFileName)
}

// Check compares data, read from path, with the lock.
func (l *Lock) Check(path string, data []byte) error {
	f, ok := l.Files[path]
	if !ok {
		return &NotLockedError{Path: path}
	}
	if got := BlobHash(data); got != f.Blob {
		return &BlobMismatchError{Path: path, Got: got, Want: f.Blob}
	}
	return nil
}

// SourceDiff is how a source differs from the lock.
type SourceDiff struct {
	Mismatched []*BlobMismatchError // in both, different content
	Missing    []string             // in the lock, not in the source
	Extra      []string             // tracked in the source, not in the lock
}

// OK reports whether the source matches the lock exactly.
func (d *SourceDiff) OK() bool {
	return len(d.Mismatched) == 0 && len(d.Missing) == 0 && len(d.Extra) == 0
}

// Err summarises the diff as one error, nil when OK.
func (d *SourceDiff) Err() error {
	var errs []error
	for _, m := range d.Mismatched {
		errs = append(errs, m)
	}
	for _, p := range d.Missing {
		errs = append(errs, fmt.Errorf("%s: in %s but missing from the source", p, LockFileName))
	}
	for _, p := range d.Extra {
		errs = append(errs, fmt.Errorf("%s: in the source but not in %s", p, LockFileName))
	}
	return errors.Join(errs...)
}

// CompareSource hashes every tracked file of src and compares with the lock.
func (l *Lock) CompareSource(src Source) (*SourceDiff, error) {
	paths, err := TrackedFiles(src)
	if err != nil {
		return nil, err
	}
	d := &SourceDiff{}
	seen := map[string]bool{}
	for _, p := range paths {
		seen[p] = true
		b, err := src.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if err := l.Check(p, b); err != nil {
			var bm *BlobMismatchError
			if errors.As(err, &bm) {
				d.Mismatched = append(d.Mismatched, bm)
			} else {
				d.Extra = append(d.Extra, p)
			}
		}
	}
	for _, p := range l.Paths() {
		if !seen[p] {
			d.Missing = append(d.Missing, p)
		}
	}
	return d, nil
}

// Mode says what a Checked source does when a file differs from the lock.
type Mode int

const (
	// Strict makes ReadFile fail with *BlobMismatchError.
	Strict Mode = iota
	// Report returns the bytes and records the mismatch (see Mismatches).
	Report
)

// Checked wraps a Source so that every tracked file read is checked against
// the lock. Files the lock does not list (e.g. _version.py) pass unchecked.
type Checked struct {
	Source
	lock *Lock
	mode Mode

	mu         sync.Mutex
	mismatches []*BlobMismatchError
}

// NewChecked wraps src.
func NewChecked(src Source, lock *Lock, mode Mode) *Checked {
	return &Checked{Source: src, lock: lock, mode: mode}
}

// ReadFile reads p and checks it against the lock.
func (c *Checked) ReadFile(p string) ([]byte, error) {
	b, err := c.Source.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var bm *BlobMismatchError
	if err := c.lock.Check(p, b); errors.As(err, &bm) {
		if c.mode == Strict {
			return nil, fmt.Errorf("%s: %w", c.Source.Name(), err)
		}
		c.mu.Lock()
		c.mismatches = append(c.mismatches, bm)
		c.mu.Unlock()
	}
	return b, nil
}

// Mismatches returns the mismatches recorded in Report mode.
func (c *Checked) Mismatches() []*BlobMismatchError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*BlobMismatchError(nil), c.mismatches...)
}

// FindRepoRoot walks up from dir to the directory holding upstream.lock or go.mod.
func FindRepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		for _, marker := range []string{LockFileName, "go.mod"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return d, nil
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no %s or go.mod above %s", LockFileName, dir)
		}
		d = parent
	}
}
