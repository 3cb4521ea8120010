package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hf2go/hf2go/lm/toy"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// TestConfigSizes: the layer/expert counts and dimensions a config may ask
// for, against the maxima and a checkpoint of 21 tensors whose largest
// dimension is 256.
func TestConfigSizes(t *testing.T) {
	st := &weightStats{files: []string{"model.safetensors"}, tensors: 21, maxDim: 256}
	for _, tc := range []struct {
		config string
		want   string // "" means accepted
	}{
		{`{"num_hidden_layers": 2, "hidden_size": 64, "vocab_size": 256, "rope_theta": 3580165449.0, "max_position_embeddings": 1048576}`, ""},
		{`{"num_hidden_layers": 21, "sliding_window": 131072, "attention_chunk_size": 8192, "bos_token_id": 128000}`, ""},
		{`{"num_hidden_layers": 1e12}`, "num_hidden_layers = 1e12: more layers than any model has (at most 4096)"},
		{`{"num_hidden_layers": 1000000000000}`, "more layers than any model has"},
		{`{"num_hidden_layers": 22}`, "num_hidden_layers = 22: more layers than the weights can hold (21 tensors in model.safetensors)"},
		{`{"n_layer": 4000}`, "more layers than the weights can hold"},
		{`{"text_config": {"num_hidden_layers": 100}}`, "text_config.num_hidden_layers = 100: more layers than the weights"},
		// A vision tower these text models do not build: only the maximum.
		{`{"vision_config": {"num_hidden_layers": 100}}`, ""},
		{`{"vision_config": {"num_hidden_layers": 100000}}`, "vision_config.num_hidden_layers = 100000: more layers than any model has"},
		// Stacked experts: the count is a dimension of one tensor.
		{`{"num_experts": 256}`, ""},
		{`{"num_local_experts": 257}`, "more experts than the weights can hold"},
		{`{"n_routed_experts": 1e9}`, "more experts than any model has (at most 65536)"},
		{`{"hidden_size": 8192, "intermediate_size": 65536}`, ""},
		{`{"hidden_size": 65537}`, "hidden_size = 65537: larger than the weights can hold (their largest dimension is 256)"},
		{`{"head_dim": 1e9}`, "larger than the weights can hold"},
		{`{"vocab_size": 4294967296}`, "vocab_size = 4294967296: outside MLX's 32-bit dimensions"},
		{`{"num_attention_heads": -3000000000}`, "outside MLX's 32-bit dimensions"},
		{`{"num_hidden_layers": 1e12, "hidden_size": 1e12, "n_routed_experts": 1e12, "head_dim": 1e12}`, "(and 1 more)"},
	} {
		err := checkConfigSizes("config.json", []byte(tc.config), st)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.config, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.config, err, tc.want)
		}
	}
}

// TestQuantParamsAsMLX: CheckQuantParams accepts exactly what mx.quantize
// accepts over a grid of modes, group sizes and bits.
func TestQuantParamsAsMLX(t *testing.T) {
	var grid [][3]any
	for _, mode := range []string{"affine", "mxfp4", "nvfp4", "mxfp8"} {
		for _, gs := range []int{-64, 0, 7, 16, 32, 64, 128, 256} {
			for _, bits := range []int{-4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 16} {
				grid = append(grid, [3]any{mode, gs, bits})
			}
		}
	}
	b, _ := json.Marshal(grid)
	out := filepath.Join(t.TempDir(), "q.json")
	pyref.Run(t, "testdata/quant_verdicts.py", out, string(b))
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var verdicts map[string]string
	if err := json.Unmarshal(data, &verdicts); err != nil {
		t.Fatal(err)
	}
	for _, g := range grid {
		mode, gs, bits := g[0].(string), g[1].(int), g[2].(int)
		v := verdicts[fmt.Sprintf("%s/%d/%d", mode, gs, bits)]
		err := CheckQuantParams(mode, gs, bits)
		if (v == "ok") != (err == nil) {
			t.Errorf("%s group %d bits %d: MLX says %q, Go %v", mode, gs, bits, v, err)
		}
	}
}

