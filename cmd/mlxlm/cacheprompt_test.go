package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hf2go/hf2go/parity/paritytest"
)

// pythonMLXLM runs `python -m mlx_lm ARGS` of the venv (mlx-lm 0.32.2).
func pythonMLXLM(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repo, ".venv", "bin", "python"), append([]string{"-m", "mlx_lm"}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("python -m mlx_lm %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// TestPromptCacheFileInterop: `mlxlm cache_prompt` and `mlx_lm cache_prompt`
// on a hybrid model (generated qwen3_next: ArraysCache + KVCache layers,
// the qwen3 chat template) write the same file (tensors byte for byte,
// metadata), and `generate --prompt-cache-file` of each continues the
// other's file with the same greedy text (the prompt a suffix of the
// cached chat, the model named by the file).
func TestPromptCacheFileInterop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "qwen3_next")
	cmd := exec.Command(filepath.Join(repo, ".venv", "bin", "python"), filepath.Join(repo, "lm", "server", "testdata", "make_model.py"), dir,
		"--tokenizer", filepath.Join(repo, "lm", "tokenizer", "testdata", "qwen3"), "--seed", "5",
		"--config", filepath.Join(repo, "parity", "configs", "qwen3_next.json")+":moe-interval4-partial-rope")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_model.py: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	goFile, pyFile := filepath.Join(tmp, "go.safetensors"), filepath.Join(tmp, "py.safetensors")
	const prompt = "The capital of France"
	if r := mlxlm(t, "cache_prompt", "--model", dir, "--prompt", prompt, "--prompt-cache-file", goFile); r.code != 0 {
		t.Fatalf("mlxlm cache_prompt: exit %d: %s", r.code, r.stderr)
	}
	pythonMLXLM(t, "cache_prompt", "--model", dir, "--prompt", prompt, "--prompt-cache-file", pyFile)

	g, p := paritytest.Load(t, goFile), paritytest.Load(t, pyFile)
	if !slices.Equal(g.Names(), p.Names()) {
		t.Fatalf("tensors %v, mlx_lm cache_prompt's %v", g.Names(), p.Names())
	}
	for _, n := range g.Names() {
		a, b := g.Arrays[n], p.Arrays[n]
		ab, err1 := a.Bytes()
		bb, err2 := b.Bytes()
		if err1 != nil || err2 != nil || a.Dtype() != b.Dtype() || !slices.Equal(a.Shape(), b.Shape()) || !bytes.Equal(ab, bb) {
			t.Errorf("tensor %s: %s%v, mlx-lm's %s%v (%v %v)", n, a.Dtype(), a.Shape(), b.Dtype(), b.Shape(), err1, err2)
		}
	}
	if !maps(g.Metadata, p.Metadata) {
		t.Errorf("metadata %v, mlx-lm's %v", g.Metadata, p.Metadata)
	}

	r := mlxlm(t, "generate", "--prompt-cache-file", pyFile, "--prompt", " is", "--max-tokens", "8", "--temp", "0", "--verbose=false")
	if r.code != 0 {
		t.Fatalf("mlxlm generate --prompt-cache-file: exit %d: %s", r.code, r.stderr)
	}
	goText := strings.TrimSuffix(strings.TrimPrefix(r.stdout, "==========\n"), "\n==========\n")
	pyText := strings.TrimSuffix(pythonMLXLM(t, "generate", "--prompt-cache-file", goFile, "--prompt", " is", "--max-tokens", "8",
		"--temp", "0", "--verbose", "False"), "\n")
	if goText != pyText || goText == "" {
		t.Errorf("mlxlm generate from mlx-lm's file: %q\nmlx_lm generate from mlxlm's file: %q", goText, pyText)
	}
	t.Logf("both continue with %q", goText)

	// Another model than the file's is an error, as in mlx-lm.
	if r := mlxlm(t, "generate", "--model", filepath.Join(fixture, "tiny-llama"), "--prompt-cache-file", goFile, "--prompt", "x"); r.code != 1 ||
		!strings.Contains(r.stderr, "different model") {
		t.Errorf("another --model: exit %d, stderr %q", r.code, r.stderr)
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
