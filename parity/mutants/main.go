// Command mutants plants known bugs in the generated code and checks that the
// parity tests catch each one: a test that survives a planted bug is a bug.
//
//	go run ./parity/mutants [-list] [-run regexp] [mutants.json]
//
// Each mutant (parity/mutants/mutants.json) replaces one exact piece of text
// in one file with another. The run happens in a scratch copy of the
// repository at .cache/mutants/tree (the files git tracks or would track,
// with .venv, .mlx and .cache linked in), so the worktree is never modified,
// not even for a moment. The copy's path stays the same from run to run,
// because cgo builds are cached by directory: a new path would recompile the
// MLX binding for every mutant. Python references come from the shared
// cache, since no mutant touches what they depend on. A mutant whose text is
// not found (the generated code changed) is reported as stale, which fails
// the run too.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Mutant is one planted bug.
type Mutant struct {
	Name string `json:"name"`
	// Why says which bug this stands for and which variant should catch it.
	Why     string `json:"why"`
	File    string `json:"file"`
	Find    string `json:"find"`
	Replace string `json:"replace"`
	// Count is how many times Find must occur (all are replaced); 0 means 1.
	Count int `json:"count"`
	// Package is the test package to run, e.g. ./generated/models/gpt_oss.
	Package string `json:"package"`
	// Expect lists regexps at least one of which the failing test's output
	// must match (e.g. the variant that should catch it); empty: any failure.
	Expect []string `json:"expect"`
}

func main() {
	list := flag.Bool("list", false, "list the mutants and exit")
	run := flag.String("run", "", "run only the mutants whose name matches this regexp")
	timeout := flag.Duration("timeout", 5*time.Minute, "time limit per mutant")
	flag.Parse()
	path := "parity/mutants/mutants.json"
	if flag.NArg() > 0 {
		path = flag.Arg(0)
	}
	if err := mainErr(path, *list, *run, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

func mainErr(path string, list bool, run string, timeout time.Duration) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var mutants []Mutant
	if err := json.Unmarshal(b, &mutants); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	rx, err := regexp.Compile(run)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	if list {
		for _, m := range mutants {
			fmt.Printf("%-28s %s\n", m.Name, m.Why)
		}
		return nil
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	dir := filepath.Join(root, ".cache", "mutants", "tree")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := copyTree(root, dir); err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var failed []string
	for _, m := range mutants {
		if !rx.MatchString(m.Name) {
			continue
		}
		start := time.Now()
		verdict, detail := runMutant(root, dir, m, timeout)
		fmt.Printf("%-8s %-28s %5.1fs  %s\n", verdict, m.Name, time.Since(start).Seconds(), detail)
		if verdict != "KILLED" {
			failed = append(failed, m.Name)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d mutant(s) not caught or stale: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}

// runMutant returns KILLED (the tests failed as expected), SURVIVED (they
// passed), STALE (the text to replace is not in the file) or ERROR.
func runMutant(root, dir string, m Mutant, timeout time.Duration) (string, string) {
	src, err := os.ReadFile(filepath.Join(root, m.File))
	if err != nil {
		return "ERROR", err.Error()
	}
	want := m.Count
	if want == 0 {
		want = 1
	}
	if n := bytes.Count(src, []byte(m.Find)); n != want {
		return "STALE", fmt.Sprintf("%s: %q occurs %d times, want %d", m.File, m.Find, n, want)
	}
	mutated := bytes.ReplaceAll(src, []byte(m.Find), []byte(m.Replace))
	target := filepath.Join(dir, m.File)
	if err := os.WriteFile(target, mutated, 0o644); err != nil {
		return "ERROR", err.Error()
	}
	// Put the original back for the next mutant.
	defer os.WriteFile(target, src, 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", m.Package)
	cmd.Dir = dir
	// The references are keyed by content: the scratch copy reuses the
	// worktree's cache (no mutant changes what the Python side reads).
	cmd.Env = append(os.Environ(), "HF2GO_PARITY_CACHE="+filepath.Join(root, ".cache", "parity"))
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return "ERROR", "timed out"
	}
	var ee *exec.ExitError
	if err == nil {
		return "SURVIVED", "the tests passed"
	}
	if !errors.As(err, &ee) {
		return "ERROR", err.Error()
	}
	if bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")) {
		return "ERROR", "the mutant does not build:\n" + tail(out, 12)
	}
	caught := failures(out)
	if len(m.Expect) > 0 {
		ok := false
		for _, e := range m.Expect {
			if regexp.MustCompile(e).Match(out) {
				ok = true
			}
		}
		if !ok {
			return "SURVIVED", fmt.Sprintf("failed, but not as expected (%v): %s", m.Expect, caught)
		}
	}
	return "KILLED", caught
}

// failures summarizes which subtests failed: "<n> failing: a, b, c ...".
func failures(out []byte) string {
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--- FAIL: TestParity/") {
			names = append(names, strings.Fields(strings.TrimPrefix(t, "--- FAIL: TestParity/"))[0])
		}
	}
	if len(names) == 0 {
		return "failed: " + firstError(out)
	}
	s := fmt.Sprintf("%d checkpoints fail", len(names))
	if len(names) > 4 {
		return s + ": " + strings.Join(names[:4], ", ") + ", ..."
	}
	return s + ": " + strings.Join(names, ", ")
}

func firstError(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if t := strings.TrimSpace(line); strings.Contains(t, ".go:") {
			return t
		}
	}
	return tail(out, 3)
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// copyTree copies the files git lists (tracked and untracked but not
// ignored) and links the ignored directories the tests need.
func copyTree(root, dst string) error {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if f == "" {
			continue
		}
		if err := copyFile(filepath.Join(root, f), filepath.Join(dst, f)); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // deleted in the worktree, not yet committed
			}
			return err
		}
	}
	for _, link := range []string{".venv", ".mlx", ".cache"} {
		if _, err := os.Lstat(filepath.Join(root, link)); err == nil {
			if err := os.Symlink(filepath.Join(root, link), filepath.Join(dst, link)); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil || st.IsDir() {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