// toyDir writes a valid two-layer toy checkpoint and returns its directory.
func toyDir(t *testing.T) string {
	t.Helper()
	toy.Register()
	dir := t.TempDir()
	config := map[string]any{"model_type": toy.ModelType, "vocab_size": 32, "hidden_size": 16, "num_attention_heads": 2, "num_hidden_layers": 2}
	m, err := toy.New(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := mlx.SaveSafetensors(filepath.Join(dir, "model.safetensors"), nn.Parameters(m.Module()), map[string]string{"format": "mlx"}); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(dir, "config.json"), config)
	return dir
}

func writeJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadHostile: model directories built to hang, exhaust or escape the
// loader fail within seconds, with an error naming the file and the cause.
func TestLoadHostile(t *testing.T) {
	edit := func(f func(c map[string]any)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
			var c map[string]any
			json.Unmarshal(b, &c)
			f(c)
			writeJSON(t, filepath.Join(dir, "config.json"), c)
		}
	}
	index := func(m map[string]string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			writeJSON(t, filepath.Join(dir, "model.safetensors.index.json"), map[string]any{"weight_map": m})
		}
	}
	outside := filepath.Join(t.TempDir(), "secret.json")
	os.WriteFile(outside, []byte(`{"model_type": "hf2go_toy"}`), 0o600)
	for _, tc := range []struct {
		name   string
		mangle func(t *testing.T, dir string)
		want   []string
	}{
		{"layers 1e12", edit(func(c map[string]any) { c["num_hidden_layers"] = 1e12 }), []string{"config.json", "num_hidden_layers", "at most 4096"}},
		{"more layers than tensors", edit(func(c map[string]any) { c["num_hidden_layers"] = 500 }), []string{"config.json", "more layers than the weights can hold"}},
		{"hidden size past int32", edit(func(c map[string]any) { c["hidden_size"] = 1 << 33 }), []string{"hidden_size", "32-bit"}},
		{"quantization group size 0", edit(func(c map[string]any) { c["quantization"] = map[string]any{"group_size": 0, "bits": 4} }), []string{"config.json", "group_size"}},
		{"quantization mxfp4 group 64", edit(func(c map[string]any) {
			c["quantization"] = map[string]any{"group_size": 64, "bits": 4, "mode": "mxfp4"}
		}), []string{"config.json", "mxfp4 quantization requires group size 32"}},
		{"config.json a FIFO", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "config.json"))
			syscall.Mkfifo(filepath.Join(dir, "config.json"), 0o644)
		}, []string{"config.json", "named pipe"}},
		{"config.json to /dev/zero", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "config.json"))
			os.Symlink("/dev/zero", filepath.Join(dir, "config.json"))
		}, []string{"config.json", "outside the model directory"}},
		{"config.json to a file outside", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "config.json"))
			os.Symlink(outside, filepath.Join(dir, "config.json"))
		}, []string{"config.json", "outside the model directory"}},
		{"config.json too large", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
			big := append(b[:len(b)-1], []byte(`, "pad": "`+strings.Repeat("x", 17<<20)+`"}`)...)
			os.WriteFile(filepath.Join(dir, "config.json"), big, 0o644)
		}, []string{"config.json", "16 MiB limit"}},
		{"config.json nested 100000 deep", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "hf2go_toy", "x": `+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`}`), 0o644)
		}, []string{"config.json", "invalid JSON"}},
		{"generation_config.json a FIFO", func(t *testing.T, dir string) {
			syscall.Mkfifo(filepath.Join(dir, "generation_config.json"), 0o644)
		}, []string{"generation_config.json", "named pipe"}},
		{"weights a FIFO", func(t *testing.T, dir string) {
			syscall.Mkfifo(filepath.Join(dir, "model-extra.safetensors"), 0o644)
		}, []string{"model-extra.safetensors", "named pipe"}},
		{"weights to /dev/zero", func(t *testing.T, dir string) {
			os.Symlink("/dev/zero", filepath.Join(dir, "model-zero.safetensors"))
		}, []string{"model-zero.safetensors", "outside the model directory"}},
		{"index names ../", index(map[string]string{"w": "../model.safetensors"}), []string{"model.safetensors.index.json", "path separator"}},
		{"index names an escape sequence", index(map[string]string{"w": "model\x1b[2J.safetensors"}), []string{"model.safetensors.index.json", "control character"}},
		{"index with 20000 shards", func(t *testing.T, dir string) {
			m := map[string]string{}
			for i := range 20000 {
				m[fmt.Sprint(i)] = fmt.Sprintf("model-%05d.safetensors", i)
			}
			index(m)(t, dir)
		}, []string{"model.safetensors.index.json", "more than 10000 shards"}},
		{"index names missing shards", index(map[string]string{"a": "model-1.safetensors", "b": "model-2.safetensors"}), []string{"names shards that are missing: model-1.safetensors, model-2.safetensors"}},
		{"a tensor in two files", func(t *testing.T, dir string) {
			mlx.SaveSafetensors(filepath.Join(dir, "model-2.safetensors"), map[string]*mlx.Array{"model.norm.weight": mlx.Ones(mlx.Float32, 16)}, nil)
		}, []string{`tensor "model.norm.weight" is in both model-2.safetensors and model.safetensors`}},
		{"saved shapes imply group size 0", func(t *testing.T, dir string) {
			// 0.32 infers each layer's group size from its scales: 16 input
			// dims over 32 scales is 0, a SIGFPE if it reached MLX.
			p := filepath.Join(dir, "model.safetensors")
			ts, err := mlx.LoadSafetensors(p)
			if err != nil {
				t.Fatal(err)
			}
			const l = "model.layers.0.self_attn.q_proj."
			ts.Arrays[l+"weight"] = mlx.Zeros(mlx.Uint32, 16, 2)
			ts.Arrays[l+"scales"] = mlx.Zeros(mlx.Float32, 16, 32)
			ts.Arrays[l+"biases"] = mlx.Zeros(mlx.Float32, 16, 32)
			if err := mlx.SaveSafetensors(p, ts.Arrays, nil); err != nil {
				t.Fatal(err)
			}
			edit(func(c map[string]any) { c["quantization"] = map[string]any{"group_size": 64, "bits": 4} })(t, dir)
		}, []string{"q_proj", "saved shapes imply group size 0"}},
		{"a truncated shard", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
			os.WriteFile(filepath.Join(dir, "model.safetensors"), b[:len(b)-100], 0o644)
		}, []string{"model.safetensors", "truncated"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := toyDir(t)
			tc.mangle(t, dir)
			done := make(chan error, 1)
			go func() {
				m, err := Load(context.Background(), dir, Options{NoProgress: true})
				if err == nil {
					m.Free()
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Load still running after 20s")
			}
			if err == nil {
				t.Fatalf("Load succeeded; want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
		})
	}
	// The unmangled directory loads: the guards refuse only what they should.
	m, err := Load(context.Background(), toyDir(t), Options{NoProgress: true})
	if err != nil {
		t.Fatal(err)
	}
	m.Free()
}

// TestFromWeightsChecksSizes: a config that did not come from config.json
// (GGUF metadata) gets the same size checks against the weights given.
func TestFromWeightsChecksSizes(t *testing.T) {
	toy.Register()
	weights := map[string]*mlx.Array{"model.norm.weight": mlx.Ones(mlx.Float32, 16)}
	config := map[string]any{"model_type": toy.ModelType, "vocab_size": 32.0, "hidden_size": 16.0, "num_attention_heads": 2.0, "num_hidden_layers": 1e12}
	_, err := FromWeights(context.Background(), "model.gguf", config, weights, Options{NoProgress: true})
	if err == nil || !strings.Contains(err.Error(), "model.gguf: num_hidden_layers = 1e+12: more layers than any model has") {
		t.Fatalf("error %v", err)
	}
}
