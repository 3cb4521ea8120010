package portcheck

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/upstream"
)

// BuildLock computes the lock for src at rev, with derived lists from the
// provenance headers under repoRoot.
func BuildLock(repoRoot string, src upstream.Source, rev upstream.Revision) (*upstream.Lock, []upstream.FileProvenance, error) {
	if !upstream.IsFullCommit(rev.Commit) {
		return nil, nil, fmt.Errorf("%s: no commit known for this revision; pass --commit <40-hex commit>", src.Name())
	}
	files, err := upstream.ScanProvenance(repoRoot)
	if err != nil {
		return nil, nil, err
	}
	l, err := upstream.NewLock(src, rev, upstream.DerivedFrom(files))
	if err != nil {
		return nil, nil, err
	}
	return l, files, nil
}

// RefusedError is returned by Bump when the new lock would fail verify.
type RefusedError struct{ Problems []string }

func (e *RefusedError) Error() string {
	return "refusing to write " + upstream.LockFileName + " (verify would fail; --force overrides):\n  " + strings.Join(e.Problems, "\n  ")
}

// Bump builds the lock for candidate and writes it to lockPath atomically,
// unless the provenance headers would not verify against it (then
// *RefusedError) and force is false.
func Bump(repoRoot, lockPath string, candidate upstream.Source, rev upstream.Revision, force bool) (*upstream.Lock, []string, error) {
	l, files, err := BuildLock(repoRoot, candidate, rev)
	if err != nil {
		return nil, nil, err
	}
	probs := append(HeaderProblems(files, l), DerivedProblems(files, l)...)
	if len(probs) > 0 && !force {
		return nil, probs, &RefusedError{Problems: probs}
	}
	if err := l.WriteFile(lockPath); err != nil {
		return nil, probs, err
	}
	return l, probs, nil
}
