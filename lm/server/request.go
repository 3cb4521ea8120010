// Ported from mlx_lm/server.py
// Upstream: mlx-lm 0.32.2
// Blob: 9ab6fe910427c4efa953ddf57f82ec9d706fd68f
//
// From server.py: APIHandler.do_POST, validate_model_parameters, process_message_content.

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// params are a completion request's fields after validation, with the
// server's defaults filled in as do_POST does.
type params struct {
	stream, includeUsage  bool
	model                 string
	maxTokens             int
	temperature, topP     float64
	minP                  float64
	topK                  int
	repetitionPenalty     float64
	repetitionContextSize int
	logitBias             map[int]float64
	logprobs              bool
	topLogprobs           int
	seed                  *uint64
	stop                  []string
	chatTemplateKwargs    map[string]any

	// chat completions
	messages    []map[string]any
	tools       []any
	roleMapping map[string]any
	// text completions: a string, or token ids
	prompt       string
	promptTokens []int
}

// decodeBody reads a JSON object, numbers kept as written (int vs float
// matters for the type checks, as in Python).
func decodeBody(r *http.Request, limit int64) (map[string]any, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error",
				Message: fmt.Sprintf("request body is larger than %d bytes", limit)}
		}
		return nil, badRequest("", "cannot read the request body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest("", "Invalid JSON in request body: %v", err)
	}
	if dec.More() {
		return nil, badRequest("", "Invalid JSON in request body: extra data after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, badRequest("", "Request should be a JSON dictionary")
	}
	return m, nil
}

func isInt(v any) bool {
	n, ok := v.(json.Number)
	return ok && !strings.ContainsAny(string(n), ".eE")
}

func isNumber(v any) bool { _, ok := v.(json.Number); return ok }

func isFloat(v any) bool { return isNumber(v) && !isInt(v) }

func num(v any) float64 {
	f, _ := v.(json.Number).Float64()
	return f
}

// intValue reads an int field; ok false when it does not fit.
func intValue(v any) (int, bool) {
	i, err := strconv.ParseInt(string(v.(json.Number)), 10, 64)
	if err != nil || i > math.MaxInt32 || i < math.MinInt32 {
		return 0, false
	}
	return int(i), true
}

type check struct {
	name     string
	kind     string // "bool", "int", "number", "float", "string", "object"
	min, max *float64
	optional bool
	allow    []float64 // whitelist
}

func f64(v float64) *float64 { return &v }

// validate is _validate: the type, then the range, in do_POST's order and
// wording.
func (c check) validate(v any, present bool) *apiError {
	if !present || (c.optional && v == nil) {
		return nil
	}
	ok := false
	switch c.kind {
	case "bool":
		_, ok = v.(bool)
	case "int":
		ok = isInt(v)
	case "number":
		ok = isNumber(v)
	case "float":
		ok = isFloat(v)
	case "string":
		_, ok = v.(string)
	case "object":
		_, ok = v.(map[string]any)
	}
	if !ok {
		names := map[string]string{"bool": "bool", "int": "int", "number": "('float', 'int')", "float": "float", "string": "str", "object": "dict"}
		return badRequest(c.name, "%s must be of type %s", c.name, names[c.kind])
	}
	if !isNumber(v) {
		return nil
	}
	x := num(v)
	for _, a := range c.allow {
		if x == a {
			return nil
		}
	}
	if c.min != nil && x < *c.min {
		return badRequest(c.name, "%s must be at least %v", c.name, *c.min)
	}
	if c.max != nil && x > *c.max {
		return badRequest(c.name, "%s must be at most %v", c.name, *c.max)
	}
	return nil
}

// Defaults are the server-wide sampling defaults (the CLI's --temp etc.).
type Defaults struct {
	Temp, TopP, MinP float64
	TopK, MaxTokens  int
}

