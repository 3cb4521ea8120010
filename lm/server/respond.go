// Ported from mlx_lm/server.py
// Upstream: mlx-lm 0.32.2
// Blob: 9ab6fe910427c4efa953ddf57f82ec9d706fd68f
//
// From server.py: APIHandler.handle_completion, generate_response, completion_usage_response, ToolCallFormatter.

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/lm/toolcall"
)

// reply is one request being answered.
type reply struct {
	s       *Server
	p       *params
	chat    bool
	id      string
	object  string
	created int64
	tools   []any
	toolIdx int
}

func (s *Server) completions(chat bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !methodOnly(w, r, http.MethodPost) {
			return
		}
		body, apiErr := decodeBody(r, s.cfg.MaxBodyBytes)
		if apiErr != nil {
			writeError(w, apiErr)
			return
		}
		p, apiErr := parseParams(body, s.cfg.Defaults, chat)
		if apiErr != nil {
			writeError(w, apiErr)
			return
		}
		if !s.knownModel(p.model) {
			writeError(w, &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
				Message: fmt.Sprintf("The model %q does not exist: this server serves %q (or \"default_model\")", p.model, s.modelID())})
			return
		}
		pr, err := s.tokenize(p, chat)
		if err != nil {
			writeError(w, badRequest("messages", "%v", err))
			return
		}
		var stops [][]int
		for _, w := range p.stop {
			ids, err := s.tok.Encode(w, false)
			if err == nil && len(ids) > 0 {
				stops = append(stops, ids)
			}
		}
		rp := &reply{s: s, p: p, chat: chat, created: time.Now().Unix(), tools: p.tools}
		if chat {
			rp.id, rp.object = "chatcmpl-"+newID(), "chat.completion"
			if p.stream {
				rp.object = "chat.completion.chunk"
			}
		} else {
			rp.id, rp.object = "cmpl-"+newID(), "text_completion"
		}
		req := engine.Request{
			Prompt:                pr.tokens,
			MaxTokens:             p.maxTokens,
			Sampling:              sample.Options{Temp: p.temperature, TopP: p.topP, MinP: p.minP, TopK: p.topK},
			Seed:                  p.seed,
			LogitBias:             p.logitBias,
			RepetitionPenalty:     p.repetitionPenalty,
			RepetitionContextSize: p.repetitionContextSize,
			StopSequences:         stops,
			TopLogprobs:           max(p.topLogprobs, 0),
			Checkpoints:           pr.checkpoints,
			ID:                    rp.id,
		}
		start := time.Now()
		st, err := s.eng.Submit(r.Context(), req)
		if err != nil {
			s.metrics.rejected(err)
			switch {
			case errors.Is(err, engine.ErrQueueFull):
				writeError(w, &apiError{Status: http.StatusTooManyRequests, Type: "rate_limit_error", Code: "queue_full",
					Message: "The server is busy: too many requests are waiting. Retry later.", RetryAfter: 1})
			case errors.Is(err, engine.ErrClosed):
				writeError(w, &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "shutting_down",
					Message: "The server is shutting down.", RetryAfter: 5})
			case r.Context().Err() != nil:
			default:
				writeError(w, badRequest("", "%v", err))
			}
			return
		}
		defer st.Close()
		rp.run(r.Context(), w, st, pr, start)
	}
}

// out collects what handle_completion accumulates.
type out struct {
	text, reasoning string
	toolTexts       []string
	tokens          []int
	logprobs        []float64
	top             [][]engine.TopLogprob
	finish          string
	madeToolCall    bool
}

