package hub

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPythonInterop checks both directions against huggingface_hub itself
// (from the repository's .venv; the test fails without it): Python reads what we
// wrote with local_files_only, and what Python downloaded from the same fake
// Hub is reused here without fetching a file body.
func TestPythonInterop(t *testing.T) {
	py, _ := filepath.Abs(filepath.Join("..", "..", ".venv", "bin", "python"))
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("%s is missing: run `make setup` (the interop test runs huggingface_hub from the venv)", py)
	}
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	ours := filepath.Join(home, "ours")
	dir, err := Snapshot(context.Background(), "org/tiny", h.opts(ours))
	if err != nil {
		t.Fatal(err)
	}
	run := func(env []string, code string) string {
		t.Helper()
		cmd := exec.Command(py, "-c", code)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	out := run([]string{"HF_HUB_OFFLINE=1", "HF_HUB_CACHE=" + ours},
		`import huggingface_hub as h; print(h.snapshot_download("org/tiny", local_files_only=True)); print(h.hf_hub_download("org/tiny", "model.safetensors", local_files_only=True))`)
	if !strings.Contains(out, dir) {
		t.Errorf("huggingface_hub does not find our snapshot %s:\n%s", dir, out)
	}
	theirs := filepath.Join(home, "theirs")
	out = run([]string{"HF_ENDPOINT=" + h.srv.URL, "HF_HUB_CACHE=" + theirs, "HF_HUB_DISABLE_XET=1"},
		`import huggingface_hub as h
for f in ["config.json", "tokenizer.json", "model.safetensors"]: print(h.hf_hub_download("org/tiny", f))`)
	t.Logf("python: %s", out)
	before := h.totalGets()
	dir2, err := Snapshot(context.Background(), "org/tiny", h.opts(theirs))
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, h, theirs, dir2)
	if n := h.totalGets() - before; n != 0 {
		t.Errorf("%d file bodies fetched again from a cache huggingface_hub filled", n)
	}
}
