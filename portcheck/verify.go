package portcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/hf2go/hf2go/upstream"
)

// Step statuses in a VerifyResult.
const (
	StepOK           = "ok"
	StepFailed       = "failed"
	StepNotAvailable = "not available"
	StepSkipped      = "skipped"
)

// Step is one check verify ran.
type Step struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"`
	Problems []string `json:"problems,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// VerifyResult collects the steps.
type VerifyResult struct {
	Steps []Step `json:"steps"`
}

// OK reports whether no step failed.
func (v *VerifyResult) OK() bool {
	for _, s := range v.Steps {
		if s.Status == StepFailed {
			return false
		}
	}
	return true
}

// Problems lists every problem of every failed step.
func (v *VerifyResult) Problems() []string {
	var out []string
	for _, s := range v.Steps {
		out = append(out, s.Problems...)
	}
	return out
}

func (v *VerifyResult) add(name string, problems []string, note string) {
	st := StepOK
	if len(problems) > 0 {
		st = StepFailed
	}
	v.Steps = append(v.Steps, Step{Name: name, Status: st, Problems: problems, Note: note})
}

// VerifyOptions configures Verify.
type VerifyOptions struct {
	RepoRoot string
	Lock     *upstream.Lock
	// Source is the upstream source in use (normally the venv); nil skips
	// the source step.
	Source upstream.Source
	// GenerateCheck runs `go run ./cmd/hf2go generate --check` when
	// cmd/hf2go exists. Off in unit tests of temp trees.
	GenerateCheck bool
	// Wheels checks the lock's wheel sha256 (nil skips that step): against
	// the wheel in the download cache, or, with Online, against the digest
	// PyPI publishes.
	Wheels WheelDigests
	Online bool
}

// WheelDigests is where the release wheel's sha256 can be checked
// (*upstream.PyPI).
type WheelDigests interface {
	WheelDigest(ctx context.Context, version string) (name, sha256 string, err error)
	CachedWheelSHA256(name string) (string, error)
}

// Verify checks provenance headers, the lock's derived lists, the upstream
// source and (optionally) that generated files are current.
func Verify(ctx context.Context, opt VerifyOptions) (*VerifyResult, error) {
	res := &VerifyResult{}
	files, err := upstream.ScanProvenance(opt.RepoRoot)
	if err != nil {
		return nil, err
	}
	res.add("provenance headers", HeaderProblems(files, opt.Lock), fmt.Sprintf("%d Go files under %s", len(files), strings.Join(upstream.ProvenanceDirs, "/, ")+"/"))
	res.add("upstream.lock derived lists", DerivedProblems(files, opt.Lock), "")

	res.add("upstream.lock canonical", CanonicalProblems(opt.RepoRoot, opt.Lock), "as `portcheck bump` / `portcheck lock` write it")

	if opt.Source == nil {
		res.Steps = append(res.Steps, Step{Name: "upstream source matches lock", Status: StepSkipped})
	} else {
		var probs []string
		if v := opt.Source.Revision().Version; v != opt.Lock.Upstream.Version {
			probs = append(probs, fmt.Sprintf("%s: mlx-lm %s, %s pins %s", opt.Source.Name(), v, upstream.LockFileName, opt.Lock.Upstream.Version))
		}
		d, err := opt.Lock.CompareSource(opt.Source)
		if err != nil {
			probs = append(probs, err.Error())
		} else if !d.OK() {
			for _, e := range strings.Split(d.Err().Error(), "\n") {
				probs = append(probs, opt.Source.Name()+": "+e)
			}
		}
		res.add("upstream source matches lock", probs, opt.Source.Name())
	}

	res.Steps = append(res.Steps, wheelStep(ctx, opt))

	if !opt.GenerateCheck {
		res.Steps = append(res.Steps, Step{Name: "generated files current", Status: StepSkipped})
	} else if _, err := os.Stat(filepath.Join(opt.RepoRoot, "cmd", "hf2go")); err != nil {
		res.Steps = append(res.Steps, Step{Name: "generated files current", Status: StepNotAvailable, Note: "cmd/hf2go does not exist yet"})
	} else {
		cmd := exec.CommandContext(ctx, "go", "run", "./cmd/hf2go", "generate", "--check")
		cmd.Dir = opt.RepoRoot
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		var probs []string
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(out.String())
			if len(msg) > 2000 {
				msg = "…" + msg[len(msg)-2000:]
			}
			probs = append(probs, fmt.Sprintf("go run ./cmd/hf2go generate --check: %v\n%s", err, msg))
		}
		res.add("generated files current", probs, "go run ./cmd/hf2go generate --check")
	}
	return res, nil
}

// CanonicalProblems reports an upstream.lock file under repoRoot whose bytes
// are not what Marshal writes for lock: a lock edited by hand (a comment, a
// reordered entry, a changed value that still parses). A missing file is
// not a problem here (the caller read the lock from elsewhere).
func CanonicalProblems(repoRoot string, lock *upstream.Lock) []string {
	raw, err := os.ReadFile(LockPath(repoRoot))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return []string{err.Error()}
	}
	want, err := lock.Marshal()
	if err != nil {
		return []string{err.Error()}
	}
	if !bytes.Equal(raw, want) {
		return []string{fmt.Sprintf("%s is not in the form portcheck writes (edited by hand?): line %d differs; rewrite it with `portcheck lock` or `portcheck bump`", upstream.LockFileName, firstDiffLine(raw, want))}
	}
	return nil
}

func firstDiffLine(a, b []byte) int {
	line := 1
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return line
		}
		if a[i] == '\n' {
			line++
		}
	}
	return line
}

// wheelStep checks the release wheel's sha256 recorded in the lock.
func wheelStep(ctx context.Context, opt VerifyOptions) Step {
	const name = "release wheel sha256"
	u := opt.Lock.Upstream
	switch {
	case u.Wheel == "":
		return Step{Name: name, Status: StepSkipped, Note: "the pin is a commit, not a PyPI release"}
	case opt.Wheels == nil:
		return Step{Name: name, Status: StepSkipped}
	}
	var got, where string
	if opt.Online {
		n, sum, err := opt.Wheels.WheelDigest(ctx, u.Version)
		if err != nil {
			return Step{Name: name, Status: StepFailed, Problems: []string{err.Error()}}
		}
		if n != u.Wheel {
			return Step{Name: name, Status: StepFailed, Problems: []string{fmt.Sprintf("PyPI's wheel of mlx-lm %s is %s, %s says %s", u.Version, n, upstream.LockFileName, u.Wheel)}}
		}
		got, where = sum, "PyPI's published digest"
	} else {
		sum, err := opt.Wheels.CachedWheelSHA256(u.Wheel)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return Step{Name: name, Status: StepNotAvailable, Note: u.Wheel + " not in the download cache; `portcheck verify --online` asks PyPI"}
			}
			return Step{Name: name, Status: StepFailed, Problems: []string{err.Error()}}
		}
		got, where = sum, "the cached "+u.Wheel
	}
	if got != u.SHA256 {
		return Step{Name: name, Status: StepFailed, Note: where, Problems: []string{fmt.Sprintf("%s: sha256 %s, %s has %s", where, got, upstream.LockFileName, u.SHA256)}}
	}
	return Step{Name: name, Status: StepOK, Note: where}
}

// HeaderProblems checks each scanned file's header against the lock: the
// upstream file must be tracked, the blob must be the lock's, and the
// revision the header names must be the pinned one (its version, or its
// commit for a header that names a commit). A file whose upstream blob did
// not change across a bump is restamped by `portcheck bump`, so a header
// naming another revision was written or edited by hand.
func HeaderProblems(files []upstream.FileProvenance, lock *upstream.Lock) []string {
	var probs []string
	for _, f := range files {
		if f.Err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", f.File, f.Err))
			continue
		}
		for _, o := range f.Provenance.Origins {
			lf, ok := lock.Files[o.Path]
			switch {
			case !ok:
				probs = append(probs, fmt.Sprintf("%s: header names %s, which %s does not track", f.File, o.Path, upstream.LockFileName))
			case lf.Blob != o.Blob:
				probs = append(probs, fmt.Sprintf("%s: header says %s blob %s, %s has %s", f.File, o.Path, o.Blob, upstream.LockFileName, lf.Blob))
			case !sameRevision(o, lock):
				probs = append(probs, fmt.Sprintf("%s: header names mlx-lm %s for %s, %s pins %s", f.File, originRevision(o), o.Path, upstream.LockFileName, lock.Revision()))
			}
		}
	}
	return probs
}

// sameRevision reports whether the revision a header names is the lock's.
func sameRevision(o upstream.Origin, lock *upstream.Lock) bool {
	if o.Version != "" && o.Version != lock.Upstream.Version {
		return false
	}
	if o.Commit != "" && o.Commit != lock.Upstream.Commit {
		return false
	}
	return o.Version != "" || o.Commit != ""
}

func originRevision(o upstream.Origin) string {
	return upstream.Revision{Version: o.Version, Commit: o.Commit}.String()
}

// DerivedProblems compares the lock's derived lists with the headers.
func DerivedProblems(files []upstream.FileProvenance, lock *upstream.Lock) []string {
	want := upstream.DerivedFrom(files)
	var probs []string
	for _, p := range lock.Paths() {
		got := lock.Files[p].Derived
		w := want[p]
		if len(got) == 0 && len(w) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, w) {
			probs = append(probs, fmt.Sprintf("%s: %s lists derived %v, headers say %v (run `portcheck lock`)", p, upstream.LockFileName, got, w))
		}
	}
	return probs
}

// WriteVerify prints a VerifyResult for people.
func WriteVerify(w io.Writer, v *VerifyResult) {
	for _, s := range v.Steps {
		line := fmt.Sprintf("%-30s %s", s.Name, s.Status)
		if s.Note != "" {
			line += " (" + s.Note + ")"
		}
		fmt.Fprintln(w, line)
		for _, p := range s.Problems {
			fmt.Fprintln(w, "  "+strings.ReplaceAll(p, "\n", "\n    "))
		}
	}
}
