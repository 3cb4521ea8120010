package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/gguf"
	"github.com/hf2go/hf2go/lm/tokenizer"
)

// templateCmd prints the prompt a model's chat template renders for a
// conversation, as transformers' apply_chat_template(tokenize=False) would:
// for users debugging a template, and for tests.
func templateCmd() *cobra.Command {
	var model, revision, messages, tools, extra string
	var noGen bool
	cmd := &cobra.Command{
		Use:   "template --model DIR|FILE.gguf --messages FILE.json [--tools FILE.json] [--no-generation-prompt]",
		Short: "Print the prompt the model's chat template renders for a conversation",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if model == "" {
				return fmt.Errorf("--model is required: a model directory, a .gguf file or a Hub repository id")
			}
			if messages == "" {
				return fmt.Errorf("--messages is required: a JSON file with a list of {\"role\", \"content\"} messages")
			}
			var tok *tokenizer.Tokenizer
			var err error
			if gguf.IsGGUF(model) {
				g, err := gguf.Open(model)
				if err != nil {
					return err
				}
				if tok, err = g.Tokenizer(); err != nil {
					return err
				}
			} else {
				dir, err := resolveModel(cmd.Context(), model, revision)
				if err != nil {
					return err
				}
				if tok, err = loadTokenizer(dir); err != nil {
					return err
				}
			}
			msgs, err := readJSONFile(messages, "--messages", '[')
			if err != nil {
				return err
			}
			o := tokenizer.ChatOptions{AddGenerationPrompt: !noGen, Context: cmd.Context()}
			if tools != "" {
				raw, err := readJSONFile(tools, "--tools", '[')
				if err != nil {
					return err
				}
				var list []json.RawMessage
				if err := json.Unmarshal(raw, &list); err != nil {
					return fmt.Errorf("--tools %s: %v", tools, err)
				}
				for _, t := range list {
					o.Tools = append(o.Tools, t)
				}
			}
			if extra != "" {
				if err := json.Unmarshal([]byte(extra), &o.Extra); err != nil {
					return fmt.Errorf("--chat-template-args: expected a JSON object: %v", err)
				}
			}
			out, err := tok.RenderChat(msgs, o)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&model, "model", "", "model directory, .gguf file or Hugging Face repository id (org/name)")
	fl.StringVar(&revision, "revision", "main", revisionUsage)
	fl.StringVar(&messages, "messages", "", "JSON file: the conversation, a list of messages")
	fl.StringVar(&tools, "tools", "", "JSON file: a list of tool (function) schemas")
	fl.StringVar(&extra, "chat-template-args", "", "JSON object of extra template variables, e.g. '{\"enable_thinking\": false}'")
	fl.BoolVar(&noGen, "no-generation-prompt", false, "do not add the generation prompt (add_generation_prompt=False)")
	return cmd
}

// readJSONFile reads a small JSON file whose value must start with want.
func readJSONFile(path, flag string, want byte) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if !st.Mode().IsRegular() || st.Size() > 64<<20 {
		return nil, fmt.Errorf("%s %s: not a regular file of at most 64 MiB", flag, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s %s: invalid JSON: %v", flag, path, err)
	}
	if _, ok := v.([]any); !ok && want == '[' {
		return nil, fmt.Errorf("%s %s: expected a JSON list", flag, path)
	}
	return data, nil
}
