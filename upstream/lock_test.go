package upstream

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestBlobHashMatchesGit compares BlobHash with `git hash-object` on a few inputs.
func TestBlobHashMatchesGit(t *testing.T) {
	if BlobHash(nil) != "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391" {
		t.Fatalf("empty blob hash = %s", BlobHash(nil))
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	for i, content := range []string{"x", "line\nline2\n", strings.Repeat("é", 1000)} {
		f := filepath.Join(dir, "f")
		os.WriteFile(f, []byte(content), 0o644)
		out, err := exec.Command("git", "hash-object", f).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := BlobHash([]byte(content)), strings.TrimSpace(string(out)); got != want {
			t.Errorf("case %d: BlobHash = %s, git hash-object = %s", i, got, want)
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestLockMatchesVenv checks the committed upstream.lock against the mlx-lm
// installed by `make setup`: same file set, same blob hashes, same version.
func TestLockMatchesVenv(t *testing.T) {
	root := repoRoot(t)
	l, err := ReadLock(filepath.Join(root, LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	src, err := Venv(root)
	if err != nil {
		t.Fatalf("no venv: run `make setup` (the lock is checked against the installed mlx-lm): %v", err)
	}
	if v := src.Revision().Version; v != l.Upstream.Version {
		t.Fatalf("venv has mlx-lm %s, lock pins %s", v, l.Upstream.Version)
	}
	d, err := l.CompareSource(src)
	if err != nil {
		t.Fatal(err)
	}
	if !d.OK() {
		t.Fatalf("venv differs from lock: %v", d.Err())
	}
	if len(l.Files) < 100 || l.Files["mlx_lm/models/cache.py"] == nil || l.Files["mlx_lm/utils.py"] == nil {
		t.Fatalf("lock lists %d files; want every mlx_lm/models/*.py and mlx_lm/utils.py", len(l.Files))
	}
	// Every file read through a strict Checked source passes.
	c := NewChecked(src, l, Strict)
	for _, p := range l.Paths() {
		if _, err := c.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLockCanonical: the committed lock is byte-identical to what Marshal
// writes for its parsed content, and parse(marshal(x)) == x.
func TestLockCanonical(t *testing.T) {
	root := repoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLock(raw)
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, out) {
		t.Errorf("upstream.lock is not in canonical form; regenerate with `go run ./cmd/portcheck lock`")
	}
	l2, err := ParseLock(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l, l2) {
		t.Error("round trip changed the lock")
	}
	wantCommit := "commit: " + l.Upstream.Commit + " # tag v" + l.Upstream.Version
	if l.Upstream.Commit == "" {
		wantCommit = `commit: "" # not known here`
	}
	if !strings.Contains(string(raw), wantCommit) {
		t.Errorf("commit line lacks %q", wantCommit)
	}
}

// TestLockRelease: a release pinned without a commit (what a PyPI wheel
// gives) round-trips, and the rules that keep it identifiable hold.
func TestLockRelease(t *testing.T) {
	l := testLock()
	l.Upstream.Commit = ""
	l.Upstream.Version = "0.32.2"
	l.Upstream.Wheel = "mlx_lm-0.32.2-py3-none-any.whl"
	l.Upstream.SHA256 = strings.Repeat("5c", 32)
	out, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  version: 0.32.2\n  commit: \"\" # not known here", "  wheel: mlx_lm-0.32.2-py3-none-any.whl\n  sha256: " + l.Upstream.SHA256 + "\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("marshalled lock lacks %q:\n%s", want, out)
		}
	}
	back, err := ParseLock(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, l) {
		t.Errorf("round trip: %+v", back.Upstream)
	}
	if got := l.Label(); got != "0.32.2" {
		t.Errorf("Label() = %q, want the version", got)
	}
	cases := []struct {
		name string
		edit func(u *LockUpstream)
		want string
	}{
		{"no digest", func(u *LockUpstream) { u.Wheel, u.SHA256 = "", "" }, "needs wheel and sha256"},
		{"short digest", func(u *LockUpstream) { u.SHA256 = "5c09" }, "is not 64 lowercase hex digits"},
		{"sha256 without wheel", func(u *LockUpstream) { u.Wheel = "" }, "wheel and sha256 go together"},
		{"wheel of another version", func(u *LockUpstream) { u.Wheel = "mlx_lm-0.32.1-py3-none-any.whl" }, "is not an mlx_lm 0.32.2 wheel"},
		{"nothing", func(u *LockUpstream) { u.Version = "" }, "neither version nor commit"},
		{"bad version", func(u *LockUpstream) { u.Version = "latest" }, "is not a release version"},
	}
	for _, tc := range cases {
		c := *l
		tc.edit(&c.Upstream)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want %q", tc.name, err, tc.want)
		}
	}
	// A commit alone (a pin on an unreleased commit) needs no wheel.
	c := *l
	c.Upstream = LockUpstream{Repo: RepoURL, Commit: strings.Repeat("a", 40)}
	if err := c.Validate(); err != nil {
		t.Errorf("commit-only lock: %v", err)
	}
	if c.Label() != strings.Repeat("a", 40) {
		t.Errorf("commit-only Label() = %q", c.Label())
	}
}

// TestTrackedTopLevel: the non-model modules Go code ports are tracked.
func TestTrackedTopLevel(t *testing.T) {
	for _, p := range []string{"mlx_lm/utils.py", "mlx_lm/generate.py", "mlx_lm/sample_utils.py", "mlx_lm/tokenizer_utils.py", "mlx_lm/convert.py", "mlx_lm/server.py", "mlx_lm/models/llama.py", "mlx_lm/tool_parsers/mistral.py", "mlx_lm/kernels/qk_norm.py", "mlx_lm/kernels/__init__.py"} {
		if !IsTracked(p) {
			t.Errorf("%s not tracked", p)
		}
	}
	for _, p := range []string{"mlx_lm/_version.py", "mlx_lm/models/sub/x.py", "mlx_lm/chat.py", "mlx_lm/models/README.md", "mlx_lm/tool_parsers/sub/x.py", "mlx_lm/kernels/sub/x.py"} {
		if IsTracked(p) {
			t.Errorf("%s tracked", p)
		}
	}
	src := mapSource{"mlx_lm/models/llama.py": "", "mlx_lm/generate.py": "", "mlx_lm/chat.py": ""}
	got, err := TrackedFiles(src)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"mlx_lm/generate.py", "mlx_lm/models/llama.py"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TrackedFiles = %v, want %v (missing top-level files left out)", got, want)
	}
}

func testLock() *Lock {
	return &Lock{
		Upstream: LockUpstream{Repo: RepoURL, Commit: strings.Repeat("a", 40), Version: "0.1.0"},
		Files: map[string]*LockFile{
			"mlx_lm/models/llama.py": {Blob: BlobHash([]byte("llama\n")), Derived: []string{}},
			"mlx_lm/utils.py":        {Blob: BlobHash([]byte("utils\n")), Derived: []string{"ported/base/utils.go"}},
		},
	}
}

type mapSource map[string]string

func (m mapSource) Name() string       { return "map" }
func (m mapSource) Revision() Revision { return Revision{} }
func (m mapSource) ReadFile(p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, notExist("map", p)
}
func (m mapSource) List(dir string) ([]string, error) {
	var out []string
	for p := range m {
		if filepath.ToSlash(filepath.Dir(p)) == dir {
			out = append(out, p)
		}
	}
	return out, nil
}

func TestCheckedModes(t *testing.T) {
	l := testLock()
	src := mapSource{"mlx_lm/models/llama.py": "llama changed\n", "mlx_lm/utils.py": "utils\n", "mlx_lm/_version.py": "x"}

	_, err := NewChecked(src, l, Strict).ReadFile("mlx_lm/models/llama.py")
	var bm *BlobMismatchError
	if !errors.As(err, &bm) {
		t.Fatalf("strict read of a changed file: err = %v, want BlobMismatchError", err)
	}
	want := "mlx_lm/models/llama.py: blob " + BlobHash([]byte("llama changed\n")) + " does not match upstream.lock (" + BlobHash([]byte("llama\n")) + ")"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if _, err := NewChecked(src, l, Strict).ReadFile("mlx_lm/utils.py"); err != nil {
		t.Errorf("unchanged file: %v", err)
	}
	if _, err := NewChecked(src, l, Strict).ReadFile("mlx_lm/_version.py"); err != nil {
		t.Errorf("untracked file should pass unchecked: %v", err)
	}

	c := NewChecked(src, l, Report)
	b, err := c.ReadFile("mlx_lm/models/llama.py")
	if err != nil || string(b) != "llama changed\n" {
		t.Fatalf("report mode: %q, %v", b, err)
	}
	if m := c.Mismatches(); len(m) != 1 || m[0].Path != "mlx_lm/models/llama.py" {
		t.Errorf("mismatches = %v", m)
	}

	src2 := mapSource{"mlx_lm/models/llama.py": "llama\n", "mlx_lm/models/new.py": ""}
	d, err := l.CompareSource(src2)
	if err != nil {
		t.Fatal(err)
	}
	if d.OK() || !reflect.DeepEqual(d.Missing, []string{"mlx_lm/utils.py"}) || !reflect.DeepEqual(d.Extra, []string{"mlx_lm/models/new.py"}) || len(d.Mismatched) != 0 {
		t.Errorf("CompareSource = %+v", d)
	}
}

func TestLockValidate(t *testing.T) {
	l := testLock()
	l.Upstream.Commit = "v0.30.4"
	l.Files["../etc/passwd"] = &LockFile{Blob: strings.Repeat("0", 40)}
	l.Files["mlx_lm/utils.py"].Derived = []string{"b", "a"}
	err := l.Validate()
	for _, want := range []string{"not a 40-hex commit", `"../etc/passwd" is not a tracked`, "derived is not sorted"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
	if err := l.WriteFile(filepath.Join(t.TempDir(), "x.lock")); err == nil {
		t.Error("WriteFile wrote an invalid lock")
	}
}

func TestWriteFileAtomicReplaces(t *testing.T) {
	f := filepath.Join(t.TempDir(), "upstream.lock")
	os.WriteFile(f, []byte("old"), 0o644)
	l := testLock()
	if err := l.WriteFile(f); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLock(f)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Errorf("read back %+v", got)
	}
	ents, _ := os.ReadDir(filepath.Dir(f))
	if len(ents) != 1 {
		t.Errorf("temp files left behind: %v", ents)
	}
}
