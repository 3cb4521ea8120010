package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// evilTokenizer is a valid tokenizer.json whose pre-tokenizer regex takes
// time exponential in a run of "a" that does not end the text.
const evilTokenizer = `{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a+)+$"}, "behavior": "Isolated", "invert": false},
 "model": {"type": "BPE", "vocab": {"a": 0, "!": 1}, "merges": []}}`

// TestHostileModels: model directories made to crash, hang or leak, run
// through the real binary: each ends within the time limit with exit status
// 1 and one or two clean lines (no trace, no raw control characters) naming
// the file and the cause.
func TestHostileModels(t *testing.T) {
	const q = "model.layers.0.self_attn.q_proj.weight"
	secret := filepath.Join(t.TempDir(), "token")
	os.WriteFile(secret, []byte("hf_secret_token"), 0o600)
	editConfig := func(f func(map[string]any)) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			c := readJSON(t, filepath.Join(dir, "config.json"))
			f(c)
			writeJSON(t, filepath.Join(dir, "config.json"), c)
		}
	}
	replace := func(name string, f func(p string) error) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			os.Remove(p)
			if err := f(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		mangle func(*testing.T, string)
		args   []string
		want   []string
		refuse []string // must not appear in the output
	}{
		{name: "num_hidden_layers 1e12", mangle: editConfig(func(c map[string]any) { c["num_hidden_layers"] = 1e12 }),
			want: []string{"config.json", "num_hidden_layers", "at most 4096"}},
		{name: "num_hidden_layers 10^8", mangle: editConfig(func(c map[string]any) { c["num_hidden_layers"] = 100_000_000 }),
			want: []string{"config.json", "num_hidden_layers"}},
		{name: "hidden_size 10^10", mangle: editConfig(func(c map[string]any) { c["hidden_size"] = 1e10 }),
			want: []string{"config.json", "hidden_size", "32-bit"}},
		{name: "config.json is /dev/zero", mangle: replace("config.json", func(p string) error { return os.Symlink("/dev/zero", p) }),
			want: []string{"config.json", "outside the model directory"}},
		{name: "config.json is a FIFO", mangle: replace("config.json", func(p string) error { return syscall.Mkfifo(p, 0o644) }),
			want: []string{"config.json", "named pipe"}},
		{name: "model.safetensors is a FIFO", mangle: replace("model.safetensors", func(p string) error { return syscall.Mkfifo(p, 0o644) }),
			want: []string{"model.safetensors", "named pipe"}},
		{name: "tokenizer.json links to a secret", mangle: replace("tokenizer.json", func(p string) error { return os.Symlink(secret, p) }),
			args: []string{"--prompt", "hi", "--max-tokens", "1"}, want: []string{"tokenizer.json", "outside the model directory"}, refuse: []string{"hf_secret_token"}},
		{name: "backtracking tokenizer regex", mangle: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(evilTokenizer), 0o644)
		}, args: []string{"--prompt", strings.Repeat("a", 38) + "!", "--ignore-chat-template", "--max-tokens", "1"},
			want: []string{"tokenizer.json", "pre_tokenizer.pattern.Regex", "(a+)+$", "backtracks"}},
		{name: "escape sequences in a tensor name", mangle: func(t *testing.T, dir string) {
			s := readST(t, filepath.Join(dir, "model.safetensors"))
			s.header["evil\x1b[2J\x1b]0;pwned\x07name"] = s.header[q]
			s.write(t, filepath.Join(dir, "model.safetensors"))
		}, want: []string{"unexpected", `\x{1b}`}, refuse: []string{"\x1b", "\x07"}},
		{name: "thousands of unexpected tensors", mangle: func(t *testing.T, dir string) {
			s := readST(t, filepath.Join(dir, "model.safetensors"))
			for i := range 3000 {
				s.header[fmt.Sprintf("model.layers.0.extra%04d.weight", i)] = s.header[q]
			}
			s.write(t, filepath.Join(dir, "model.safetensors"))
		}, want: []string{"unexpected", "…"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyModel(t, "tiny-llama")
			tc.mangle(t, dir)
			args := tc.args
			if args == nil {
				args = []string{"--prompt-tokens", "1,2,3", "--max-tokens", "2", "--json"}
			}
			start := time.Now()
			r := mlxlm(t, append([]string{"generate", "--model", dir}, args...)...)
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("took %v", d)
			}
			checkCleanFailure(t, r, tc.want)
			for _, bad := range tc.refuse {
				if strings.Contains(r.stdout+r.stderr, bad) {
					t.Errorf("output contains %q:\n%s", bad, r.stderr)
				}
			}
			if len(r.stderr) > 1400 {
				t.Errorf("stderr is %d bytes", len(r.stderr))
			}
		})
	}
}
