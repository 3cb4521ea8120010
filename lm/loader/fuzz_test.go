package loader

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/hf2go/hf2go/generated/models/llama"
)

var (
	fuzzWeightsOnce sync.Once
	fuzzWeights     []byte
)

// FuzzConfig: any config.json beside a valid two-layer checkpoint loads or
// fails with an error within seconds; never a panic, a hang or a Go fatal
// error (out of memory from a size the checks let through).
func FuzzConfig(f *testing.F) {
	for _, seed := range []string{
		`{"model_type": "hf2go_toy", "vocab_size": 32, "hidden_size": 16, "num_attention_heads": 2, "num_hidden_layers": 2}`,
		`{"model_type": "hf2go_toy", "vocab_size": 32, "hidden_size": 16, "num_attention_heads": 2, "num_hidden_layers": 1e12}`,
		`{"model_type": "llama", "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "rms_norm_eps": 1e-5, "vocab_size": 32}`,
		`{"model_type": "llama", "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "rms_norm_eps": 1e-5, "vocab_size": 32, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}`,
		`{"model_type": "llama", "head_dim": 65536, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "rms_norm_eps": 1e-5, "vocab_size": 32}`,
		`{"model_type": "hf2go_toy", "quantization": {"group_size": 64, "bits": 4, "model.layers.0.self_attn.q_proj": {"group_size": 0}}}`,
		`{"model_type": "hf2go_toy", "text_config": {"num_hidden_layers": 3}, "eos_token_id": [1, 2]}`,
		`[]`, `{"model_type": 5}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, config []byte) {
		fuzzWeightsOnce.Do(func() {
			var err error
			fuzzWeights, err = os.ReadFile(filepath.Join(toyDir(t), "model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
		})
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "config.json"), config, 0o644)
		os.WriteFile(filepath.Join(dir, "model.safetensors"), fuzzWeights, 0o644)
		done := make(chan error, 1)
		go func() {
			m, err := Load(context.Background(), dir, Options{NoProgress: true, Lazy: true})
			if err == nil {
				m.Free()
			}
			done <- err
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("Load of %q still running after 20s", config)
		}
	})
}
