package gguf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// WriteHFDir writes what a GGUF file holds as a Hugging Face style model
// directory that mlx-lm loads: config.json from the metadata (with the
// "quantization" of the tensors libmlx quantized), model.safetensors under
// mlx-lm's names (Q/K permutation undone), tokenizer.json and
// tokenizer_config.json equivalent to the GGUF tokenizer (chat template
// included). dir must not exist; it is created. `mlxlm convert` stages a
// GGUF file this way and then converts the directory as any other.
func WriteHFDir(ctx context.Context, path, dir string) error {
	g, err := Open(path)
	if err != nil {
		return err
	}
	v, err := g.Vocab()
	if err != nil {
		return err
	}
	tj, cj, err := tokenizer.GGUFFiles(path, v)
	if err != nil {
		return err
	}
	cfg, spec, err := g.Config()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	weights, err := g.Weights(spec, cfg)
	if err != nil {
		return err
	}
	defer func() {
		for _, w := range weights {
			w.Free()
		}
	}()
	if cfg["tie_word_embeddings"] == true {
		delete(weights, "lm_head.weight") // none in a tied file; kept for clarity
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(cfg); err != nil {
		return err
	}
	files := map[string][]byte{"config.json": buf.Bytes(), "tokenizer.json": tj, "tokenizer_config.json": cj}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := mlx.SaveSafetensors(filepath.Join(dir, "model.safetensors"), weights, map[string]string{"format": "mlx"}); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, "model.safetensors"), err)
	}
	return nil
}
