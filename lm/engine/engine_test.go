package engine_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/lm/toy"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// randomToy is the toy model (which accepts the batch caches) with random
// weights made in Go.
func randomToy(t testing.TB, vocab int) arch.Model {
	t.Helper()
	m, err := toy.New(map[string]any{"vocab_size": float64(vocab), "hidden_size": 64.0, "num_attention_heads": 2.0, "num_hidden_layers": 2.0})
	if err != nil {
		t.Fatal(err)
	}
	if err := mlx.Seed(1); err != nil {
		t.Fatal(err)
	}
	w := map[string]*mlx.Array{}
	for name, p := range nn.Parameters(m.Module()) {
		w[name] = mlx.Normal(p.Shape(), mlx.Float32, 0, 0.5, nil)
	}
	if err := nn.Update(m.Module(), w); err != nil {
		t.Fatal(err)
	}
	return m
}

// alone is mlxlm generate's loop (lm/generate.GenerateStep) on one prompt.
func alone(t testing.TB, m arch.Model, prompt []int, n int, o generate.Options) []int {
	t.Helper()
	o.MaxTokens = n
	var out []int
	for st, err := range generate.GenerateStep(context.Background(), m, prompt, o) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st.Token)
	}
	return out
}

type result struct {
	tokens       []int
	logprobs     []float64
	finish       string
	cached       int
	err          error
	progressSeen bool
}

func run(ctx context.Context, e *engine.Engine, r engine.Request) result {
	var res result
	for ev, err := range e.Generate(ctx, r) {
		if err != nil {
			res.err = err
			return res
		}
		switch ev.Kind {
		case engine.Started:
			res.cached = ev.CachedTokens
		case engine.Progress:
			res.progressSeen = true
		case engine.Token:
			res.tokens = append(res.tokens, ev.ID)
			res.logprobs = append(res.logprobs, ev.Logprob)
			res.finish = ev.FinishReason
		}
	}
	return res
}

