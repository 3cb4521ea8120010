package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
)

func smolLM2(t *testing.T) string {
	t.Helper()
	p := filepath.Join(paritytest.RepoRoot(t), ".cache", "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the SmolLM2 GGUF is missing (%v): run `make setup`", err)
	}
	return p
}

// TestTemplateCommand: `mlxlm template` on the demo GGUF prints the ChatML
// prompt its metadata template renders (with the template's default system
// prompt), honours --no-generation-prompt, and fails in one line on a bad
// messages file.
func TestTemplateCommand(t *testing.T) {
	model := smolLM2(t)
	msgs := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(msgs, []byte(`[{"role":"user","content":"Hi 😀"}]`), 0o644)
	r := mlxlm(t, "template", "--model", model, "--messages", msgs)
	want := "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
		"<|im_start|>user\nHi 😀<|im_end|>\n<|im_start|>assistant\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("exit %d, stdout %q, stderr %s; want %q", r.code, r.stdout, r.stderr, want)
	}
	r = mlxlm(t, "template", "--model", model, "--messages", msgs, "--no-generation-prompt")
	if r.code != 0 || r.stdout != strings.TrimSuffix(want, "<|im_start|>assistant\n") {
		t.Fatalf("--no-generation-prompt: exit %d, stdout %q", r.code, r.stdout)
	}
	os.WriteFile(msgs, []byte(`{"role":"user"}`), 0o644)
	checkCleanFailure(t, mlxlm(t, "template", "--model", model, "--messages", msgs), []string{"--messages", "list"})
}

// TestGenerateGGUF: `mlxlm generate --model FILE.gguf` answers the demo
// question, says which compute dtype it chose, and prints mlx_lm's summary.
func TestGenerateGGUF(t *testing.T) {
	r := mlxlm(t, "generate", "--model", smolLM2(t), "--prompt", "What is the capital of France?", "--max-tokens", "12")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, w := range []string{"The capital of France is Paris.", "Prompt: 37 tokens", "Generation: ", "tokens-per-sec", "Peak memory"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "compute dtype: float32") {
		t.Errorf("stderr does not say the compute dtype:\n%s", r.stderr)
	}
}
