package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigLlama writes a float32 llama checkpoint of ~530 MB (zeros, as a
// sparse file) whose quantized shard takes MLX a few seconds to write: long
// enough to interrupt it in the middle.
func bigLlama(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "big-llama")
	os.MkdirAll(dir, 0o755)
	const hidden, inter, layers, vocab = 1024, 4096, 4, 32000
	shapes := map[string][]int{
		"model.embed_tokens.weight": {vocab, hidden}, "lm_head.weight": {vocab, hidden}, "model.norm.weight": {hidden},
	}
	for i := range layers {
		p := fmt.Sprintf("model.layers.%d.", i)
		for _, n := range []string{"q_proj", "k_proj", "v_proj", "o_proj"} {
			shapes[p+"self_attn."+n+".weight"] = []int{hidden, hidden}
		}
		shapes[p+"mlp.gate_proj.weight"] = []int{inter, hidden}
		shapes[p+"mlp.up_proj.weight"] = []int{inter, hidden}
		shapes[p+"mlp.down_proj.weight"] = []int{hidden, inter}
		shapes[p+"input_layernorm.weight"] = []int{hidden}
		shapes[p+"post_attention_layernorm.weight"] = []int{hidden}
	}
	names := make([]string, 0, len(shapes))
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{}
	off := 0
	for _, n := range names {
		size := 4
		for _, d := range shapes[n] {
			size *= d
		}
		header[n] = map[string]any{"dtype": "F32", "shape": shapes[n], "data_offsets": []int{off, off + size}}
		off += size
	}
	hb, _ := json.Marshal(header)
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(hb)))
	b.Write(hb)
	f, err := os.Create(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f.Write(b.Bytes())
	if err := f.Truncate(int64(b.Len() + off)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{
		"model_type": "llama", "hidden_size": hidden, "intermediate_size": inter, "num_hidden_layers": layers,
		"num_attention_heads": 8, "num_key_value_heads": 8, "rms_norm_eps": 1e-5, "vocab_size": vocab,
		"tie_word_embeddings": false, "torch_dtype": "float32"})
	return dir
}

// workDirs lists the conversion work directories in parent.
func workDirs(parent string) []string {
	m, _ := filepath.Glob(filepath.Join(parent, ".*.tmp-*"))
	return m
}

// TestConvertInterrupted: SIGINT or SIGTERM in the middle of a shard write
// stops `mlxlm convert` within two seconds, exit status 1, with its
// temporary directory removed and no output; after a kill -9 the directory
// is left, and the next conversion into the same parent removes it.
func TestConvertInterrupted(t *testing.T) {
	src := bigLlama(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			cmd := exec.Command(bin, "convert", "--hf-path", src, "--mlx-path", out, "-q")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// Wait for a shard being written: SaveSafetensors' temporary file
			// inside the work directory.
			deadline := time.Now().Add(90 * time.Second)
			var work string
			for work == "" {
				if time.Now().After(deadline) {
					t.Fatalf("no shard write seen; stderr: %s", stderr.String())
				}
				for _, d := range workDirs(parent) {
					if m, _ := filepath.Glob(filepath.Join(d, ".tmp-*.safetensors")); len(m) > 0 {
						work = d
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
			start := time.Now()
			cmd.Process.Signal(sig)
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case <-waited:
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10s after %v", sig)
			}
			d := time.Since(start)
			t.Logf("%v mid-shard: exited after %v: %s", sig, d, strings.TrimSpace(stderr.String()))
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s exists after an interrupted conversion", out)
			}
			if sig == syscall.SIGKILL {
				if _, err := os.Stat(work); err != nil {
					t.Fatalf("kill -9 cannot clean up, yet %s is gone: %v", work, err)
				}
				// The next run removes it (and converts).
				next := filepath.Join(parent, "next")
				r := mlxlm(t, "convert", "--hf-path", filepath.Join(fixture, "tiny-llama"), "--mlx-path", next)
				if r.code != 0 {
					t.Fatalf("next convert: %d %s", r.code, r.stderr)
				}
				if _, err := os.Stat(work); !os.IsNotExist(err) {
					t.Errorf("the next run left %s: %v", work, err)
				}
				if !strings.Contains(r.stdout, "left by an interrupted conversion") {
					t.Errorf("the next run did not say it removed it: %s", r.stdout)
				}
				return
			}
			if d > 2*time.Second {
				t.Errorf("took %v to stop after %v", d, sig)
			}
			if cmd.ProcessState.ExitCode() != 1 {
				t.Errorf("exit status %d, want 1", cmd.ProcessState.ExitCode())
			}
			if left := workDirs(parent); len(left) > 0 {
				t.Errorf("work directories left: %v", left)
			}
			if !strings.Contains(stderr.String(), "interrupted") || strings.Count(strings.TrimSpace(stderr.String()), "\n") > 1 {
				t.Errorf("stderr: %q", stderr.String())
			}
		})
	}
}

// TestConvertFlags: impossible or unsupported flag values are refused
// before anything is read, in one line, with nothing written.
func TestConvertFlags(t *testing.T) {
	src := filepath.Join(fixture, "tiny-llama")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--q-group-size", "-64"}, "--q-group-size -64"},
		{[]string{"-q", "--q-group-size", "-64"}, "--q-group-size -64"},
		{[]string{"-q", "--q-group-size", "16"}, "group size 16 is not supported"},
		{[]string{"-q", "--q-bits", "7"}, "7 bits are not supported"},
		{[]string{"-q", "--q-bits", "-4"}, "--q-bits -4"},
		{[]string{"-q", "--q-mode", "mxfp4", "--q-group-size", "64"}, "mxfp4 quantization requires group size 32"},
		{[]string{"--q-mode", "int4"}, "--q-mode"},
		{[]string{"--dtype", "float64"}, "--dtype"},
		{[]string{"--q-group-size", "sixty"}, "--q-group-size"},
		{[]string{"--mlx-path", ""}, "--mlx-path is empty"},
		{[]string{"--revision", "../../x", "--hf-path", "org/no-such-model"}, "revision"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			parent := t.TempDir()
			args := []string{"convert", "--hf-path", src, "--mlx-path", filepath.Join(parent, "out")}
			r := mlxlm(t, append(args, tc.args...)...)
			checkCleanFailure(t, r, []string{tc.want})
			if entries, _ := os.ReadDir(parent); len(entries) > 0 {
				t.Errorf("written: %v", entries)
			}
		})
	}
}
