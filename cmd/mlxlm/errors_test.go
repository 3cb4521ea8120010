package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrokenInput builds each broken model directory (or argument) from the
// valid tiny llama and checks that mlxlm fails cleanly: exit status 1, no
// panic or goroutine dump, at most two lines, naming the file or key.
func TestBrokenInput(t *testing.T) {
	const q = "model.layers.0.self_attn.q_proj.weight"
	type tc struct {
		name string
		// mangle changes the copied model directory; it returns the --model
		// argument (usually dir).
		mangle func(t *testing.T, dir string) string
		args   []string // after --model DIR; default: generate --prompt-tokens 1,2,3 --max-tokens 2 --json
		cmd    string   // "generate" (default) or "logits"
		want   []string // substrings of stderr; "{dir}" is replaced by the model directory
	}
	st := func(dir string) string { return filepath.Join(dir, "model.safetensors") }
	editConfig := func(f func(map[string]any)) func(*testing.T, string) string {
		return func(t *testing.T, dir string) string {
			c := readJSON(t, filepath.Join(dir, "config.json"))
			f(c)
			writeJSON(t, filepath.Join(dir, "config.json"), c)
			return dir
		}
	}
	writeFile := func(name, content string) func(*testing.T, string) string {
		return func(t *testing.T, dir string) string {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}
	}
	editST := func(f func(t *testing.T, s stFile)) func(*testing.T, string) string {
		return func(t *testing.T, dir string) string {
			s := readST(t, st(dir))
			f(t, s)
			s.write(t, st(dir))
			return dir
		}
	}
	rawST := func(f func(raw []byte) []byte) func(*testing.T, string) string {
		return func(t *testing.T, dir string) string {
			raw, err := os.ReadFile(st(dir))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(st(dir), f(raw), 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}
	}
	cases := []tc{
		{name: "missing directory", mangle: func(t *testing.T, dir string) string { return dir + "-nope" },
			want: []string{"does not exist"}},
		{name: "model path is a file", mangle: func(t *testing.T, dir string) string { return filepath.Join(dir, "config.json") },
			want: []string{"config.json", "not a directory"}},
		{name: "no --model", mangle: func(t *testing.T, dir string) string { return "" }, want: []string{"--model"}},
		{name: "missing config", mangle: func(t *testing.T, dir string) string {
			os.Remove(filepath.Join(dir, "config.json"))
			return dir
		}, want: []string{"config.json", "no such file"}},
		{name: "invalid JSON", mangle: writeFile("config.json", "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": 64,,\n}"),
			want: []string{"config.json", "invalid JSON", "line 3"}},
		{name: "config not an object", mangle: writeFile("config.json", "[1, 2]"), want: []string{"config.json", "expected a JSON object"}},
		{name: "empty config file", mangle: writeFile("config.json", ""), want: []string{"config.json", "invalid JSON"}},
		{name: "missing model_type", mangle: editConfig(func(c map[string]any) { delete(c, "model_type") }),
			want: []string{"config.json", "model_type"}},
		{name: "model_type not a string", mangle: editConfig(func(c map[string]any) { c["model_type"] = 7 }),
			want: []string{"config.json", "model_type", "string"}},
		{name: "unknown model_type", mangle: editConfig(func(c map[string]any) { c["model_type"] = "no_such_arch" }),
			want: []string{"config.json", `"no_such_arch"`, "not supported"}},
		{name: "missing required field", mangle: editConfig(func(c map[string]any) { delete(c, "hidden_size") }),
			want: []string{"config.json", "hidden_size"}},
		{name: "ill-typed field", mangle: editConfig(func(c map[string]any) { c["num_hidden_layers"] = "two" }),
			want: []string{"config.json", "num_hidden_layers"}},
		{name: "fractional int field", mangle: editConfig(func(c map[string]any) { c["intermediate_size"] = 12.5 }),
			want: []string{"config.json", "intermediate_size"}},
		{name: "null field", mangle: editConfig(func(c map[string]any) { c["rms_norm_eps"] = nil }),
			want: []string{"config.json", "rms_norm_eps"}},
		{name: "ill-typed eos_token_id", mangle: editConfig(func(c map[string]any) { c["eos_token_id"] = "</s>" }),
			want: []string{"config.json", "eos_token_id"}},
		{name: "ill-typed quantization", mangle: editConfig(func(c map[string]any) { c["quantization"] = map[string]any{"group_size": "x", "bits": 4} }),
			want: []string{"config.json", "quantization.group_size"}},
		{name: "unsupported quant_method", mangle: editConfig(func(c map[string]any) { c["quantization_config"] = map[string]any{"quant_method": "gptq"} }),
			want: []string{"config.json", "gptq"}},
		{name: "no safetensors", mangle: func(t *testing.T, dir string) string {
			os.Remove(st(dir))
			os.Remove(filepath.Join(dir, "model.safetensors.index.json"))
			return dir
		}, want: []string{"no safetensors", "model*.safetensors"}},
		{name: "index names a missing shard", mangle: func(t *testing.T, dir string) string {
			writeJSON(t, filepath.Join(dir, "model.safetensors.index.json"), map[string]any{
				"weight_map": map[string]string{q: "model-00002-of-00002.safetensors"}})
			return dir
		}, want: []string{"model.safetensors.index.json", "model-00002-of-00002.safetensors"}},
		{name: "empty safetensors", mangle: rawST(func([]byte) []byte { return nil }),
			want: []string{"model.safetensors", "8-byte header"}},
		{name: "truncated safetensors", mangle: rawST(func(b []byte) []byte { return b[:len(b)/2] }),
			want: []string{"model.safetensors", "truncated"}},
		{name: "absurd header length", mangle: rawST(func(b []byte) []byte {
			c := append([]byte{}, b...)
			copy(c, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
			return c
		}), want: []string{"model.safetensors", "header length"}},
		{name: "non-JSON header", mangle: rawST(func(b []byte) []byte {
			c := append([]byte{}, b...)
			copy(c[8:], []byte("#!?garbage"))
			return c
		}), want: []string{"model.safetensors", "not a JSON object"}},
		{name: "offsets past the end", mangle: editST(func(t *testing.T, s stFile) {
			e := s.entry(t, q)
			n := e.Offsets[1] - e.Offsets[0]
			e.Offsets = []int64{int64(len(s.data)), int64(len(s.data)) + n}
			s.set(t, q, e)
		}), want: []string{"model.safetensors", q, "data_offsets"}},
		{name: "unknown dtype", mangle: editST(func(t *testing.T, s stFile) {
			e := s.entry(t, q)
			e.Dtype = "F7"
			s.set(t, q, e)
		}), want: []string{"model.safetensors", q, "dtype"}},
		{name: "missing tensor", mangle: editST(func(t *testing.T, s stFile) { delete(s.header, q) }),
			want: []string{"model.safetensors", "missing", q}},
		{name: "unexpected tensor", mangle: editST(func(t *testing.T, s stFile) { s.header["model.layers.0.extra.weight"] = s.header[q] }),
			want: []string{"model.safetensors", "unexpected", "model.layers.0.extra.weight"}},
		{name: "wrong shape", mangle: editST(func(t *testing.T, s stFile) {
			e := s.entry(t, q)
			e.Shape = []int{e.Shape[0] / 2, e.Shape[1] * 2}
			s.set(t, q, e)
		}), want: []string{"model.safetensors", "shape", q}},
		{name: "token out of range", args: []string{"--prompt-tokens", "1,2,256", "--json"}, want: []string{"--prompt-tokens", "256", "out of range", "vocab_size is 256"}},
		{name: "token not a number", args: []string{"--prompt-tokens", "1,two,3", "--json"}, want: []string{"--prompt-tokens", `"two"`, "not a token id"}},
		{name: "negative token", args: []string{"--prompt-tokens", "1,-4", "--json"}, want: []string{"--prompt-tokens", `"-4"`}},
		{name: "empty token list", args: []string{"--prompt-tokens", "", "--json"}, want: []string{"--prompt-tokens", "empty"}},
		{name: "huge token id", args: []string{"--prompt-tokens", "99999999999999999999999", "--json"}, want: []string{"--prompt-tokens", "not a token id"}},
		{name: "text prompt without tokenizer", args: []string{"--prompt", "hello"}, want: []string{"tokenizer.json", "--prompt-tokens"}},
		{name: "negative max tokens", args: []string{"--prompt-tokens", "1", "--max-tokens", "-3", "--json"}, want: []string{"--max-tokens"}},
		{name: "bad top_k", args: []string{"--prompt-tokens", "1", "--temp", "1", "--top-k", "-1", "--json"}, want: []string{"top_k"}},
		{name: "logits token out of range", cmd: "logits", args: []string{"--tokens", "0,300", "--out", "OUT"}, want: []string{"--tokens", "300", "out of range"}},
		{name: "logits no --out", cmd: "logits", args: []string{"--tokens", "1"}, want: []string{"--out"}},
		{name: "logits unwritable --out", cmd: "logits", args: []string{"--tokens", "1", "--out", "/nonexistent-dir/x.safetensors"}, want: []string{"/nonexistent-dir/x.safetensors"}},
		{name: "unknown flag", args: []string{"--prompt-tokenz", "1"}, want: []string{"--prompt-tokenz"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyModel(t, "tiny-llama")
			model := dir
			if c.mangle != nil {
				model = c.mangle(t, dir)
			}
			cmd := c.cmd
			if cmd == "" {
				cmd = "generate"
			}
			args := c.args
			if args == nil {
				args = []string{"--prompt-tokens", "1,2,3", "--max-tokens", "2", "--json"}
				if cmd == "logits" {
					args = []string{"--tokens", "1,2,3", "--out", "OUT"}
				}
			}
			out := filepath.Join(t.TempDir(), "logits.safetensors")
			full := []string{cmd}
			if model != "" {
				full = append(full, "--model", model)
			}
			for _, a := range args {
				full = append(full, strings.ReplaceAll(a, "OUT", out))
			}
			r := mlxlm(t, full...)
			checkCleanFailure(t, r, c.want)
			if cmd == "logits" {
				if _, err := os.Stat(out); err == nil {
					t.Errorf("%s was written although the command failed", out)
				}
			}
		})
	}
}
