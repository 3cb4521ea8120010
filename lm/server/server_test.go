package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/hf2go/hf2go/generated/models/all"
	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/server"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/lm/toy"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// quiet logs warnings and errors only (each request is an INFO line).
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

var (
	modelDir string // a tiny random qwen3 with the real Qwen3 tokenizer, made by mlx-lm
	qwen     *loader.Model
	tok      *tokenizer.Tokenizer
	toyModel arch.Model // batchable, same vocabulary
)

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lm/server tests:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	py, err := pyref.Python()
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "mlxlm-server-test-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	modelDir = filepath.Join(tmp, "qwen")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/make_model.py", modelDir, "--tokenizer", "../tokenizer/testdata/qwen3")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("make_model.py: %v\n%s", err, out)
	}
	if qwen, err = loader.Load(ctx, modelDir, loader.Options{NoProgress: true}); err != nil {
		return 0, err
	}
	if tok, err = tokenizer.Load(modelDir); err != nil {
		return 0, err
	}
	toy.Register()
	tm, err := toy.New(map[string]any{"vocab_size": float64(qwen.VocabSize), "hidden_size": 64.0, "num_attention_heads": 2.0, "num_hidden_layers": 2.0})
	if err != nil {
		return 0, err
	}
	if err := mlx.Seed(3); err != nil {
		return 0, err
	}
	w := map[string]*mlx.Array{}
	for name, p := range nn.Parameters(tm.Module()) {
		w[name] = mlx.Normal(p.Shape(), mlx.Float32, 0, 0.5, nil)
	}
	if err := nn.Update(tm.Module(), w); err != nil {
		return 0, err
	}
	toyModel = tm
	return m.Run(), nil
}

func eosOf(t testing.TB) []int {
	id, ok := tok.EOS()
	if !ok {
		t.Fatal("the Qwen3 tokenizer has no eos_token")
	}
	return append(slices.Clone(qwen.EOSTokenIDs), id)
}

// serve starts the server on 127.0.0.1 (httptest listens on loopback only).
func serve(t testing.TB, m arch.Model, eo engine.Options) (string, *engine.Engine) {
	t.Helper()
	eo.EOSTokenIDs = eosOf(t)
	eo.Logger = quiet
	eng, err := engine.New(m, eo)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(eng, tok, server.Config{ModelID: modelDir, ModelDir: modelDir,
		Defaults: server.Defaults{TopP: 1, MaxTokens: 512}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); eng.Close() })
	return hs.URL, eng
}

// client runs openai_client.py cases against base and returns its report.
func client(t testing.TB, base string, cases ...string) map[string]json.RawMessage {
	t.Helper()
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"testdata/openai_client.py", base}, cases...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openai_client.py %v: %v\n%s", cases, err, stderr.String())
	}
	var report map[string]json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("openai_client.py output: %v\n%s", err, stdout.String())
	}
	return report
}

func field[T any](t testing.TB, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return v
}

