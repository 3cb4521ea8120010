package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvertCLI converts the tiny llama with `mlxlm convert`, runs the
// result, and checks the refusals: an existing --mlx-path, no --hf-path.
func TestConvertCLI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "converted")
	r := mlxlm(t, "convert", "--hf-path", filepath.Join(fixture, "tiny-llama"), "--mlx-path", out, "--dtype", "float16")
	if r.code != 0 {
		t.Fatalf("convert: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"config.json", "model.safetensors", "model.safetensors.index.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("converted model: %v", err)
		}
	}
	if r := mlxlm(t, "generate", "--model", out, "--prompt-tokens", "1,2,3", "--max-tokens", "2", "--json"); r.code != 0 {
		t.Fatalf("generate on the converted model: exit %d\n%s", r.code, r.stderr)
	}
	r = mlxlm(t, "convert", "--hf-path", filepath.Join(fixture, "tiny-llama"), "--mlx-path", out)
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
		t.Fatalf("convert onto an existing path: exit %d, stderr %q", r.code, r.stderr)
	}
	r = mlxlm(t, "convert", "--mlx-path", filepath.Join(t.TempDir(), "x"))
	if r.code != 1 || !strings.Contains(r.stderr, "--hf-path is required") {
		t.Fatalf("convert without --hf-path: exit %d, stderr %q", r.code, r.stderr)
	}
}
