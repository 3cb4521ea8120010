package tokenizer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hf2go/hf2go/lm/jinja"
)

// ChatOptions are the apply_chat_template arguments besides the messages.
type ChatOptions struct {
	AddGenerationPrompt bool
	// Tools is passed to the template as `tools` (nil renders as None, as
	// transformers passes it). Elements may be json.RawMessage (decoded
	// keeping key order, which tojson then reproduces), *jinja.Dict, or Go
	// maps (keys sorted).
	Tools []any
	// Documents is passed as `documents` (nil: None).
	Documents []any
	// Extra variables, e.g. {"enable_thinking": false} for Qwen3.
	Extra map[string]any
	// Limits bound the render (zero: jinja.DefaultLimits).
	Limits jinja.Limits
	// Context cancels a render; nil means none.
	Context context.Context
}

// ApplyChatTemplate renders the tokenizer's chat template like transformers'
// apply_chat_template(tokenize=False): see RenderChat. Go maps have no key
// order, so message fields reach the template sorted by key; RenderChat with
// JSON keeps the caller's order.
func (t *Tokenizer) ApplyChatTemplate(messages []map[string]any, opts ChatOptions) (string, error) {
	return t.RenderChat(messages, opts)
}

// RenderChat renders the chat template for messages: a []map[string]any, a
// []any, or JSON (json.RawMessage or []byte, key order kept).
func (t *Tokenizer) RenderChat(messages any, opts ChatOptions) (string, error) {
	if t.chatTemplate == "" {
		return "", errors.New("tokenizer: no chat template (tokenizer_config.json chat_template, or the GGUF's tokenizer.chat_template)")
	}
	return RenderChatTemplate(t.chatTemplate, messages, t.specialTokenStrings, opts)
}

// compiled caches compiled templates by source (templates are immutable).
var compiled sync.Map

// RenderChatTemplate renders a chat template as transformers'
// render_jinja_template does (called by apply_chat_template): the template
// sees messages, tools, documents, add_generation_prompt, the special
// tokens (bos_token, eos_token, ...), the extra variables, and the
// functions raise_exception and strftime_now, in jinja's sandbox.
func RenderChatTemplate(template string, messages any, special map[string]string, opts ChatOptions) (string, error) {
	var tpl *jinja.Template
	if c, ok := compiled.Load(template); ok {
		tpl = c.(*jinja.Template)
	} else {
		var err error
		if tpl, err = jinja.Compile(template); err != nil {
			return "", fmt.Errorf("tokenizer: chat template does not parse: %w", err)
		}
		compiled.Store(template, tpl)
	}
	msgs, err := chatValue(messages)
	if err != nil {
		return "", fmt.Errorf("tokenizer: chat messages: %w", err)
	}
	vars := map[string]any{}
	for k, v := range special {
		vars[k] = v
	}
	for k, v := range opts.Extra {
		vars[k] = v
	}
	vars["messages"] = msgs
	vars["add_generation_prompt"] = opts.AddGenerationPrompt
	vars["tools"] = nil
	if opts.Tools != nil {
		vars["tools"] = opts.Tools
	}
	vars["documents"] = nil
	if opts.Documents != nil {
		vars["documents"] = opts.Documents
	}
	vars["raise_exception"] = jinja.Func(func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		msg := ""
		if len(args) > 0 {
			msg = fmt.Sprint(args[0])
		}
		return nil, &TemplateRaised{Msg: msg}
	})
	vars["strftime_now"] = jinja.Func(func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		f, _ := args0(args).(string)
		return strftime(time.Now(), f), nil
	})
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	out, err := tpl.Render(ctx, vars, opts.Limits)
	if err != nil {
		return "", fmt.Errorf("tokenizer: chat template: %w", err)
	}
	return out, nil
}

// TemplateRaised is a template's raise_exception(msg).
type TemplateRaised struct{ Msg string }

func (e *TemplateRaised) Error() string { return "the template raised an error: " + e.Msg }

func args0(a []jinja.Value) jinja.Value {
	if len(a) == 0 {
		return nil
	}
	return a[0]
}

func chatValue(messages any) (any, error) {
	switch m := messages.(type) {
	case []byte:
		return jinja.FromJSON(m)
	case []map[string]any:
		out := make([]any, len(m))
		for i, x := range m {
			out[i] = x
		}
		return out, nil
	}
	return messages, nil
}

// strftime supports the directives chat templates use for dates (Python's
// strftime in the C locale).
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
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
