package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/ported/cache"
)

type genFlags struct {
	model, revision, prompt, promptTokens, systemPrompt, dtype string
	promptCacheFile                                            string
	maxTokens, maxKVSize, kvBits, kvGroupSize                  int
	quantizedKVStart, prefillStepSize                          int
	ignoreChatTemplate, jsonOut, verbose                       bool
	extraEOS, stop                                             []string
	sampling                                                   samplingFlags
}

func generateCmd() *cobra.Command {
	var f genFlags
	cmd := &cobra.Command{
		Use:   "generate --model DIR (--prompt TEXT | --prompt-tokens 1,2,3)",
		Short: "Generate text (mlx_lm generate)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runGenerate(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model directory, .gguf file or Hugging Face repository id (org/name)")
	fl.StringVar(&f.revision, "revision", "main", revisionUsage)
	fl.StringVar(&f.dtype, "dtype", "auto", dtypeUsage)
	fl.StringVarP(&f.prompt, "prompt", "p", "hello", "message to be processed by the model ('-' reads stdin)")
	fl.StringVar(&f.promptTokens, "prompt-tokens", "", "prompt as comma-separated token ids (no tokenizer needed)")
	fl.StringVar(&f.systemPrompt, "system-prompt", "", "system prompt for the chat template")
	fl.IntVarP(&f.maxTokens, "max-tokens", "m", 100, "maximum number of tokens to generate")
	fl.IntVar(&f.maxKVSize, "max-kv-size", 0, "maximum key-value cache size (0: unbounded)")
	fl.IntVar(&f.kvBits, "kv-bits", 0, "bits for KV cache quantization (0: none)")
	fl.IntVar(&f.kvGroupSize, "kv-group-size", 64, "group size for KV cache quantization")
	fl.IntVar(&f.quantizedKVStart, "quantized-kv-start", 5000, "with --kv-bits, quantize the KV cache from this step on")
	fl.IntVar(&f.prefillStepSize, "prefill-step-size", 2048, "prompt processing chunk size")
	fl.StringVar(&f.promptCacheFile, "prompt-cache-file", "", "a file of saved caches (mlxlm or mlx_lm cache_prompt) the prompt continues")
	fl.BoolVar(&f.ignoreChatTemplate, "ignore-chat-template", false, "use the raw prompt without the tokenizer's chat template")
	fl.BoolVar(&f.jsonOut, "json", false, "print one JSON object: tokens, prompt_tps, generation_tps, peak_memory_gb")
	fl.BoolVar(&f.verbose, "verbose", true, "print timings after the text")
	fl.StringSliceVar(&f.extraEOS, "extra-eos-token", nil, "extra tokens (strings) that stop generation")
	fl.StringSliceVar(&f.stop, "stop", nil, "strings that stop generation")
	f.sampling.register(cmd, 0)
	return cmd
}