// reference is `mlxlm generate`'s text for a chat at temperature 0: the
// template rendered as the server renders it, GenerateStep until EOS or n
// tokens, decoded.
func reference(t testing.TB, m arch.Model, msgs []map[string]any, n int) string {
	t.Helper()
	text, err := tok.ApplyChatTemplate(msgs, tokenizer.ChatOptions{AddGenerationPrompt: true, Extra: map[string]any{"enable_thinking": true}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.Encode(text, false)
	if err != nil {
		t.Fatal(err)
	}
	return referenceTokens(t, m, ids, n)
}

func referenceTokens(t testing.TB, m arch.Model, ids []int, n int) string {
	t.Helper()
	eos := eosOf(t)
	var out []int
	for st, err := range generate.GenerateStep(context.Background(), m, ids, generate.Options{MaxTokens: n}) {
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(eos, st.Token) {
			break
		}
		out = append(out, st.Token)
	}
	s, err := tok.Decode(out, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func user(s string) []map[string]any { return []map[string]any{{"role": "user", "content": s}} }

type chatResult struct {
	Text   string         `json:"text"`
	Finish string         `json:"finish"`
	Usage  map[string]any `json:"usage"`
	Chunks int            `json:"chunks"`
}

// checkClientRun checks one openai_client.py report against mlxlm generate.
func checkClientRun(t *testing.T, m arch.Model, r map[string]json.RawMessage) {
	plain := field[chatResult](t, r["chat_plain"])
	stream := field[chatResult](t, r["chat_stream"])
	want := reference(t, m, user("Say something."), 12)
	if plain.Text != want {
		t.Errorf("chat at temperature 0: %q, mlxlm generate: %q", plain.Text, want)
	}
	if stream.Text != plain.Text || stream.Finish != plain.Finish {
		t.Errorf("streamed %q (%s), plain %q (%s)", stream.Text, stream.Finish, plain.Text, plain.Finish)
	}
	if stream.Chunks < 3 || stream.Usage == nil {
		t.Errorf("stream: %d chunks, usage %v (want include_usage's final chunk)", stream.Chunks, stream.Usage)
	} else if d, _ := stream.Usage["prompt_tokens_details"].(map[string]any); d == nil || d["cached_tokens"].(float64) <= 0 {
		t.Errorf("the second identical chat reused no prompt cache: usage %v", stream.Usage)
	}
	if plain.Usage["completion_tokens"].(float64) == 0 || plain.Usage["total_tokens"].(float64) != plain.Usage["prompt_tokens"].(float64)+plain.Usage["completion_tokens"].(float64) {
		t.Errorf("usage %v", plain.Usage)
	}
	comp := field[chatResult](t, r["completion"])
	ids, _ := tok.Encode("Once upon a time", true)
	if want := referenceTokens(t, m, ids, 10); comp.Text != want {
		t.Errorf("completion %q, mlxlm generate %q", comp.Text, want)
	}
	if cs := field[chatResult](t, r["completion_stream"]); cs.Text != comp.Text {
		t.Errorf("streamed completion %q, plain %q", cs.Text, comp.Text)
	}
	c16 := field[struct{ Concurrent, Sequential []string }](t, r["concurrent16"])
	if len(c16.Concurrent) != 16 {
		t.Fatalf("concurrent16: %d results", len(c16.Concurrent))
	}
	for i := range 16 {
		if c16.Concurrent[i] != c16.Sequential[i] {
			t.Errorf("stream %d of 16 concurrent: %q, alone %q", i, c16.Concurrent[i], c16.Sequential[i])
		}
	}
	for _, i := range []int{0, 7, 15} {
		if want := reference(t, m, user(fmt.Sprintf("Tell me about the number %d.", i)), 16); c16.Concurrent[i] != want {
			t.Errorf("stream %d: %q, mlxlm generate %q", i, c16.Concurrent[i], want)
		}
	}
	dc := field[struct {
		ChunksRead int      `json:"chunks_read"`
		FreedAfter *float64 `json:"freed_after"`
		NextOK     bool     `json:"next_ok"`
	}](t, r["disconnect"])
	if dc.FreedAfter == nil || !dc.NextOK {
		t.Errorf("disconnect mid-stream: %+v (the slot must be freed and the next request served)", dc)
	} else {
		t.Logf("a client that disconnected after %d chunks had its slot freed %.0f ms later", dc.ChunksRead, *dc.FreedAfter*1000)
	}
}

// TestOpenAIClientBatched: the OpenAI client against a batchable model
// (the toy): plain and streamed chat and completions equal mlxlm
// generate's text, 16 concurrent streams each equal their run alone, a
// client that disconnects mid-stream frees its slot.
func TestOpenAIClientBatched(t *testing.T) {
	base, eng := serve(t, toyModel, engine.Options{})
	if !eng.Batchable() {
		t.Fatal("the toy should be served batched")
	}
	r := client(t, base, "chat_plain", "chat_stream", "completion", "completion_stream", "concurrent16", "disconnect", "models", "logprobs")
	checkClientRun(t, toyModel, r)
	ms := field[struct {
		IDs    []string          `json:"ids"`
		Health map[string]string `json:"health"`
	}](t, r["models"])
	if len(ms.IDs) != 1 || ms.Health["status"] != "ok" {
		t.Errorf("models %v, health %v", ms.IDs, ms.Health)
	}
	lp := field[struct {
		N     int            `json:"n"`
		Top   []int          `json:"top"`
		First map[string]any `json:"first"`
	}](t, r["logprobs"])
	if lp.N != 4 || !slices.Equal(lp.Top, []int{3, 3, 3, 3}) || lp.First["logprob"] == nil {
		t.Errorf("logprobs: %+v", lp)
	}
}

// TestOpenAIClientGenerated: the same against a generated architecture
// (qwen3, translated from mlx-lm), served batched: its 16 concurrent
// streams share the running batch (BatchKVCache) and each equals its run
// alone and mlxlm generate.
func TestOpenAIClientGenerated(t *testing.T) {
	base, eng := serve(t, qwen, engine.Options{})
	if !eng.Batchable() {
		t.Fatal("generated qwen3 should be served batched (its attention reads cache.offset as int | array)")
	}
	checkClientRun(t, qwen, client(t, base, "chat_plain", "chat_stream", "completion", "completion_stream", "concurrent16", "disconnect"))
	if st := eng.Stats(); st.BatchSizeMax < 2 {
		t.Errorf("16 concurrent streams never shared a batch (largest %d)", st.BatchSizeMax)
	} else {
		t.Logf("largest batch: %d sequences", st.BatchSizeMax)
	}
}

// TestBadRequests: malformed and invalid requests get OpenAI-style errors
// with the right status, through the OpenAI client and raw HTTP.
func TestBadRequests(t *testing.T) {
	base, _ := serve(t, toyModel, engine.Options{})
	r := client(t, base, "bad_requests")
	got := field[map[string]struct {
		Status     int            `json:"status"`
		Error      map[string]any `json:"error"`
		RetryAfter *string        `json:"retry_after"`
	}](t, r["bad_requests"])
	want := map[string]int{"negative_temperature": 400, "top_p_too_big": 400, "max_tokens_zero": 400, "unknown_model": 404,
		"n_2": 400, "no_messages": 400, "not_json": 400, "not_object": 400, "too_large": 413, "unknown_route": 404,
		"wrong_method": 405, "bad_logit_bias": 400, "image_part": 400}
	for name, status := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: not run", name)
			continue
		}
		if g.Status != status {
			t.Errorf("%s: status %d, want %d (%v)", name, g.Status, status, g.Error)
		}
		if name != "wrong_method" && (g.Error == nil || g.Error["message"] == "" || g.Error["type"] == nil) {
			t.Errorf("%s: error object %v lacks message/type", name, g.Error)
		}
	}
}

// scripted makes a model say a fixed token sequence (then EOS) after any
// prompt: its logits get a large bias on the next scripted token. It keeps
// a count per request (keyed by the request's first cache, which prefill
// chunks reset), so it refuses batch caches and is served one cache per
// request.
type scripted struct {
	arch.Model
	script []int
	eos    int
	mu     sync.Mutex
	n      map[cache.Cache]int
}

func (s *scripted) Forward(in *mlx.Array, cs []cache.Cache) (*mlx.Array, error) {
	if _, ok := cs[0].(interface{ Offset() int }); !ok {
		return nil, fmt.Errorf("scripted model: no batch caches")
	}
	logits, err := s.Model.Forward(in, cs)
	if err != nil || in.Dim(1) > 1 {
		s.mu.Lock()
		s.n[cs[0]] = 0
		s.mu.Unlock()
		return logits, err
	}
	s.mu.Lock()
	i := s.n[cs[0]]
	s.n[cs[0]]++
	s.mu.Unlock()
	next := s.eos
	if i < len(s.script) {
		next = s.script[i]
	}
	bias := make([]float32, logits.Dim(-1))
	bias[next] = 1e4
	return mlx.Add(logits, mlx.FromSlice(bias)), nil
}

// TestToolCallsAndReasoning: a model that thinks, then calls a tool in
// Qwen3's format (json_tools, inferred from the chat template): through the
// OpenAI client the call comes back as tool_calls (finish_reason
// "tool_calls"), the thinking as "reasoning", streamed as deltas too; a
// follow-up turn with the tool result renders through the template.
func TestToolCallsAndReasoning(t *testing.T) {
	text := "<think>\nchecking\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"
	ids, err := tok.Encode(text, false)
	if err != nil {
		t.Fatal(err)
	}
	eos, _ := tok.TokenToID("<|im_end|>")
	m := &scripted{Model: qwen, script: ids, eos: eos, n: map[cache.Cache]int{}}
	base, _ := serve(t, m, engine.Options{PromptCacheSize: -1})
	r := field[struct {
		Calls       []map[string]any `json:"calls"`
		Finish      string           `json:"finish"`
		Content     *string          `json:"content"`
		Reasoning   *string          `json:"reasoning"`
		StreamCalls []map[string]any `json:"stream_calls"`
		StreamFin   string           `json:"stream_finish"`
		FollowFin   string           `json:"follow_finish"`
	}](t, client(t, base, "tools")["tools"])
	wantCall := map[string]any{"name": "get_weather", "arguments": `{"city": "Paris"}`, "type": "function"}
	if len(r.Calls) != 1 || fmt.Sprint(r.Calls[0]) != fmt.Sprint(wantCall) || r.Finish != "tool_calls" {
		t.Errorf("tool calls %v finish %q, want [%v] tool_calls", r.Calls, r.Finish, wantCall)
	}
	if r.Reasoning == nil || *r.Reasoning != "\nchecking\n" {
		t.Errorf("reasoning %v, want %q", r.Reasoning, "\nchecking\n")
	}
	if r.Content == nil || *r.Content != "\n\n" {
		t.Errorf("content %v, want the text between the thinking and the call", r.Content)
	}
	if len(r.StreamCalls) != 1 || r.StreamCalls[0]["index"] != 0.0 || r.StreamCalls[0]["arguments"] != `{"city": "Paris"}` || r.StreamFin != "tool_calls" {
		t.Errorf("streamed tool calls %v finish %q", r.StreamCalls, r.StreamFin)
	}
	if r.FollowFin == "" {
		t.Error("the follow-up turn with a tool result failed")
	}
}

// TestQueueFull429: with one slot and a queue of one, a burst of requests
// gets 429 with Retry-After for the overflow, and the rest complete.
func TestQueueFull429(t *testing.T) {
	base, _ := serve(t, toyModel, engine.Options{DecodeConcurrency: 1, PromptConcurrency: 1, QueueSize: 1, PromptCacheSize: -1})
	const n = 6
	codes := make([]int, n)
	retry := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"prompt": "count %d", "max_tokens": 64}`, i)
			resp, err := http.Post(base+"/v1/completions", "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			codes[i], retry[i] = resp.StatusCode, resp.Header.Get("Retry-After")
		}()
	}
	wg.Wait()
	ok, full := 0, 0
	for i, c := range codes {
		switch c {
		case 200:
			ok++
		case 429:
			full++
			if retry[i] == "" {
				t.Errorf("429 without Retry-After")
			}
		default:
			t.Errorf("request %d: status %d", i, c)
		}
	}
	if ok == 0 || full == 0 {
		t.Errorf("%d ok, %d 429 out of %d (want both)", ok, full, n)
	}
}

// TestMetrics: /metrics is Prometheus text: every sample's family has HELP
// and TYPE, histogram buckets are cumulative and end in +Inf == _count.
func TestMetrics(t *testing.T) {
	base, _ := serve(t, toyModel, engine.Options{})
	resp, err := http.Post(base+"/v1/completions", "application/json", strings.NewReader(`{"prompt": "hi", "max_tokens": 5, "stream": true}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	mr, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(mr.Body)
	mr.Body.Close()
	if ct := mr.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	typed := map[string]string{}
	last := map[string]float64{}
	values := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			typed[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, _ := strings.Cut(line, " ")
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("bad sample %q", line)
		}
		values[name] = v
		fam, _, _ := strings.Cut(name, "{")
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(fam, "_bucket"), "_sum"), "_count")
		if typed[fam] == "" && typed[base] != "histogram" {
			t.Errorf("sample %q has no TYPE line", line)
		}
		if strings.HasSuffix(fam, "_bucket") {
			if v < last[fam] {
				t.Errorf("%s buckets not cumulative", fam)
			}
			last[fam] = v
		}
	}
	for _, h := range []string{"mlxlm_time_to_first_token_seconds", "mlxlm_inter_token_latency_seconds"} {
		if values[h+`_bucket{le="+Inf"}`] != values[h+"_count"] || values[h+"_count"] == 0 {
			t.Errorf("%s: +Inf bucket %v, count %v", h, values[h+`_bucket{le="+Inf"}`], values[h+"_count"])
		}
	}
	if values["mlxlm_generation_tokens_total"] != 5 || values["mlxlm_up"] != 1 {
		t.Errorf("generation tokens %v, up %v", values["mlxlm_generation_tokens_total"], values["mlxlm_up"])
	}
}
