package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServerSIGTERM: `mlxlm server --port 0` prints its address, serves a
// streaming request, and on SIGTERM lets that request finish ([DONE]) and
// exits 0, refusing new connections.
func TestServerSIGTERM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "qwen")
	py := filepath.Join(repo, ".venv", "bin", "python")
	mk := exec.Command(py, filepath.Join(repo, "lm/server/testdata/make_model.py"), dir, "--tokenizer", filepath.Join(repo, "lm/tokenizer/testdata/qwen3"))
	mk.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make_model.py: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "server", "--model", dir, "--port", "0", "--log-level", "ERROR")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no address line: %v", err)
	}
	base := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("address line %q", line)
	}
	resp, err := http.Post(base+"/v1/completions", "application/json",
		strings.NewReader(`{"prompt": "Once upon a time", "max_tokens": 40, "stream": true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	first, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(first, "data: ") && !strings.HasPrefix(first, ": keepalive") {
		t.Fatalf("first line %q, %v", first, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("the running request was cut off by SIGTERM: %v", err)
	}
	if !strings.Contains(string(rest), "data: [DONE]") {
		t.Fatalf("the running request did not finish: %q", rest)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	if _, err := http.Get(base + "/health"); err == nil {
		t.Error("the server still answers after shutdown")
	}
}
