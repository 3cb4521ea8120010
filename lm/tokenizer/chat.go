package tokenizer

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
)

// ChatOptions are the apply_chat_template arguments besides the messages.
type ChatOptions struct {
	AddGenerationPrompt bool
	// Tools is passed to the template as `tools` (nil renders as none).
	Tools []any
	// Extra variables, e.g. {"enable_thinking": false} for Qwen3.
	Extra map[string]any
}

// ApplyChatTemplate renders the tokenizer_config.json chat template like
// transformers' apply_chat_template(tokenize=False): Jinja with trim_blocks
// and lstrip_blocks, the special tokens and raise_exception in scope.
//
// It uses gonja, which implements most but not all of Jinja: notably a
// parenthesised conditional expression such as `(a if b else c)` (used by
// Gemma's template) does not parse, and tojson does not add Python's spaces.
// Such templates return an error rather than wrong text.
func (t *Tokenizer) ApplyChatTemplate(messages []map[string]any, opts ChatOptions) (string, error) {
	if t.chatTemplate == "" {
		return "", errors.New("tokenizer: no chat_template in tokenizer_config.json")
	}
	cfg := config.New()
	cfg.TrimBlocks = true
	cfg.LeftStripBlocks = true
	// Parsed per call: templates are small, and this keeps rendering free of
	// shared mutable state whatever gonja does internally.
	loader, err := loaders.NewFileSystemLoader("")
	if err != nil {
		return "", fmt.Errorf("tokenizer: chat template: %w", err)
	}
	const root = "chat_template"
	shifted, err := loaders.NewShiftedLoader(root, bytes.NewReader([]byte(t.chatTemplate)), loader)
	if err != nil {
		return "", fmt.Errorf("tokenizer: chat template: %w", err)
	}
	tpl, err := exec.NewTemplate(root, cfg, shifted, gonja.DefaultEnvironment)
	if err != nil {
		return "", fmt.Errorf("tokenizer: chat template does not parse: %w", err)
	}
	msgs := make([]any, len(messages))
	for i, m := range messages {
		msgs[i] = m
	}
	vars := map[string]any{
		"messages":              msgs,
		"add_generation_prompt": opts.AddGenerationPrompt,
		"raise_exception": func(msg string) (string, error) {
			return "", errors.New(msg)
		},
		"strftime_now": func(format string) string { return strftime(time.Now(), format) },
	}
	if opts.Tools != nil {
		vars["tools"] = opts.Tools
	}
	for k, v := range t.specialTokenStrings {
		vars[k] = v
	}
	for k, v := range opts.Extra {
		vars[k] = v
	}
	out, err := tpl.ExecuteToString(exec.NewContext(vars))
	if err != nil {
		return "", fmt.Errorf("tokenizer: chat template: %w", err)
	}
	return out, nil
}

// strftime supports the directives chat templates use for dates.
func strftime(t time.Time, f string) string {
	var b bytes.Buffer
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
