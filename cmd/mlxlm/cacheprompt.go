package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/ported/cache"
)

// mlx_lm.cache_prompt and generate's --prompt-cache-file: a prompt's
// caches saved with save_prompt_cache, in files mlx-lm reads and writes
// (metadata "model" and "tokenizer_config", as mlx-lm 0.32.2 stores them).

type cachePromptFlags struct {
	model, revision, dtype, prompt, promptTokens, file string
	maxKVSize, kvBits, kvGroupSize, quantizedKVStart   int
}

func cachePromptCmd() *cobra.Command {
	var f cachePromptFlags
	cmd := &cobra.Command{
		Use:   "cache_prompt --model DIR --prompt TEXT --prompt-cache-file FILE",
		Short: "Save the caches of a prompt for generate --prompt-cache-file (mlx_lm cache_prompt)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runCachePrompt(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "mlx_model", "model directory, .gguf file or Hugging Face repository id (org/name)")
	fl.StringVar(&f.revision, "revision", "main", revisionUsage)
	fl.StringVar(&f.dtype, "dtype", "auto", dtypeUsage)
	fl.StringVar(&f.prompt, "prompt", "", "message to be processed by the model ('-' reads stdin)")
	fl.StringVar(&f.promptTokens, "prompt-tokens", "", "prompt as comma-separated token ids (no chat template)")
	fl.StringVar(&f.file, "prompt-cache-file", "", "the file to save the prompt cache in")
	fl.IntVar(&f.maxKVSize, "max-kv-size", 0, "maximum key-value cache size (0: unbounded)")
	fl.IntVar(&f.kvBits, "kv-bits", 0, "bits for KV cache quantization (0: none)")
	fl.IntVar(&f.kvGroupSize, "kv-group-size", 64, "group size for KV cache quantization")
	fl.IntVar(&f.quantizedKVStart, "quantized-kv-start", generate.DefaultQuantizedKVStart, "with --kv-bits, quantize the KV cache from this step on")
	return cmd
}

// continueFinalMessage is apply_chat_template(..., add_generation_prompt=False,
// continue_final_message=True) as transformers does it: the rendered chat
// cut right after the final message's (stripped) content.
func continueFinalMessage(tok *tokenizer.Tokenizer, msgs []map[string]any) (string, error) {
	text, err := tok.ApplyChatTemplate(msgs, tokenizer.ChatOptions{})
	if err != nil {
		return "", err
	}
	final := strings.TrimSpace(fmt.Sprint(msgs[len(msgs)-1]["content"]))
	i := strings.LastIndex(text, final)
	if i < 0 {
		return "", errors.New("continue_final_message: the final message does not appear in the rendered chat template")
	}
	return text[:i+len(final)], nil
}

func runCachePrompt(cmd *cobra.Command, f *cachePromptFlags) error {
	if f.file == "" {
		return errors.New("--prompt-cache-file is required")
	}
	if f.prompt == "" && !cmd.Flags().Changed("prompt-tokens") {
		return errors.New("--prompt (or --prompt-tokens) is required")
	}
	if f.kvBits < 0 || f.kvBits > 8 {
		return fmt.Errorf("--kv-bits must be between 1 and 8, got %d", f.kvBits)
	}
	modelArg := f.model // the metadata keeps the name as given, as mlx-lm's
	m, tokFn, err := loadModel(cmd.Context(), &f.model, f.revision, f.dtype)
	if err != nil {
		return err
	}
	defer m.Free()
	var prompt []int
	if cmd.Flags().Changed("prompt-tokens") {
		if prompt, err = parseTokens("prompt-tokens", f.promptTokens, m.VocabSize); err != nil {
			return err
		}
	} else {
		tok, err := tokFn()
		if err != nil {
			return err
		}
		text := f.prompt
		if text == "-" {
			data, err := io.ReadAll(cmd.InOrStdin())
			if err != nil {
				return err
			}
			text = string(data)
		}
		if tok.ChatTemplate() != "" {
			if text, err = continueFinalMessage(tok, []map[string]any{{"role": "user", "content": text}}); err != nil {
				return err
			}
			prompt, err = tok.Encode(text, false)
		} else {
			prompt, err = tok.Encode(text, true)
		}
		if err != nil {
			return err
		}
	}
	if len(prompt) == 0 {
		return errors.New("the prompt encodes to no tokens")
	}
	pc, err := generate.NewPromptCache(m, f.maxKVSize)
	if err != nil {
		return err
	}
	defer generate.FreeCache(pc)
	o := generate.Options{MaxTokens: 0, PromptCache: pc, KVBits: f.kvBits, KVGroupSize: f.kvGroupSize,
		QuantizedKVStart: f.quantizedKVStart,
		PromptProgress: func(done, total int) {
			fmt.Fprintf(cmd.ErrOrStderr(), "\rProcessed %6d tokens", done)
		}}
	for _, err := range generate.GenerateStep(cmd.Context(), m, prompt, o) {
		if err != nil {
			return err
		}
	}
	fmt.Fprintln(cmd.ErrOrStderr())
	// cache_prompt's tokenizer_config: {"trust_remote_code": False}, as
	// json.dumps writes it.
	meta := map[string]string{"model": modelArg, "tokenizer_config": `{"trust_remote_code": false}`}
	if err := os.MkdirAll(filepath.Dir(f.file), 0o755); err != nil {
		return err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "Saving...")
	return cache.SavePromptCache(f.file, pc, meta)
}

// loadPromptCacheFile is generate's --prompt-cache-file: the caches, and
// the model they were made with (--model must be empty or that model).
func loadPromptCacheFile(file string, model *string, kvBits, kvGroupSize int, kvBitsSet bool) ([]cache.Cache, error) {
	pc, meta, err := cache.LoadPromptCache(file)
	if err != nil {
		return nil, err
	}
	fail := func(err error) ([]cache.Cache, error) {
		cache.Free(pc...)
		return nil, err
	}
	if len(pc) == 0 {
		return fail(fmt.Errorf("--prompt-cache-file %s holds no caches", file))
	}
	if q, ok := pc[0].(*cache.QuantizedKVCache); ok {
		if kvBitsSet && kvBits != q.QuantBits() {
			return fail(errors.New("--kv-bits does not match the kv cache loaded from --prompt-cache-file"))
		}
		if kvGroupSize != q.QuantGroupSize() {
			return fail(errors.New("--kv-group-size does not match the kv cache loaded from --prompt-cache-file"))
		}
	}
	if tc, ok := meta["tokenizer_config"]; ok {
		var v map[string]any
		if err := json.Unmarshal([]byte(tc), &v); err != nil {
			return fail(fmt.Errorf("--prompt-cache-file %s: metadata tokenizer_config is not a JSON object: %v", file, err))
		}
	}
	made, ok := meta["model"]
	if !ok {
		return fail(fmt.Errorf("--prompt-cache-file %s: the metadata names no model", file))
	}
	switch {
	case *model == "":
		*model = made
	case *model != made:
		return fail(fmt.Errorf("Providing a different model (%s) than that used to create the prompt cache (%s) is an error.", *model, made))
	}
	return pc, nil
}
