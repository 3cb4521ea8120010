// Package pyref runs the Python reference — MLX and mlx-lm at the pinned
// versions, from the project's .venv — for tests that compare Go against it.
//
// A reference script receives an output directory, writes its results there
// (safetensors, JSON), and exits 0. Tests never skip when the venv is absent:
// they fail and say how to create it, because a parity test that silently
// does not run proves nothing.
package pyref

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// RepoRoot finds the directory holding go.mod, walking up from the working
// directory (go test runs in the package directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Python returns the venv's interpreter.
func Python() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	py := filepath.Join(root, ".venv", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		return "", fmt.Errorf("the Python reference is not installed (%s missing): run `make setup`", py)
	}
	return py, nil
}

// Run runs script (a path relative to the test's package directory) with
// args under the venv's Python and returns its stdout. The test fails,
// with the script's stderr, if the script fails.
func Run(t testing.TB, script string, args ...string) []byte {
	t.Helper()
	py, err := Python()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{script}, args...)...)
	// A fixed hash seed keeps set/dict iteration in the scripts reproducible;
	// no bytecode keeps __pycache__ out of the source tree.
	cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("python %s %v: %v\n%s", script, args, err, stderr.String())
	}
	t.Logf("python reference %s ran in %.1fs", script, time.Since(start).Seconds())
	return stdout.Bytes()
}

// A Job is a reference script whose outputs depend only on what it names:
// the harness (every .py file in the script's directory), the input files,
// the arguments, and the Python side's installed packages. Cached reuses an
// earlier run's outputs when all of these are unchanged.
type Job struct {
	// Name groups the cache entries of one kind of job (e.g. "models/llama");
	// a new entry replaces the older ones of the same name.
	Name string
	// Script is the path of the reference script.
	Script string
	// Inputs are files the script reads (their contents are hashed).
	Inputs []string
	// Args are passed to the script before the output directory.
	Args []string
}

// CacheEnv names the environment variable that moves the reference cache
// (default: <repo>/.cache/parity) or, set to "off", disables it.
const CacheEnv = "HF2GO_PARITY_CACHE"

// fingerprintPackages are the installed distributions whose files decide a
// reference's numbers: MLX (with its backend wheel), mlx-lm, and numpy (the
// token ids are drawn with numpy's generator).
var fingerprintPackages = []string{"mlx", "mlx_cpu", "mlx_cuda", "mlx_metal", "mlx_lm", "numpy"}

// Key is the cache key of j: a SHA-256 over the harness scripts, the inputs,
// the arguments, the backend selection and the RECORD files (which hold a
// hash of every installed file) of the packages the numbers depend on.
func (j Job) Key() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "hf2go parity reference v1\x00%s\x00%q\x00MLX_BACKEND=%s\x00", j.Name, j.Args, os.Getenv("MLX_BACKEND"))
	harness, err := filepath.Glob(filepath.Join(filepath.Dir(j.Script), "*.py"))
	if err != nil {
		return "", err
	}
	sort.Strings(harness)
	files := append(harness, j.Inputs...)
	site, err := filepath.Glob(filepath.Join(root, ".venv", "lib", "python*", "site-packages"))
	if err != nil || len(site) != 1 {
		return "", fmt.Errorf("the Python reference is not installed (no single .venv/lib/python*/site-packages): run `make setup`")
	}
	for _, p := range fingerprintPackages {
		records, _ := filepath.Glob(filepath.Join(site[0], p+"-*.dist-info", "RECORD"))
		files = append(files, records...)
	}
	files = append(files, filepath.Join(root, ".venv", "pyvenv.cfg"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if filepath.Base(f) == "pyvenv.cfg" {
			// Only the interpreter's version: the file also names the
			// worktree's absolute path.
			b = []byte(pyvenvVersion(string(b)))
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func pyvenvVersion(cfg string) string {
	for _, line := range strings.Split(cfg, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "version" {
			return strings.TrimSpace(v)
		}
	}
	return cfg
}

// Cached returns a directory holding the outputs of j: an earlier run's from
// the cache when its key matches, else a fresh run's (stored in the cache
// for the next time). The directory must be treated as read-only. Entries
// are written to a temporary directory and renamed into place, so a run
// that fails or is interrupted leaves nothing a later run would trust.
func Cached(t testing.TB, j Job) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cacheRoot := os.Getenv(CacheEnv)
	if cacheRoot == "off" {
		out := t.TempDir()
		Run(t, j.Script, append(append([]string{}, j.Args...), out)...)
		return out
	}
	if cacheRoot == "" {
		cacheRoot = filepath.Join(root, ".cache", "parity")
	}
	key, err := j.Key()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cacheRoot, filepath.FromSlash(j.Name))
	entry := filepath.Join(dir, key[:24])
	if st, err := os.Stat(entry); err == nil && st.IsDir() {
		t.Logf("python reference %s: cached (%s)", filepath.Base(j.Script), relOrAbs(root, entry))
		return entry
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(dir, ".tmp-")
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	Run(t, j.Script, append(append([]string{}, j.Args...), tmp)...)
	if err := os.Rename(tmp, entry); err != nil {
		// Another process stored the same key first: its outputs are equal.
		if st, serr := os.Stat(entry); serr != nil || !st.IsDir() {
			t.Fatalf("storing the reference in the cache: %v", err)
		}
		os.RemoveAll(tmp)
	}
	ok = true
	// Older entries of this job are stale now (their inputs changed).
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if e.IsDir() && e.Name() != filepath.Base(entry) && !strings.HasPrefix(e.Name(), ".tmp-") {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
	return entry
}

func relOrAbs(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