// parseParams reads and validates the fields do_POST reads.
func parseParams(body map[string]any, d Defaults, chat bool) (*params, *apiError) {
	get := func(k string) (any, bool) { v, ok := body[k]; return v, ok }
	checks := []check{
		{name: "stream", kind: "bool"},
		{name: "max_completion_tokens", kind: "int", min: f64(1), optional: true},
		{name: "max_tokens", kind: "int", min: f64(1), optional: true},
		{name: "temperature", kind: "number", min: f64(0)},
		{name: "top_p", kind: "number", min: f64(0), max: f64(1)},
		{name: "top_k", kind: "int", min: f64(0)},
		{name: "min_p", kind: "number", min: f64(0), max: f64(1)},
		{name: "num_draft_tokens", kind: "int", min: f64(0)},
		{name: "repetition_penalty", kind: "number", min: f64(0)},
		{name: "repetition_context_size", kind: "int", min: f64(0)},
		{name: "presence_penalty", kind: "number"},
		{name: "presence_context_size", kind: "int", min: f64(0)},
		{name: "frequency_penalty", kind: "number"},
		{name: "frequency_context_size", kind: "int", min: f64(0)},
		{name: "logprobs", kind: "bool"},
		{name: "top_logprobs", kind: "int", min: f64(0), max: f64(11), allow: []float64{-1}},
		{name: "xtc_probability", kind: "float", min: f64(0), max: f64(1)},
		{name: "xtc_threshold", kind: "float", min: f64(0), max: f64(1)},
		{name: "model", kind: "string"},
		{name: "adapters", kind: "string", optional: true},
		{name: "seed", kind: "int", optional: true},
		{name: "logit_bias", kind: "object", optional: true},
		{name: "stream_options", kind: "object", optional: true},
		{name: "chat_template_kwargs", kind: "object", optional: true},
		{name: "n", kind: "int", optional: true},
	}
	for _, c := range checks {
		v, ok := get(c.name)
		if e := c.validate(v, ok); e != nil {
			return nil, e
		}
	}
	p := &params{model: "default_model", temperature: d.Temp, topP: d.TopP, topK: d.TopK, minP: d.MinP,
		maxTokens: d.MaxTokens, repetitionContextSize: 20, topLogprobs: -1}
	if v, ok := get("stream"); ok {
		p.stream = v.(bool)
	}
	if v, ok := body["stream_options"].(map[string]any); ok {
		if b, ok := v["include_usage"].(bool); ok {
			p.includeUsage = b
		}
	}
	if v, ok := get("model"); ok {
		p.model = v.(string)
	}
	mt, hasMT := get("max_completion_tokens")
	if !hasMT || mt == nil {
		mt, hasMT = get("max_tokens")
	}
	if hasMT && mt != nil {
		n, ok := intValue(mt)
		if !ok {
			return nil, badRequest("max_tokens", "max_tokens is too large")
		}
		p.maxTokens = n
	}
	if v, ok := get("temperature"); ok {
		p.temperature = num(v)
	}
	if v, ok := get("top_p"); ok {
		p.topP = num(v)
	}
	if v, ok := get("top_k"); ok {
		p.topK, _ = intValue(v)
	}
	if v, ok := get("min_p"); ok {
		p.minP = num(v)
	}
	if v, ok := get("repetition_penalty"); ok {
		p.repetitionPenalty = num(v)
	}
	if v, ok := get("repetition_context_size"); ok {
		p.repetitionContextSize, _ = intValue(v)
	}
	for _, k := range []string{"presence_penalty", "frequency_penalty", "xtc_probability"} {
		if v, ok := get(k); ok && num(v) != 0 {
			return nil, badRequest(k, "%s is not supported by this server yet", k)
		}
	}
	if v, ok := get("logprobs"); ok {
		p.logprobs = v.(bool)
	}
	if v, ok := get("top_logprobs"); ok {
		p.topLogprobs, _ = intValue(v)
	}
	if v, ok := get("seed"); ok && v != nil {
		s, err := strconv.ParseUint(string(v.(json.Number)), 10, 64)
		if err != nil {
			return nil, badRequest("seed", "seed must be a non-negative integer below 2**64")
		}
		p.seed = &s
	}
	if v, ok := get("n"); ok && v != nil {
		if n, _ := intValue(v); n != 1 {
			return nil, badRequest("n", "only n=1 is supported")
		}
	}
	if v, ok := get("logit_bias"); ok && v != nil {
		p.logitBias = map[int]float64{}
		for k, val := range v.(map[string]any) {
			id, err := strconv.Atoi(strings.TrimSpace(k))
			if err != nil || !isNumber(val) || id < 0 {
				return nil, badRequest("logit_bias", "logit_bias must be a dict of int to float")
			}
			p.logitBias[id] = num(val)
		}
	}
	switch s := body["stop"].(type) {
	case nil:
	case string:
		if s != "" {
			p.stop = []string{s}
		}
	case []any:
		for _, w := range s {
			ws, ok := w.(string)
			if !ok {
				return nil, badRequest("stop", "stop must be a string or a list of strings")
			}
			p.stop = append(p.stop, ws)
		}
	default:
		return nil, badRequest("stop", "stop must be a string or a list of strings")
	}
	if v, ok := get("chat_template_kwargs"); ok && v != nil {
		p.chatTemplateKwargs = v.(map[string]any)
	}
	if chat {
		raw, ok := body["messages"]
		if !ok {
			return nil, badRequest("messages", "Request did not contain messages")
		}
		list, ok := raw.([]any)
		if !ok || len(list) == 0 {
			return nil, badRequest("messages", "messages must be a non-empty list of message objects")
		}
		for i, m := range list {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil, badRequest("messages", "messages[%d] is not an object", i)
			}
			if _, ok := mm["role"].(string); !ok {
				return nil, badRequest("messages", "messages[%d].role must be a string", i)
			}
			p.messages = append(p.messages, mm)
		}
		if t, ok := body["tools"].([]any); ok && len(t) > 0 {
			p.tools = t
		} else if body["tools"] != nil {
			if _, ok := body["tools"].([]any); !ok {
				return nil, badRequest("tools", "tools must be a list")
			}
		}
		if rm, ok := body["role_mapping"].(map[string]any); ok {
			p.roleMapping = rm
		}
		if err := processMessageContent(p.messages); err != nil {
			return nil, err
		}
	} else {
		switch pr := body["prompt"].(type) {
		case nil:
			return nil, badRequest("prompt", "Request did not contain a prompt")
		case string:
			p.prompt = pr
		case []any:
			for _, t := range pr {
				if !isInt(t) {
					return nil, badRequest("prompt", "prompt must be a string or a list of token ids")
				}
				id, ok := intValue(t)
				if !ok || id < 0 {
					return nil, badRequest("prompt", "prompt token %v is out of range", t)
				}
				p.promptTokens = append(p.promptTokens, id)
			}
			if len(p.promptTokens) == 0 {
				return nil, badRequest("prompt", "the prompt is empty")
			}
		default:
			return nil, badRequest("prompt", "prompt must be a string or a list of token ids")
		}
	}
	return p, nil
}

