// Ported from mlx_lm/server.py
// Upstream: mlx-lm 0.32.2
// Blob: 9ab6fe910427c4efa953ddf57f82ec9d706fd68f
// Ported from mlx_lm/tokenizer_utils.py
// Upstream: mlx-lm 0.32.2
// Blob: 0819f7551faefe2b0ee7d260f7ad9e5f41c24c67
//
// From server.py: ResponseGenerator._tokenize, convert_chat.
// From tokenizer_utils.py: _infer_thinking, _infer_tool_parser.

package server

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/tokenizer"
)

// inferThinking is _infer_thinking: single-token markers first, then the
// multi-token ones.
func inferThinking(tok *tokenizer.Tokenizer) (start, end string, startIDs, endIDs []int) {
	for _, p := range [][2]string{{"<think>", "</think>"}, {"<longcat_think>", "</longcat_think>"}, {"<|think:start|>", "<|think:end|>"}} {
		a, ok1 := tok.TokenToID(p[0])
		b, ok2 := tok.TokenToID(p[1])
		if ok1 && ok2 {
			return p[0], p[1], []int{a}, []int{b}
		}
	}
	enc := func(s string) []int {
		ids, _ := tok.Encode(s, false)
		return ids
	}
	if _, ok := tok.TokenToID("<|channel>"); ok {
		if _, ok := tok.TokenToID("<channel|>"); ok {
			return "<|channel>thought", "<channel|>", enc("<|channel>thought"), enc("<channel|>")
		}
	}
	if isXTML(tok) {
		return "<|open|>think<|sep|>", "<|close|>think<|sep|>", enc("<|open|>think<|sep|>"), enc("<|close|>think<|sep|>")
	}
	return "", "", nil, nil
}

func isXTML(tok *tokenizer.Tokenizer) bool {
	for _, t := range []string{"<|open|>", "<|close|>", "<|sep|>", "<|end_of_msg|>"} {
		if _, ok := tok.TokenToID(t); !ok {
			return false
		}
	}
	return true
}

// inferToolParser is _infer_tool_parser: from the chat template's text,
// then the vocabulary.
func inferToolParser(tok *tokenizer.Tokenizer, template string) string {
	has := func(s string) bool { return strings.Contains(template, s) }
	if template != "" {
		switch {
		case has("<minimax:tool_call>"):
			return "minimax_m2"
		case has("<|tool_call>") && has("<tool_call|>"):
			return "gemma4"
		case has("<start_function_call>"):
			return "function_gemma"
		case has("<longcat_tool_call>"):
			return "longcat"
		case has("<arg_key>"):
			return "glm47"
		case has("<|tool_list_start|>") || has("<|tool_call_start|>"):
			return "pythonic"
		case has(`<tool_call>\n<function=`) || has("<tool_call>\n<function="):
			return "qwen3_coder"
		case has("<|tool_calls_section_begin|>"):
			return "kimi_k2"
		case has(`<function name="`) && has(`<param name="`):
			return "minicpm5"
		case has("[TOOL_CALLS]"):
			return "mistral"
		case has("<atem:function_calls>"):
			return "muse_spark"
		case has("<tool_call>") && has("tool_call.name"):
			return "json_tools"
		}
	}
	if isXTML(tok) {
		return "kimi_k3"
	}
	_, a := tok.TokenToID("<|tool_call_start|>")
	_, b := tok.TokenToID("<|tool_call_end|>")
	if a && b {
		return "pythonic"
	}
	return ""
}

