package portcheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

	if opt.Source == nil {
		res.Steps = append(res.Steps, Step{Name: "upstream source matches lock", Status: StepSkipped})
	} else {
		var probs []string
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

// HeaderProblems checks each scanned file's header against the lock: the
// upstream file must be tracked and the blob must be the lock's. (The commit
// in a header is informational: a file whose upstream blob did not change
// across a bump stays valid.)
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
			}
		}
	}
	return probs
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