// processMessageContent is process_message_content (without images): text
// fragments joined, None content made "", tool-call arguments given as JSON
// strings parsed for the template.
func processMessageContent(msgs []map[string]any) *apiError {
	for i, m := range msgs {
		switch c := m["content"].(type) {
		case nil:
			m["content"] = ""
		case string:
		case []any:
			var b strings.Builder
			for _, f := range c {
				fm, ok := f.(map[string]any)
				if !ok || fm["type"] != "text" {
					return badRequest("messages", "Only 'text' content type is supported.")
				}
				t, ok := fm["text"].(string)
				if !ok {
					return badRequest("messages", "messages[%d]: a text content part has no text", i)
				}
				b.WriteString(t)
			}
			m["content"] = b.String()
		default:
			return badRequest("messages", "messages[%d].content must be a string, a list of parts or null", i)
		}
		if tcs, ok := m["tool_calls"].([]any); ok {
			for _, tc := range tcs {
				tcm, ok := tc.(map[string]any)
				if !ok {
					continue
				}
				fn, ok := tcm["function"].(map[string]any)
				if !ok {
					continue
				}
				if s, ok := fn["arguments"].(string); ok && s != "" {
					dec := json.NewDecoder(strings.NewReader(s))
					dec.UseNumber()
					var v any
					if err := dec.Decode(&v); err != nil {
						return badRequest("messages", "messages[%d]: tool call arguments are not JSON: %v", i, err)
					}
					fn["arguments"] = v
				}
			}
		}
	}
	return nil
}