func newEngine(t testing.TB, m arch.Model, o engine.Options) *engine.Engine {
	t.Helper()
	e, err := engine.New(m, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func prompts(n, vocab int) [][]int {
	var out [][]int
	for i := range n {
		p := []int{}
		for j := range 3 + (i*7)%11 {
			p = append(p, (i*31+j*17+5)%vocab)
		}
		out = append(out, p)
	}
	return out
}

// TestBatchEqualsAlone: at temperature 0, each of 8 concurrent requests
// (different prompt lengths, so left padding differs, joining the batch at
// different steps) gets exactly the tokens GenerateStep gives it alone.
func TestBatchEqualsAlone(t *testing.T) {
	m := randomToy(t, 97)
	e := newEngine(t, m, engine.Options{PromptCacheSize: -1})
	if !e.Batchable() {
		t.Fatal("the toy model should be batchable")
	}
	ps := prompts(8, 97)
	const n = 24
	want := make([][]int, len(ps))
	for i, p := range ps {
		want[i] = alone(t, m, p, n, generate.Options{})
	}
	got := make([]result, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = run(context.Background(), e, engine.Request{Prompt: p, MaxTokens: n})
		}()
	}
	wg.Wait()
	for i := range ps {
		if got[i].err != nil {
			t.Fatalf("request %d: %v", i, got[i].err)
		}
		if !slices.Equal(got[i].tokens, want[i]) {
			t.Errorf("request %d (prompt %v):\n batch %v\n alone %v", i, ps[i], got[i].tokens, want[i])
		}
		if got[i].finish != "length" {
			t.Errorf("request %d: finish %q, want length", i, got[i].finish)
		}
	}
	if st := settled(e); st.Decoding != 0 || st.Waiting != 0 {
		t.Errorf("after all requests: %+v", st)
	}
}

// settled is the engine's Stats once its gauges have caught up: the
// scheduler sends a request's last token before it retires the request at
// the end of that step, so right after the last reply Decoding may still
// count it. It waits at most 5 s for the batch to empty.
func settled(e *engine.Engine) engine.Stats {
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := e.Stats()
		if (st.Decoding == 0 && st.Waiting == 0 && st.Prefilling == 0) || time.Now().After(deadline) {
			return st
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNotBatchableModel: a model whose forward rejects batch caches is
// served one cache per request, and still gives each request its own tokens.
func TestNotBatchableModel(t *testing.T) {
	m := &noBatch{randomToy(t, 97)}
	e := newEngine(t, m, engine.Options{PromptCacheSize: -1})
	if e.Batchable() {
		t.Fatal("probe should find the model not batchable")
	}
	ps := prompts(4, 97)
	var wg sync.WaitGroup
	got := make([]result, len(ps))
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = run(context.Background(), e, engine.Request{Prompt: p, MaxTokens: 10})
		}()
	}
	wg.Wait()
	for i, p := range ps {
		if want := alone(t, m, p, 10, generate.Options{}); !slices.Equal(got[i].tokens, want) || got[i].err != nil {
			t.Errorf("request %d: %v %v, alone %v", i, got[i].tokens, got[i].err, want)
		}
	}
}

// noBatch refuses batch caches (as generated models did before cache.offset became int | array).
type noBatch struct{ arch.Model }

func (n *noBatch) Forward(in *mlx.Array, cs []cache.Cache) (*mlx.Array, error) {
	for _, c := range cs {
		if _, ok := c.(interface{ Offset() int }); !ok {
			return nil, fmt.Errorf("AttributeError: %s has no attribute 'offset'", c.ClassName())
		}
	}
	return n.Model.Forward(in, cs)
}

// TestCancelFreesSlot: a request cancelled mid-generation ends with the
// context's error and its slot is free within a step: with one slot, a
// second request then runs to completion.
func TestCancelFreesSlot(t *testing.T) {
	m := randomToy(t, 97)
	e := newEngine(t, m, engine.Options{DecodeConcurrency: 1, PromptConcurrency: 1, PromptCacheSize: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := e.Submit(ctx, engine.Request{Prompt: []int{1, 2, 3}, MaxTokens: 100000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var end error
	for ev, err := range st.Events() {
		if err != nil {
			end = err
			break
		}
		if ev.Kind == engine.Token {
			n++
			if n == 5 {
				cancel()
			}
			if n > 1000 {
				t.Fatal("cancellation did not stop generation")
			}
		}
	}
	if !errors.Is(end, context.Canceled) {
		t.Fatalf("stream ended with %v, want context.Canceled", end)
	}
	done := make(chan result, 1)
	go func() { done <- run(context.Background(), e, engine.Request{Prompt: []int{4, 5}, MaxTokens: 8}) }()
	select {
	case r := <-done:
		if r.err != nil || len(r.tokens) != 8 {
			t.Fatalf("second request: %v %v", r.tokens, r.err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the cancelled request's slot was not freed")
	}
}

// TestQueueFull: beyond QueueSize waiting requests Submit fails at once.
func TestQueueFull(t *testing.T) {
	m := randomToy(t, 97)
	e := newEngine(t, m, engine.Options{DecodeConcurrency: 1, PromptConcurrency: 1, QueueSize: 2, PromptCacheSize: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var streams []*engine.Stream
	full := false
	for range 10 {
		st, err := e.Submit(ctx, engine.Request{Prompt: []int{1, 2}, MaxTokens: 100000})
		if errors.Is(err, engine.ErrQueueFull) {
			full = true
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, st)
	}
	if !full {
		t.Fatal("10 submissions with one slot and a queue of 2 never got ErrQueueFull")
	}
	if len(streams) > 4 {
		t.Fatalf("%d accepted before the queue was full", len(streams))
	}
}

// TestPerRequestParams: requests with different samplers, logit biases,
// stop sequences and max tokens run in one batch, each getting what it
// would alone: a logit bias forcing token 7, a stop sequence, a seeded
// sampler (the same tokens twice, and the same alone as in a batch).
func TestPerRequestParams(t *testing.T) {
	m := randomToy(t, 97)
	e := newEngine(t, m, engine.Options{PromptCacheSize: -1})
	seed := uint64(42)
	hot := engine.Request{Prompt: []int{5, 6, 7}, MaxTokens: 12, Sampling: sample.Options{Temp: 0.9, TopP: 0.9}, Seed: &seed}
	greedy := engine.Request{Prompt: []int{9, 8, 7, 6}, MaxTokens: 12}
	biased := engine.Request{Prompt: []int{9, 8, 7, 6}, MaxTokens: 6, LogitBias: map[int]float64{7: 1000}}
	ref := alone(t, m, greedy.Prompt, 12, generate.Options{})
	stopAt := ref[4:6]
	stopped := engine.Request{Prompt: greedy.Prompt, MaxTokens: 12, StopSequences: [][]int{stopAt}}

	reqs := []engine.Request{hot, greedy, biased, stopped, hot}
	got := make([]result, len(reqs))
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = run(context.Background(), e, r) }()
	}
	wg.Wait()
	for i, r := range got {
		if r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
	}
	soloHot := run(context.Background(), e, hot)
	if !slices.Equal(got[0].tokens, got[4].tokens) || !slices.Equal(got[0].tokens, soloHot.tokens) {
		t.Errorf("seeded sampling differs: %v, %v, alone %v", got[0].tokens, got[4].tokens, soloHot.tokens)
	}
	if !slices.Equal(got[1].tokens, ref) {
		t.Errorf("greedy in a mixed batch %v, alone %v", got[1].tokens, ref)
	}
	if want := []int{7, 7, 7, 7, 7, 7}; !slices.Equal(got[2].tokens, want) {
		t.Errorf("logit_bias {7: 1000}: %v", got[2].tokens)
	}
	end := 1
	for !slices.Equal(ref[end-1:end+1], stopAt) {
		end++
	}
	if want := ref[:end+1]; !slices.Equal(got[3].tokens, want) || got[3].finish != "stop" {
		t.Errorf("stop sequence %v: got %v (%s), want %v stop", stopAt, got[3].tokens, got[3].finish, want)
	}
	// Python's seeded single request: mx.random.seed(42) then the same
	// sampler; our per-request key sequence must give what GenerateStep
	// gives after mlx.Seed(42).
	if err := mlx.Seed(seed); err != nil {
		t.Fatal(err)
	}
	sampler, err := sample.MakeSampler(hot.Sampling)
	if err != nil {
		t.Fatal(err)
	}
	if want := alone(t, m, hot.Prompt, 12, generate.Options{Sampler: sampler}); !slices.Equal(got[0].tokens, want) {
		t.Errorf("seeded request %v, GenerateStep after mlx.Seed(42) %v", got[0].tokens, want)
	}
}

// TestPromptCacheReuse: a follow-up request extending a finished one's
// prompt + output reuses its KV (cached_tokens) and still gives the tokens
// of a from-scratch run.
func TestPromptCacheReuse(t *testing.T) {
	m := randomToy(t, 97)
	e := newEngine(t, m, engine.Options{})
	first := []int{3, 1, 4, 1, 5, 9, 2, 6}
	a := run(context.Background(), e, engine.Request{Prompt: first, MaxTokens: 5})
	if a.err != nil || a.cached != 0 {
		t.Fatalf("first: %+v", a)
	}
	second := slices.Concat(first, a.tokens, []int{7, 7, 8})
	b := run(context.Background(), e, engine.Request{Prompt: second, MaxTokens: 6})
	if b.err != nil {
		t.Fatal(b.err)
	}
	if want := len(first) + len(a.tokens); b.cached != want {
		t.Errorf("cached_tokens %d, want %d (first prompt + its output)", b.cached, want)
	}
	if want := alone(t, m, second, 6, generate.Options{}); !slices.Equal(b.tokens, want) {
		t.Errorf("from the prompt cache %v, from scratch %v", b.tokens, want)
	}
}

// TestDrainBeforePrefill: a request arriving while another decodes makes the
// scheduler hand out the step in flight before the prefill pass (drain).
// The running request (with a repetition penalty, whose context is the
// tokens the cache holds) must still give GenerateStep's tokens alone, the
// newcomer too, and the finished request's prompt-cache entry must cover its
// prompt and all its output (a follow-up gets them all as cached tokens).
func TestDrainBeforePrefill(t *testing.T) {
	m := randomToy(t, 97)
	e := newEngine(t, m, engine.Options{})
	a := engine.Request{Prompt: []int{4, 8, 15, 16, 23, 42}, MaxTokens: 16, RepetitionPenalty: 1.5}
	b := engine.Request{Prompt: []int{2, 7, 1, 8, 2, 8, 1}, MaxTokens: 4}
	procs, err := sample.MakeLogitsProcessors(nil, 1.5, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantA := alone(t, m, a.Prompt, 16, generate.Options{LogitsProcessors: procs})
	wantB := alone(t, m, b.Prompt, 4, generate.Options{})

	st, err := e.Submit(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var gotA []int
	var resB result
	var wg sync.WaitGroup
	for ev, err := range st.Events() {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind != engine.Token {
			continue
		}
		gotA = append(gotA, ev.ID)
		if len(gotA) == 3 {
			wg.Add(1)
			go func() { defer wg.Done(); resB = run(context.Background(), e, b) }()
		}
	}
	wg.Wait()
	if resB.err != nil {
		t.Fatal(resB.err)
	}
	if e.Stats().Phases["drain"] == 0 {
		t.Fatal("no drain happened: the test does not exercise it")
	}
	if !slices.Equal(gotA, wantA) {
		t.Errorf("running request across a drain %v, alone %v", gotA, wantA)
	}
	if !slices.Equal(resB.tokens, wantB) {
		t.Errorf("newcomer %v, alone %v", resB.tokens, wantB)
	}
	follow := slices.Concat(a.Prompt, gotA, []int{5, 5})
	c := run(context.Background(), e, engine.Request{Prompt: follow, MaxTokens: 2})
	if c.err != nil {
		t.Fatal(c.err)
	}
	if want := len(a.Prompt) + len(gotA); c.cached != want {
		t.Errorf("follow-up cached_tokens %d, want %d (prompt + all output)", c.cached, want)
	}
}
