package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var (
	bin     string // the mlxlm binary built once for all tests
	repo    string
	fixture string // directory with the valid tiny models (tiny-llama, tiny-llama-q4)
)

// TestMain builds mlxlm once and has mlx-lm make the tiny models every test
// copies or mangles.
func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cmd/mlxlm tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	wd, err := os.Getwd()
	if err != nil {
		return 0, err
	}
	repo = filepath.Dir(filepath.Dir(wd))
	tmp, err := os.MkdirTemp("", "mlxlm-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	bin = filepath.Join(tmp, "mlxlm")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	fixture = filepath.Join(tmp, "models")
	py := filepath.Join(repo, ".venv", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		return 0, fmt.Errorf("%s is missing: run `make setup` (the models are made by mlx-lm)", py)
	}
	for _, args := range [][]string{
		{"tiny-llama", "--shape", "tiny-llama", "--reference", refTokens, "--greedy", "16"},
		{"tiny-llama-q4", "--shape", "tiny-llama", "--q-bits", "4", "--q-group-size", "32", "--reference", refTokens, "--greedy", "16"},
	} {
		cmd := exec.Command(py, append([]string{filepath.Join(repo, "scripts", "make_model.py"), filepath.Join(fixture, args[0])}, args[1:]...)...)
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("make_model.py %s: %v\n%s", args[0], err, out)
		}
	}
	return m.Run(), nil
}

const refTokens = "1,5,9,200,7,3,3,100"

type result struct {
	code           int
	stdout, stderr string
}

// mlxlm runs the binary with a time limit: a hang is a failure too.
func mlxlm(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("mlxlm %v: timed out (hang)", args)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// copyModel copies the named fixture model into a fresh directory.
func copyModel(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(fixture, name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// stFile is a parsed safetensors file: header entries and the data bytes.
type stFile struct {
	header map[string]json.RawMessage
	data   []byte
}

func readST(t *testing.T, path string) stFile {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var h map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	return stFile{h, raw[8+n:]}
}

func (f stFile) write(t *testing.T, path string) {
	t.Helper()
	hdr, err := json.Marshal(f.header)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, uint64(len(hdr)))
	buf.Write(hdr)
	buf.Write(f.data)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

type stEntry struct {
	Dtype   string  `json:"dtype"`
	Shape   []int   `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

func (f stFile) entry(t *testing.T, name string) stEntry {
	t.Helper()
	var e stEntry
	if err := json.Unmarshal(f.header[name], &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

func (f stFile) set(t *testing.T, name string, e stEntry) {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	f.header[name] = raw
}

func checkCleanFailure(t *testing.T, r result, want []string) {
	t.Helper()
	all := r.stdout + r.stderr
	if r.code != 1 {
		t.Errorf("exit code %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []string{"panic", "goroutine", "SIGSEGV", "fatal error"} {
		if strings.Contains(all, bad) {
			t.Errorf("output contains %q:\n%s", bad, all)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) > 2 || strings.TrimSpace(r.stderr) == "" {
		t.Errorf("want one or two lines on stderr, got %d:\n%s", len(lines), r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr does not name %q:\n%s", w, r.stderr)
		}
	}
	t.Logf("stderr: %s", strings.TrimSpace(r.stderr))
}