// rfind is TokenizerWrapper._find(reverse=True) from start on.
func rfind(tokens, sequence []int, start int) int {
	if len(sequence) == 0 {
		return -1
	}
	start = max(start, 0)
	for i := len(tokens) - len(sequence); i >= start; i-- {
		match := true
		for j := range sequence {
			if tokens[i+j] != sequence[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// convertChat is convert_chat: the prompt for a tokenizer without a chat
// template.
func convertChat(messages []map[string]any, roleMapping map[string]any) string {
	rm := map[string]any{
		"system_prompt": "A chat between a curious user and an artificial intelligence assistant. The assistant follows the given rules no matter what.",
		"system":        "ASSISTANT's RULE: ",
		"user":          "USER: ",
		"assistant":     "ASSISTANT: ",
		"stop":          "\n",
	}
	if len(roleMapping) > 0 {
		rm = roleMapping
	}
	str := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		if v == nil {
			return ""
		}
		return fmt.Sprint(v)
	}
	var b strings.Builder
	for _, m := range messages {
		role, _ := m["role"].(string)
		b.WriteString(str(rm[role]))
		b.WriteString(str(m["content"]))
		b.WriteString(str(rm["stop"]))
	}
	b.WriteString(str(rm["assistant"]))
	return strings.TrimRightFunc(b.String(), isPySpace)
}

// plain converts decoded JSON (json.Number) into the Go values the chat
// template sees as Python's json.loads values: int64 or float64.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if isInt(x) {
			if i, err := x.Int64(); err == nil {
				return i
			}
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// prompt is a tokenized request.
type prompt struct {
	tokens       []int
	checkpoints  []engine.Checkpoint
	initialState string
}

func (s *Server) templateOptions(p *params, addGenerationPrompt bool) tokenizer.ChatOptions {
	extra := maps.Clone(s.cfg.ChatTemplateArgs)
	if extra == nil {
		extra = map[string]any{}
	}
	for k, v := range p.chatTemplateKwargs {
		extra[k] = plain(v)
	}
	if _, ok := extra["enable_thinking"]; !ok {
		extra["enable_thinking"] = s.format.hasThinking()
	}
	o := tokenizer.ChatOptions{AddGenerationPrompt: addGenerationPrompt, Extra: extra}
	if len(p.tools) > 0 {
		o.Tools = plain(p.tools).([]any)
	}
	return o
}

func (s *Server) render(msgs []map[string]any, o tokenizer.ChatOptions) ([]int, error) {
	in := make([]map[string]any, len(msgs))
	for i, m := range msgs {
		in[i] = plain(m).(map[string]any)
	}
	text, err := s.tok.ApplyChatTemplate(in, o)
	if err != nil {
		return nil, err
	}
	return s.tok.Encode(text, false)
}

// tokenize is _tokenize: the prompt, the prompt-cache checkpoints at the
// end of the system prompt and of the user turn, and the initial state of
// the text state machine.
func (s *Server) tokenize(p *params, chat bool) (*prompt, error) {
	if !chat {
		ids := p.promptTokens
		if ids == nil {
			var err error
			if ids, err = s.tok.Encode(p.prompt, true); err != nil {
				return nil, err
			}
		}
		return &prompt{tokens: ids, checkpoints: lastCheckpoint(len(ids), "assistant"), initialState: "normal"}, nil
	}
	if s.tok.ChatTemplate() == "" {
		ids, err := s.tok.Encode(convertChat(p.messages, p.roleMapping), true)
		if err != nil {
			return nil, err
		}
		return &prompt{tokens: ids, checkpoints: lastCheckpoint(len(ids), "assistant"), initialState: "normal"}, nil
	}
	o := s.templateOptions(p, true)
	ids, err := s.render(p.messages, o)
	if err != nil {
		return nil, err
	}
	out := &prompt{tokens: ids, initialState: "normal"}
	f := &s.format
	if f.hasThinking() {
		if rfind(ids, f.thinkStartIDs, 0) > rfind(ids, f.thinkEndIDs, 0) {
			out.initialState = "reasoning"
		}
	}
	if p.messages[len(p.messages)-1]["role"] != "user" {
		out.checkpoints = lastCheckpoint(len(ids), "assistant")
		return out, nil
	}
	// The system prompt's end: where rendering the system messages alone
	// (with an empty user turn) stops agreeing with the prompt.
	numSystem, sysEnd := 0, 0
	for _, m := range p.messages {
		if m["role"] != "system" {
			break
		}
		numSystem++
	}
	if numSystem > 0 {
		sysMsgs := append(append([]map[string]any{}, p.messages[:numSystem]...), map[string]any{"role": "user", "content": ""})
		so := o
		so.AddGenerationPrompt = false
		sysTokens, err := s.render(sysMsgs, so)
		if err == nil {
			for i := 0; i < min(len(sysTokens), len(ids)); i++ {
				if sysTokens[i] != ids[i] {
					sysEnd = i
					break
				}
			}
		}
	}
	tailStart := len(ids)
	if f.hasThinking() {
		if ts := rfind(ids, f.thinkStartIDs, tailStart-11); ts >= 0 {
			tailStart = ts
		}
	}
	// Segments [0:sysEnd] system, [sysEnd:tailStart] user, [tailStart:]
	// assistant; each ends in a checkpoint except the last, whose final
	// token is split off (insert_segments) and which ends at len-1.
	type seg struct {
		end int
		typ string
	}
	var segs []seg
	if sysEnd > 0 && sysEnd < len(ids) {
		segs = append(segs, seg{sysEnd, "system"})
	}
	if sysEnd < tailStart {
		segs = append(segs, seg{tailStart, "user"})
	}
	if tailStart < len(ids) {
		segs = append(segs, seg{len(ids), "assistant"})
	}
	for i, sg := range segs {
		at := sg.end
		if i == len(segs)-1 {
			at = len(ids) - 1
		}
		if at > 0 {
			out.checkpoints = append(out.checkpoints, engine.Checkpoint{At: at, Type: sg.typ})
		}
	}
	return out, nil
}

func lastCheckpoint(n int, typ string) []engine.Checkpoint {
	if n > 1 {
		return []engine.Checkpoint{{At: n - 1, Type: typ}}
	}
	return nil
}

// isPySpace is str.isspace for one character.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
