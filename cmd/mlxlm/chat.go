package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/tokenizer"
)

// chatCmd is mlx_lm chat: a REPL that keeps the prompt cache across turns,
// so each turn processes only its own tokens.
func chatCmd() *cobra.Command {
	var model, revision, systemPrompt, dtype string
	var maxTokens, maxKVSize int
	var sampling samplingFlags
	cmd := &cobra.Command{
		Use:   "chat --model DIR",
		Short: "Chat with a model (mlx_lm chat); 'q' quits, 'r' resets, 'h' helps",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			sampler, err := sampling.sampler()
			if err != nil {
				return err
			}
			m, tokFn, err := loadModel(ctx, &model, revision, dtype)
			if err != nil {
				return err
			}
			defer m.Free()
			tok, err := tokFn()
			if err != nil {
				return err
			}
			eos, err := eosIDs(m, tok, nil)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			help := func() {
				fmt.Fprintln(out, "The command list:\n- 'q' to exit\n- 'r' to reset the chat\n- 'h' to display these commands")
			}
			fmt.Fprintf(out, "[INFO] Starting chat session with %s.\n", model)
			help()
			pc, err := generate.NewPromptCache(m, maxKVSize)
			if err != nil {
				return err
			}
			defer func() { generate.FreeCache(pc) }()
			in := bufio.NewScanner(cmd.InOrStdin())
			in.Buffer(make([]byte, 1<<20), 1<<20)
			for {
				fmt.Fprint(out, ">> ")
				if !in.Scan() {
					fmt.Fprintln(out)
					return in.Err()
				}
				query := in.Text()
				switch strings.TrimSpace(query) {
				case "q":
					return nil
				case "r":
					generate.FreeCache(pc)
					if pc, err = generate.NewPromptCache(m, maxKVSize); err != nil {
						return err
					}
					continue
				case "h":
					help()
					continue
				}
				var msgs []map[string]any
				if systemPrompt != "" {
					msgs = append(msgs, map[string]any{"role": "system", "content": systemPrompt})
				}
				msgs = append(msgs, map[string]any{"role": "user", "content": query})
				var ids []int
				if tok.ChatTemplate() != "" {
					text, err := tok.ApplyChatTemplate(msgs, tokenizer.ChatOptions{AddGenerationPrompt: true})
					if err != nil {
						return err
					}
					ids, err = tok.Encode(text, false)
					if err != nil {
						return err
					}
				} else if ids, err = tok.Encode(query, true); err != nil {
					return err
				}
				o := generate.StreamOptions{Options: generate.Options{MaxTokens: maxTokens, Sampler: sampler, PromptCache: pc},
					Tokenizer: tok, EOSTokenIDs: eos}
				for r, err := range generate.Stream(ctx, m, ids, o) {
					if err != nil {
						return err
					}
					fmt.Fprint(out, r.Text)
				}
				fmt.Fprintln(out)
			}
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&model, "model", "", "model directory, .gguf file or Hugging Face repository id (org/name)")
	fl.StringVar(&revision, "revision", "main", revisionUsage)
	fl.StringVar(&dtype, "dtype", "auto", dtypeUsage)
	fl.StringVar(&systemPrompt, "system-prompt", "", "system prompt for the chat template")
	fl.IntVar(&maxTokens, "max-tokens", 256, "maximum number of tokens to generate per turn")
	fl.IntVar(&maxKVSize, "max-kv-size", 0, "maximum key-value cache size (0: unbounded)")
	sampling.register(cmd, 0)
	return cmd
}
