package portcheck

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hf2go/hf2go/upstream"
)

// wheelFiler is a source that is one wheel file (a PyPI release or a local
// .whl): its name and sha256 identify the release in upstream.lock.
type wheelFiler interface {
	WheelFile() (name, sha256 string)
}

// WheelOf returns the wheel file name and sha256 of src, or "" when src is
// not a wheel.
func WheelOf(src upstream.Source) (name, sha256 string) {
	if w, ok := src.(wheelFiler); ok {
		return w.WheelFile()
	}
	return "", ""
}

// BuildLock computes the lock for src at rev, with derived lists from the
// provenance headers under repoRoot. wheel and sha256 (both or neither)
// identify a release; without them rev needs a commit, since a lock must name
// its revision by something that can be checked.
func BuildLock(repoRoot string, src upstream.Source, rev upstream.Revision, wheel, sha256 string) (*upstream.Lock, []upstream.FileProvenance, error) {
	if rev.Commit != "" && !upstream.IsFullCommit(rev.Commit) {
		return nil, nil, fmt.Errorf("%q is not a 40-hex commit id", rev.Commit)
	}
	if rev.Commit == "" && (wheel == "" || rev.Version == "") {
		return nil, nil, fmt.Errorf("%s: neither a commit nor a release wheel identifies this revision; pass --commit <40-hex commit> or bump to a PyPI release", src.Name())
	}
	files, err := upstream.ScanProvenance(repoRoot)
	if err != nil {
		return nil, nil, err
	}
	l, err := upstream.NewLock(src, rev, upstream.DerivedFrom(files))
	if err != nil {
		return nil, nil, err
	}
	l.Upstream.Wheel, l.Upstream.SHA256 = wheel, sha256
	if err := l.Validate(); err != nil {
		return nil, nil, err
	}
	return l, files, nil
}

// RefusedError is returned by Bump when the new lock would fail verify.
type RefusedError struct{ Problems []string }

func (e *RefusedError) Error() string {
	return "refusing to write " + upstream.LockFileName + " (verify would fail; --force overrides):\n  " + strings.Join(e.Problems, "\n  ")
}

// BumpResult is what Bump did.
type BumpResult struct {
	Lock *upstream.Lock
	// Problems are what verify would report after the bump (files whose
	// upstream changed and that must be re-ported or regenerated). Non-empty
	// only when forced.
	Problems []string
	// Restamped are the Go files whose headers Bump rewrote to name the new
	// revision: every upstream file they derive from has the same blob in
	// both revisions, so nothing in them needs redoing.
	Restamped []string
}

// Bump builds the lock for candidate and writes it to lockPath atomically,
// unless the provenance headers would not verify against it (then
// *RefusedError) and force is false. Go files whose upstream blobs did not
// change are restamped (their headers name the new revision); files whose
// upstream changed are listed as problems and left alone.
func Bump(repoRoot, lockPath string, candidate upstream.Source, rev upstream.Revision, force bool) (*BumpResult, error) {
	wheel, sum := WheelOf(candidate)
	if wheel == "" {
		// Not a wheel (the venv, an unpacked tree): the same release as the
		// current lock keeps the lock's wheel digest (e.g. `bump --to pinned
		// --commit <sha>` only adds the commit).
		if old, err := upstream.ReadLock(lockPath); err == nil && old.Upstream.Version != "" && old.Upstream.Version == rev.Version {
			wheel, sum = old.Upstream.Wheel, old.Upstream.SHA256
		}
	}
	l, files, err := BuildLock(repoRoot, candidate, rev, wheel, sum)
	if err != nil {
		return nil, err
	}
	var restamp []upstream.FileProvenance
	for _, f := range files {
		if f.Err == nil && blobsMatch(f.Provenance, l) && !revisionsMatch(f.Provenance, l) {
			restamp = append(restamp, f)
		}
	}
	probs := append(HeaderProblems(files, l), DerivedProblems(files, l)...)
	probs = withoutRestamped(probs, restamp)
	res := &BumpResult{Lock: l, Problems: probs}
	if len(probs) > 0 && !force {
		return res, &RefusedError{Problems: probs}
	}
	for _, f := range restamp {
		p := filepath.Join(repoRoot, filepath.FromSlash(f.File))
		b, err := os.ReadFile(p)
		if err != nil {
			return res, err
		}
		nb, err := upstream.RestampProvenance(b, l.Label())
		if err != nil {
			return res, fmt.Errorf("%s: %w", f.File, err)
		}
		if bytes.Equal(nb, b) {
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return res, err
		}
		if err := upstream.WriteFileAtomic(p, nb, st.Mode().Perm()); err != nil {
			return res, err
		}
		res.Restamped = append(res.Restamped, f.File)
	}
	if err := l.WriteFile(lockPath); err != nil {
		return res, err
	}
	return res, nil
}

func blobsMatch(p *upstream.Provenance, l *upstream.Lock) bool {
	for _, o := range p.Origins {
		lf, ok := l.Files[o.Path]
		if !ok || lf.Blob != o.Blob {
			return false
		}
	}
	return true
}

func revisionsMatch(p *upstream.Provenance, l *upstream.Lock) bool {
	for _, o := range p.Origins {
		if !sameRevision(o, l) {
			return false
		}
	}
	return true
}

// withoutRestamped drops the revision problems of files Bump restamps.
func withoutRestamped(probs []string, restamp []upstream.FileProvenance) []string {
	skip := map[string]bool{}
	for _, f := range restamp {
		skip[f.File] = true
	}
	var out []string
	for _, p := range probs {
		file, _, _ := strings.Cut(p, ": ")
		if skip[file] && strings.Contains(p, ": header names mlx-lm ") {
			continue
		}
		out = append(out, p)
	}
	return out
}