// loadTokenizer reads the model directory's tokenizer.
func loadTokenizer(dir string) (*tokenizer.Tokenizer, error) {
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// eosIDs is TokenizerWrapper.eos_token_ids: config's eos_token_id, else the
// tokenizer's, plus --extra-eos-token.
func eosIDs(m *loader.Model, tok *tokenizer.Tokenizer, extra []string) ([]int, error) {
	ids := slices.Clone(m.EOSTokenIDs)
	if len(ids) == 0 && tok != nil {
		if id, ok := tok.EOS(); ok {
			ids = append(ids, id)
		}
	}
	for _, s := range extra {
		if tok == nil {
			return nil, fmt.Errorf("--extra-eos-token needs a tokenizer")
		}
		id, ok := tok.TokenToID(s)
		if !ok {
			return nil, fmt.Errorf("--extra-eos-token %q is not a token of the vocabulary", s)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func encodePrompt(tok *tokenizer.Tokenizer, f *genFlags, stdin io.Reader) ([]int, error) {
	prompt := strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(f.prompt)
	if prompt == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, err
		}
		prompt = string(data)
	}
	if !f.ignoreChatTemplate && tok.ChatTemplate() != "" {
		var msgs []map[string]any
		if f.systemPrompt != "" {
			msgs = append(msgs, map[string]any{"role": "system", "content": f.systemPrompt})
		}
		msgs = append(msgs, map[string]any{"role": "user", "content": prompt})
		text, err := tok.ApplyChatTemplate(msgs, tokenizer.ChatOptions{AddGenerationPrompt: true})
		if err != nil {
			return nil, err
		}
		if f.promptCacheFile != "" {
			// The prompt is a suffix: the cache holds the chat up to the
			// user's message (generate.py renders "<query>" in its place).
			msgs[len(msgs)-1]["content"] = "<query>"
			test, err := tok.ApplyChatTemplate(msgs, tokenizer.ChatOptions{AddGenerationPrompt: true})
			if err != nil {
				return nil, err
			}
			i := strings.Index(test, "<query>")
			if i < 0 || i > len(text) {
				return nil, errors.New("--prompt-cache-file: the chat template does not render the message content")
			}
			text = text[i:]
		}
		return tok.Encode(text, false)
	}
	return tok.Encode(prompt, true)
}

func runGenerate(cmd *cobra.Command, f *genFlags) error {
	ctx := cmd.Context()
	if f.maxTokens < 0 {
		return fmt.Errorf("--max-tokens must be >= 0, got %d", f.maxTokens)
	}
	if f.kvBits < 0 || f.kvBits > 8 {
		return fmt.Errorf("--kv-bits must be between 1 and 8, got %d", f.kvBits)
	}
	sampler, err := f.sampling.sampler()
	if err != nil {
		return err
	}
	var pc []cache.Cache
	if f.promptCacheFile != "" {
		if pc, err = loadPromptCacheFile(f.promptCacheFile, &f.model, f.kvBits, f.kvGroupSize, cmd.Flags().Changed("kv-bits")); err != nil {
			return err
		}
		defer generate.FreeCache(pc)
	}
	m, tokFn, err := loadModel(ctx, &f.model, f.revision, f.dtype)
	if err != nil {
		return err
	}
	defer m.Free()
	// Launched as one rank of a group (mlxlm launch): shard, and let rank 0 speak.
	group, err := shardLaunched(m)
	if err != nil {
		return err
	}
	stdout := cmd.OutOrStdout()
	if group != nil && group.Rank() != 0 {
		stdout = io.Discard
	}
	usePromptTokens := cmd.Flags().Changed("prompt-tokens")
	var tok *tokenizer.Tokenizer
	if !usePromptTokens || !f.jsonOut {
		if tok, err = tokFn(); err != nil {
			if usePromptTokens {
				return fmt.Errorf("%w (text output needs a tokenizer; --json does not)", err)
			}
			return fmt.Errorf("%w (--prompt needs a tokenizer; --prompt-tokens does not)", err)
		}
	}
	var prompt []int
	if usePromptTokens {
		if prompt, err = parseTokens("prompt-tokens", f.promptTokens, m.VocabSize); err != nil {
			return err
		}
	} else if prompt, err = encodePrompt(tok, f, cmd.InOrStdin()); err != nil {
		return err
	}
	if len(prompt) == 0 {
		return errors.New("the prompt encodes to no tokens")
	}
	eos, err := eosIDs(m, tok, f.extraEOS)
	if err != nil {
		return err
	}
	o := generate.StreamOptions{
		Options: generate.Options{MaxTokens: f.maxTokens, Sampler: sampler, MaxKVSize: f.maxKVSize,
			PrefillStepSize: f.prefillStepSize, KVBits: f.kvBits, KVGroupSize: f.kvGroupSize,
			QuantizedKVStart: f.quantizedKVStart, PromptCache: pc},
		Tokenizer: tok, EOSTokenIDs: eos, StopStrings: f.stop,
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if !f.jsonOut {
		fmt.Fprintln(out, "==========")
	}
	var last generate.Response
	tokens := []int{}
	text := ""
	for r, err := range generate.Stream(ctx, m, prompt, o) {
		if err != nil {
			return err
		}
		last = r
		tokens = append(tokens, r.Token)
		text += r.Text
		if !f.jsonOut {
			fmt.Fprint(out, r.Text)
			out.Flush()
		}
	}
	if f.jsonOut {
		res := map[string]any{
			"tokens": tokens, "prompt_tokens": len(prompt), "generation_tokens": last.GenerationTokens,
			"prompt_tps": last.PromptTPS, "generation_tps": last.GenerationTPS,
			"peak_memory_gb": last.PeakMemoryGB, "finish_reason": last.FinishReason,
			// The bytes of parameters this process holds: all of them, or its shard.
			"parameter_bytes": parameterBytes(m),
		}
		if group != nil {
			res["world_size"] = group.Size()
		}
		if tok != nil {
			res["text"] = text
		}
		enc := json.NewEncoder(out)
		return enc.Encode(res)
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "==========")
	if f.verbose {
		if len(tokens) == 0 {
			fmt.Fprintln(out, "No text generated for this prompt")
			return nil
		}
		fmt.Fprintf(out, "Prompt: %d tokens, %.3f tokens-per-sec\n", last.PromptTokens, last.PromptTPS)
		fmt.Fprintf(out, "Generation: %d tokens, %.3f tokens-per-sec\n", last.GenerationTokens, last.GenerationTPS)
		fmt.Fprintf(out, "Peak memory: %.3f GB\n", last.PeakMemoryGB)
	}
	return nil
}
