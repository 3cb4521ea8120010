package portcheck

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/upstream"
)

// File statuses.
const (
	Unchanged   = "unchanged"   // same bytes
	Reformatted = "reformatted" // bytes differ, syntax trees equal (comments, docstrings, layout)
	Modified    = "modified"    // at least one symbol added, removed or changed
	Added       = "added"       // only in the candidate
	Removed     = "removed"     // only in the pinned revision
	SyntaxError = "syntax-error"
)

// Symbol changes.
const (
	SymAdded   = "added"
	SymRemoved = "removed"
	SymChanged = "changed"
)

// Report is the result of comparing two revisions. Its JSON form is the
// documented output of `portcheck --json` (docs/portcheck.md).
type Report struct {
	From  upstream.Revision `json:"from"`
	To    upstream.Revision `json:"to"`
	Files []FileReport      `json:"files"`
}

// FileReport is one tracked upstream file.
type FileReport struct {
	Path    string         `json:"path"`
	Status  string         `json:"status"`
	Symbols []SymbolChange `json:"symbols"`
	Affects []string       `json:"affects"`
	// Only when status is syntax-error: where the candidate fails to parse.
	Error string `json:"error,omitempty"`
	// For a removed file whose content reappears under another path (and the
	// added file it went to), the other path.
	RenamedTo   string `json:"renamed_to,omitempty"`
	RenamedFrom string `json:"renamed_from,omitempty"`
}

// SymbolChange is one top-level symbol that differs.
type SymbolChange struct {
	Name   string `json:"name"`
	Change string `json:"change"`
}

// Drifted reports whether a file we derive Go code from changed in a way
// that needs work: modified, removed (or renamed away) or unparseable.
func (f FileReport) Drifted() bool {
	if len(f.Affects) == 0 {
		return false
	}
	switch f.Status {
	case Modified, Removed, SyntaxError:
		return true
	}
	return false
}

// Drifted reports whether any file we depend on drifted.
func (r *Report) Drifted() bool {
	for i := range r.Files {
		if r.Files[i].Drifted() {
			return true
		}
	}
	return false
}

// Count returns how many files have each status.
func (r *Report) Count() map[string]int {
	m := map[string]int{}
	for _, f := range r.Files {
		m[f.Status]++
	}
	return m
}

// Action says what to do with a Go file derived from a changed upstream file.
func Action(goFile string) string {
	if strings.HasPrefix(goFile, "generated/") {
		return "regenerate"
	}
	return "re-port by hand"
}

// Compare diffs every tracked file of from and to. lock (optional) supplies
// the derived Go files for Affects.
func Compare(from, to upstream.Source, lock *upstream.Lock) (*Report, error) {
	fromFiles, err := upstream.TrackedFiles(from)
	if err != nil {
		return nil, err
	}
	toFiles, err := upstream.TrackedFiles(to)
	if err != nil {
		return nil, err
	}
	all := map[string]bool{}
	for _, p := range fromFiles {
		all[p] = true
	}
	for _, p := range toFiles {
		all[p] = true
	}
	paths := make([]string, 0, len(all))
	for p := range all {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	r := &Report{From: from.Revision(), To: to.Revision(), Files: []FileReport{}}
	modules := map[string]*Module{} // for rename detection: key "from:"/"to:" + path
	blobs := map[string]string{}
	for _, p := range paths {
		fr := FileReport{Path: p, Symbols: []SymbolChange{}, Affects: []string{}}
		if lock != nil {
			if lf, ok := lock.Files[p]; ok {
				fr.Affects = append(fr.Affects, lf.Derived...)
			}
		}
		a, errA := read(from, p)
		b, errB := read(to, p)
		if errA != nil && !errors.Is(errA, fs.ErrNotExist) {
			return nil, errA
		}
		if errB != nil && !errors.Is(errB, fs.ErrNotExist) {
			return nil, errB
		}
		switch {
		case a == nil:
			fr.Status = Added
			blobs["to:"+p] = upstream.BlobHash(b)
			m, err := ParseModule(b)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", to.Name(), p, err)
			}
			if m.SyntaxError != "" {
				fr.Status, fr.Error = SyntaxError, m.SyntaxError
			} else {
				modules["to:"+p] = m
				for _, s := range m.Symbols {
					fr.Symbols = append(fr.Symbols, SymbolChange{s.Name, SymAdded})
				}
			}
		case b == nil:
			fr.Status = Removed
			blobs["from:"+p] = upstream.BlobHash(a)
			if m, err := ParseModule(a); err == nil && m.SyntaxError == "" {
				modules["from:"+p] = m
				for _, s := range m.Symbols {
					fr.Symbols = append(fr.Symbols, SymbolChange{s.Name, SymRemoved})
				}
			}
		case string(a) == string(b):
			fr.Status = Unchanged
		default:
			ma, err := ParseModule(a)
			if err != nil {
				return nil, err
			}
			mb, err := ParseModule(b)
			if err != nil {
				return nil, err
			}
			switch {
			case mb.SyntaxError != "":
				fr.Status, fr.Error = SyntaxError, mb.SyntaxError
			case ma.SyntaxError != "":
				// The pinned side does not parse: every symbol is new to us.
				fr.Status = Modified
				for _, s := range mb.Symbols {
					fr.Symbols = append(fr.Symbols, SymbolChange{s.Name, SymAdded})
				}
			default:
				fr.Symbols = diffSymbols(ma, mb)
				fr.Status = Modified
				if len(fr.Symbols) == 0 {
					fr.Status = Reformatted
				}
			}
		}
		r.Files = append(r.Files, fr)
	}
	detectRenames(r, modules, blobs)
	return r, nil
}

func read(src upstream.Source, p string) ([]byte, error) {
	b, err := src.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

func diffSymbols(a, b *Module) []SymbolChange {
	out := []SymbolChange{}
	for _, s := range a.Symbols {
		t, ok := b.Lookup(s.Name)
		switch {
		case !ok:
			out = append(out, SymbolChange{s.Name, SymRemoved})
		case t.Fingerprint != s.Fingerprint:
			out = append(out, SymbolChange{s.Name, SymChanged})
		}
	}
	for _, t := range b.Symbols {
		if _, ok := a.Lookup(t.Name); !ok {
			out = append(out, SymbolChange{t.Name, SymAdded})
		}
	}
	return out
}

// detectRenames pairs a removed file with an added one when their bytes are
// equal or their syntax trees are (same symbols, same fingerprints).
func detectRenames(r *Report, modules map[string]*Module, blobs map[string]string) {
	sameModule := func(x, y *Module) bool {
		if x == nil || y == nil || len(x.Symbols) != len(y.Symbols) {
			return false
		}
		for _, s := range x.Symbols {
			t, ok := y.Lookup(s.Name)
			if !ok || t.Fingerprint != s.Fingerprint {
				return false
			}
		}
		return true
	}
	for i := range r.Files {
		rm := &r.Files[i]
		if rm.Status != Removed {
			continue
		}
		for j := range r.Files {
			ad := &r.Files[j]
			if ad.Status != Added || ad.RenamedFrom != "" {
				continue
			}
			if blobs["from:"+rm.Path] == blobs["to:"+ad.Path] || sameModule(modules["from:"+rm.Path], modules["to:"+ad.Path]) {
				rm.RenamedTo, ad.RenamedFrom = ad.Path, rm.Path
				break
			}
		}
	}
}
