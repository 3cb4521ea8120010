package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
// (qwen3), which takes no batch caches yet, so each request has its own.
func TestOpenAIClientGenerated(t *testing.T) {
	base, eng := serve(t, qwen, engine.Options{})
	if eng.Batchable() {
		t.Log("qwen3 is now batchable: generated models take batch caches")
	}
	checkClientRun(t, qwen, client(t, base, "chat_plain", "chat_stream", "completion", "completion_stream", "concurrent16", "disconnect"))
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