func (rp *reply) run(ctx context.Context, w http.ResponseWriter, st *engine.Stream, pr *prompt, start time.Time) {
	s, p := rp.s, rp.p
	det := s.tok.NewStreamDecoder()
	sm := s.format.textMachine(p.stop).start(pr.initialState)
	prev := pr.initialState
	cur := prev
	var o out
	o.finish = "stop"
	cached := -1
	headerSent := false
	flusher, _ := w.(http.Flusher)
	send := func(v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	startStream := func() {
		if headerSent {
			return
		}
		headerSent = true
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
	}
	// The chunks that carry only content take the prerendered path.
	var fast *contentChunk
	if p.stream {
		fast, _ = newContentChunk(rp.response(sentinel, "", nil, nil, "", nil))
	}
	var toolTextAcc string
	var lastTok time.Time
	nTok := 0
	for ev, err := range st.Events() {
		if err != nil {
			if ctx.Err() != nil {
				s.metrics.cancelled()
				return
			}
			s.log.Error("generation failed", "id", rp.id, "err", err)
			if headerSent {
				_ = send(map[string]any{"error": map[string]any{"message": err.Error(), "type": "server_error", "param": nil, "code": nil}})
				return
			}
			writeError(w, &apiError{Status: http.StatusInternalServerError, Type: "server_error", Message: err.Error()})
			return
		}
		switch ev.Kind {
		case engine.Started:
			cached = ev.CachedTokens
			s.metrics.queueWait(time.Since(start))
			continue
		case engine.Progress:
			// Keep the connection alive during long prompts, as server.py's
			// keepalive_callback does.
			if p.stream && ev.Processed < ev.Total {
				startStream()
				fmt.Fprintf(w, ": keepalive %d/%d\n\n", ev.Processed, ev.Total)
				if flusher != nil {
					flusher.Flush()
				}
			}
			continue
		}
		now := time.Now()
		if nTok == 0 {
			s.metrics.ttft(now.Sub(start))
		} else {
			s.metrics.itl(now.Sub(lastTok))
		}
		lastTok = now
		nTok++
		// The text of the token: a stop token's is not decoded.
		var text string
		var segs []segment
		switch ev.FinishReason {
		case "stop":
			text = det.Flush()
			_ = text // flushed text of earlier tokens is dropped with the buffer, as upstream
			sm.discard()
			segs = []segment{{sm.state, ""}}
		case "length":
			text = det.Add(ev.ID) + det.Flush()
			segs = sm.split(text)
			rest := sm.flush()
			segs = append(segs, segment{sm.state, rest})
		default:
			segs = sm.split(det.Add(ev.ID))
		}
		for _, sg := range segs {
			switch sg.state {
			case "reasoning":
				o.reasoning += sg.text
			case "tool":
				toolTextAcc += sg.text
			case "normal":
				if prev == "tool" {
					o.toolTexts = append(o.toolTexts, toolTextAcc)
					toolTextAcc = ""
					o.madeToolCall = true
				}
				o.text += sg.text
			}
			prev = sg.state
			cur = sg.state
		}
		o.tokens = append(o.tokens, ev.ID)
		if p.logprobs {
			o.logprobs = append(o.logprobs, ev.Logprob)
		}
		if p.topLogprobs > 0 {
			o.top = append(o.top, ev.Top)
		}
		if ev.FinishReason != "" {
			o.finish = ev.FinishReason
		}
		if p.stream && cur != "tool" && (o.text != "" || len(o.toolTexts) > 0 || o.reasoning != "") {
			startStream()
			var err error
			if len(o.toolTexts) == 0 && o.reasoning == "" && fast != nil {
				err = fast.write(w, flusher, o.text)
			} else {
				err = send(rp.response(o.text, "", nil, rp.formatTools(o.toolTexts), o.reasoning, nil))
			}
			if err != nil {
				s.metrics.cancelled()
				return
			}
			o.text, o.reasoning, o.toolTexts = "", "", nil
		}
	}
	if prev == "tool" && toolTextAcc != "" {
		o.toolTexts = append(o.toolTexts, toolTextAcc)
		o.madeToolCall = true
	}
	if o.finish == "stop" && o.madeToolCall {
		o.finish = "tool_calls"
	}
	s.metrics.finished(o.finish, len(pr.tokens), len(o.tokens), cached)
	usage := usageOf(len(pr.tokens), len(o.tokens), cached)
	if p.stream {
		startStream()
		_ = send(rp.response(o.text, o.finish, nil, rp.formatTools(o.toolTexts), o.reasoning, nil))
		if p.includeUsage {
			_ = send(map[string]any{"id": rp.id, "system_fingerprint": s.fp, "object": "chat.completion", "model": p.model,
				"created": rp.created, "choices": []any{}, "usage": usage})
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
		if flusher != nil {
			flusher.Flush()
		}
		return
	}
	resp := rp.response(o.text, o.finish, usage, rp.formatTools(o.toolTexts), o.reasoning, &o)
	writeJSON(w, http.StatusOK, resp)
}

func usageOf(prompt, completion, cached int) map[string]any {
	u := map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
	if cached >= 0 {
		u["prompt_tokens_details"] = map[string]any{"cached_tokens": cached}
	}
	return u
}

// formatTools is ToolCallFormatter.__call__: each tool text parsed; one
// that does not parse is skipped with a warning.
func (rp *reply) formatTools(texts []string) []any {
	if len(texts) == 0 || rp.s.parser == nil {
		return nil
	}
	var out []any
	for _, t := range texts {
		calls, err := rp.s.parser.Parse(t, rp.tools)
		if err != nil {
			rp.s.log.Warn("Failed to parse tool call — tool text was likely truncated mid-generation", "id", rp.id, "err", err)
			continue
		}
		for _, c := range calls {
			f, err := toolcall.Format(c)
			if err != nil {
				rp.s.log.Warn("Failed to format tool call", "id", rp.id, "err", err)
				continue
			}
			id := f.ID
			if id == "" {
				id = newID()
			}
			tc := map[string]any{"function": orderedJSON{f.Function}, "type": "function", "id": id}
			if rp.p.stream {
				tc["index"] = rp.toolIdx
				rp.toolIdx++
			}
			out = append(out, tc)
		}
	}
	return out
}

// orderedJSON writes a parsed dict with its keys in order.
type orderedJSON struct{ d *toolcall.Dict }

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	s, err := toolcall.Dumps(o.d)
	return []byte(s), err
}

// response is generate_response.
func (rp *reply) response(text, finish string, usage map[string]any, tools []any, reasoning string, o *out) map[string]any {
	p := rp.p
	choice := map[string]any{"index": 0, "finish_reason": nullable(finish)}
	resp := map[string]any{"id": rp.id, "system_fingerprint": rp.s.fp, "object": rp.object, "model": p.model,
		"created": rp.created, "choices": []any{choice}}
	if o != nil {
		if len(o.top) > 0 {
			var content []any
			for _, top := range o.top {
				if len(top) == 0 {
					content = append(content, map[string]any{})
					continue
				}
				entry := rp.topEntry(top[0])
				var alts []any
				for _, t := range top {
					alts = append(alts, rp.topEntry(t))
				}
				entry["top_logprobs"] = alts
				content = append(content, entry)
			}
			choice["logprobs"] = map[string]any{"content": content}
		} else if len(o.logprobs) > 0 {
			var content []any
			for i, lp := range o.logprobs {
				content = append(content, map[string]any{"id": o.tokens[i], "logprob": lp})
			}
			choice["logprobs"] = map[string]any{"content": content}
		}
	}
	if usage != nil {
		resp["usage"] = usage
	}
	if rp.chat {
		key := "message"
		if p.stream {
			key = "delta"
		}
		msg := map[string]any{"role": "assistant"}
		if !p.stream {
			msg["content"] = nullable(text)
		} else if text != "" {
			msg["content"] = text
		}
		if reasoning != "" {
			msg["reasoning"] = reasoning
		}
		if len(tools) > 0 {
			msg["tool_calls"] = tools
		}
		choice[key] = msg
	} else {
		choice["text"] = text
	}
	return resp
}

func (rp *reply) topEntry(t engine.TopLogprob) map[string]any {
	tok, _ := rp.s.tok.IDToToken(t.ID)
	return map[string]any{"id": t.ID, "token": tok, "logprob": t.Logprob}
}
