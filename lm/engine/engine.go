// Package engine is the batching scheduler behind `mlxlm server`, usable
// from Go without HTTP: load a model once, then call Generate from any
// number of goroutines; one scheduler goroutine owns the model's running
// batch and every KV cache, admits new requests between decode steps, and
// streams each request's tokens back through its own iterator.
//
// It follows mlx-lm 0.32.2's BatchGenerator (generate.py) and the request
// loop of server.py: prompts are prefilled in chunks of PrefillStepSize,
// requests join and leave one running batch (BatchKVCache /
// BatchRotatingKVCache) with their own sampling parameters, the step's next
// tokens are computed while the current ones are handed out, and finished
// requests leave their KV in an LRU prompt cache (LRUPromptCache semantics)
// that a later request sharing the prefix starts from.
//
// Differences from mlx-lm, each deliberate (see PORTING_DECISIONS.md):
//   - Several prompts are prefilled by one forward pass, as BatchGenerator
//     does (right-padded to the longest chunk) when every layer's cache is a
//     KVCache; models with recurrent or rotating caches share a pass only
//     between chunks of equal length (mlx-lm 0.32.2's nemotron_h takes a
//     row's right padding into its SSM state). A pass whose every prompt
//     is then down to its last token hands its batch caches to the running
//     batch as they are (no split into rows and merge again).
//   - A prompt down to its last token joins the running batch at once: that
//     token is its row's input of the batch's next decode pass, which
//     computes its first generated token (mlx-lm runs the newly prefilled
//     rows' first step as a batch of their own, then extends). Before a
//     prefill pass, which waits for the step in flight anyway, that step's
//     tokens are handed out (drain) rather than one step later. The buffer
//     cache is cleared after prefill passes of >= 512 tokens only (mlx-lm:
//     after every chunk), so short prompts do not make the next decode step
//     allocate everything again.
//   - Every request has its own random key sequence (mx.random.key(seed) and
//     split per draw, as mx.random.seed + the global sequence would give a
//     single request), so a request with a seed stays batchable and gives the
//     same tokens alone or in a batch. mlx-lm serves seeded requests alone.
//   - A model whose forward pass rejects the batch caches is served with one
//     cache per request, each stepped in turn, rather than one request at a
//     time. (Generated models take the batch caches: their attention reads
//     cache.offset as int | array, as mlx-lm's.)
//   - The prompt cache is ported/cache's LRUPromptCache.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/sample"
)

// Options configure an Engine. Zero values take mlx_lm.server's defaults.
type Options struct {
	// DecodeConcurrency is the most requests decoded together (32).
	DecodeConcurrency int
	// PromptConcurrency is the most prompts being prefilled at once (8).
	PromptConcurrency int
	// PrefillStepSize is the prompt chunk size (2048).
	PrefillStepSize int
	// QueueSize is the most requests waiting for a batch slot; Submit
	// returns ErrQueueFull beyond it (256).
	QueueSize int
	// PromptCacheSize is the most KV caches the prompt cache holds (10);
	// negative disables it.
	PromptCacheSize int
	// PromptCacheBytes bounds the bytes of the prompt cache plus the running
	// requests' caches (0: unbounded).
	PromptCacheBytes int64
	// MaxKVSize > 0 makes rotating caches of that size for models without a
	// make_cache of their own.
	MaxKVSize int
	// EOSTokenIDs end a request (finish reason "stop").
	EOSTokenIDs []int
	// Logger receives the scheduler's own errors (nil: slog.Default()).
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.DecodeConcurrency <= 0 {
		o.DecodeConcurrency = 32
	}
	if o.PromptConcurrency <= 0 {
		o.PromptConcurrency = 8
	}
	// BatchGenerator: completion_batch_size = max(completion, prefill).
	o.DecodeConcurrency = max(o.DecodeConcurrency, o.PromptConcurrency)
	if o.PrefillStepSize <= 0 {
		o.PrefillStepSize = 2048
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.PromptCacheSize == 0 {
		o.PromptCacheSize = 10
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Checkpoint asks for the KV of the prompt's first At tokens to be kept in
// the prompt cache under Type ("system", "user"), as server.py does at the
// end of a chat's system prompt and of its last user message.
type Checkpoint struct {
	At   int
	Type string
}

// Request is one generation.
type Request struct {
	// Prompt is the token ids to continue; it must not be empty.
	Prompt []int
	// MaxTokens > 0 is the most tokens generated (finish reason "length").
	MaxTokens int
	// Sampling is make_sampler's arguments; the zero value is greedy.
	Sampling sample.Options
	// Seed, when set, makes sampling reproducible: the request draws from
	// mx.random.key(*Seed), split once per token.
	Seed *uint64
	// LogitBias, RepetitionPenalty and RepetitionContextSize are
	// make_logits_processors' arguments.
	LogitBias             map[int]float64
	RepetitionPenalty     float64
	RepetitionContextSize int
	// StopSequences end the request when the generated tokens end with one
	// (finish reason "stop"); the engine's EOS tokens are added.
	StopSequences [][]int
	// TopLogprobs > 0 returns that many alternatives per token.
	TopLogprobs int
	// Checkpoints are prompt prefixes to keep in the prompt cache.
	Checkpoints []Checkpoint
	// ID names the request in log lines.
	ID string
}

// TopLogprob is one alternative token.
type TopLogprob struct {
	ID      int
	Logprob float64
}

// EventKind says what an Event carries.
type EventKind int

const (
	// Started: the request got a slot; CachedTokens is known.
	Started EventKind = iota
	// Progress: prompt tokens processed so far (Processed of Total).
	Progress
	// Token: one generated token.
	Token
)

// Event is one thing that happened to a request.
type Event struct {
	Kind EventKind
	// Started
	PromptTokens, CachedTokens int
	// Progress
	Processed, Total int
	// Token
	ID      int
	Logprob float64
	Top     []TopLogprob
	// FinishReason is "", "stop" or "length"; the last Token has one.
	FinishReason string
}

// Errors Submit returns.
var (
	ErrQueueFull = errors.New("engine: too many requests are waiting")
	ErrClosed    = errors.New("engine: closed")
)

// Engine runs one model for many concurrent requests.
type Engine struct {
	model arch.Model
	o     Options

	submit chan *seq
	quit   chan struct{}
	done   chan struct{}

	closeOnce sync.Once
	closed    atomic.Bool
	failed    atomic.Value // error: the scheduler died

	waiting    atomic.Int64 // submitted, not yet given a slot
	batchable  bool
	stats      counters
	nextID     atomic.Uint64
	schedState schedStats
}

// New starts an engine for model. It runs a tiny probe to find out whether
// the model accepts the batch caches.
func New(model arch.Model, o Options) (*Engine, error) {
	o.defaults()
	e := &Engine{model: model, o: o, submit: make(chan *seq, 64), quit: make(chan struct{}), done: make(chan struct{})}
	s, err := newScheduler(e)
	if err != nil {
		return nil, err
	}
	e.batchable = s.batchable
	go s.run()
	return e, nil
}

// Batchable reports whether requests are decoded in one batch (else each
// request has its own cache and they are stepped in turn).
func (e *Engine) Batchable() bool { return e.batchable }

// Healthy is false once the scheduler has died or the engine is closed.
func (e *Engine) Healthy() bool { return !e.closed.Load() && e.failed.Load() == nil }

// Close stops the scheduler: requests still running end with ErrClosed,
// and every cache is freed. It waits for the scheduler to finish.
func (e *Engine) Close() {
	e.closeOnce.Do(func() {
		e.closed.Store(true)
		close(e.quit)
	})
	<-e.done
}

// Submit queues a request. It fails at once with ErrQueueFull, ErrClosed or
// a validation error; otherwise the returned Stream yields the request's
// events. Cancelling ctx (or calling Stream.Close) ends the request and
// frees its batch slot within a step.
func (e *Engine) Submit(ctx context.Context, r Request) (*Stream, error) {
	if err := validate(r); err != nil {
		return nil, err
	}
	if !e.Healthy() {
		if err, _ := e.failed.Load().(error); err != nil {
			return nil, fmt.Errorf("engine: the scheduler failed: %w", err)
		}
		return nil, ErrClosed
	}
	if e.waiting.Add(1) > int64(e.o.QueueSize) {
		e.waiting.Add(-1)
		return nil, ErrQueueFull
	}
	ctx, cancel := context.WithCancel(ctx)
	q := &seq{id: e.nextID.Add(1), ctx: ctx, req: r, box: newMailbox()}
	st := &Stream{box: q.box, cancel: cancel}
	select {
	case e.submit <- q:
	case <-e.quit:
		e.waiting.Add(-1)
		cancel()
		return nil, ErrClosed
	case <-ctx.Done():
		e.waiting.Add(-1)
		cancel()
		return nil, ctx.Err()
	}
	return st, nil
}

// Generate is Submit followed by the stream's events, for callers that do
// not need to tell a full queue apart before the first event.
func (e *Engine) Generate(ctx context.Context, r Request) func(yield func(Event, error) bool) {
	return func(yield func(Event, error) bool) {
		st, err := e.Submit(ctx, r)
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer st.Close()
		for ev, err := range st.Events() {
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

func validate(r Request) error {
	if len(r.Prompt) == 0 {
		return errors.New("the prompt is empty")
	}
	for i, t := range r.Prompt {
		if t < 0 || t > 1<<31-1 {
			return fmt.Errorf("prompt token %d at position %d is out of range", t, i)
		}
	}
	if r.MaxTokens <= 0 {
		return fmt.Errorf("max_tokens must be > 0, got %d", r.MaxTokens)
	}
	if err := r.Sampling.Validate(); err != nil {
		return err
	}
	if r.RepetitionPenalty < 0 {
		return fmt.Errorf("repetition_penalty must be >= 0, got %v", r.RepetitionPenalty)
	}
	if r.TopLogprobs < 0 {
		return fmt.Errorf("top_logprobs must be >= 0, got %d", r.TopLogprobs)
	}
	return nil
}

// Stream is one request's events.
type Stream struct {
	box    *mailbox
	cancel context.CancelFunc
}

// Events yields the request's events in order; it ends after the Token
// with a FinishReason, or with one error (the request's context error when
// it was cancelled).
func (s *Stream) Events() func(yield func(Event, error) bool) {
	return func(yield func(Event, error) bool) {
		for {
			ev, ok, err := s.box.next()
			if err != nil {
				yield(Event{}, err)
				return
			}
			if !ok {
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// Close cancels the request if it is still running.
func (s *Stream) Close() { s.cancel() }

// mailbox is an unbounded single-consumer queue: the scheduler never blocks
// on a slow reader (a request's events are bounded by its max_tokens).
type mailbox struct {
	mu    sync.Mutex
	items []Event
	err   error
	done  bool
	wake  chan struct{}
}

func newMailbox() *mailbox { return &mailbox{wake: make(chan struct{}, 1)} }

func (m *mailbox) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *mailbox) put(e Event) {
	m.mu.Lock()
	if !m.done {
		m.items = append(m.items, e)
	}
	m.mu.Unlock()
	m.signal()
}

// finish ends the stream; err nil is a normal end.
func (m *mailbox) finish(err error) {
	m.mu.Lock()
	if !m.done {
		m.done, m.err = true, err
	}
	m.mu.Unlock()
	m.signal()
}

func (m *mailbox) next() (Event, bool, error) {
	for {
		m.mu.Lock()
		if len(m.items) > 0 {
			e := m.items[0]
			m.items[0] = Event{}
			m.items = m.items[1:]
			m.mu.Unlock()
			return e, true, nil
		}
		if m.done {
			err := m.err
			m.mu.Unlock()
			return Event{}, false, err
		}
		m.mu.Unlock()
		<-m.wake
	}
}

// counters are the engine's running totals.
type counters struct {
	requests, promptTokens, cachedTokens, generatedTokens, steps atomic.Uint64
}

type schedStats struct {
	prefilling, decoding, cacheEntries, cacheBytes atomic.Int64
	maxBatch                                       atomic.Int64
	prefillBatches, maxPrefill                     atomic.Int64
	phases                                         [nPhases]atomic.Int64 // nanoseconds
}

// Stats is a snapshot for metrics.
type Stats struct {
	Waiting, Prefilling, Decoding        int
	Requests, PromptTokens, CachedTokens uint64
	GeneratedTokens, DecodeSteps         uint64
	PromptCacheEntries                   int
	PromptCacheBytes                     int64
	// BatchSizeMax is the most sequences the running batch has held in
	// one decode step (1 when nothing was ever batched).
	BatchSizeMax int
	// PrefillBatches counts the forward passes that prefilled several
	// prompts at once; PrefillBatchMax is the most prompts one held.
	PrefillBatches  uint64
	PrefillBatchMax int
	// Phases is the scheduler's wall time so far by phase (idle, admit,
	// prefill, fold, build, launch, wait, emit, retire, drain), in
	// seconds; fold is part of prefill.
	Phases map[string]float64
}

// Stats returns the engine's counters and current queue and batch sizes.
func (e *Engine) Stats() Stats {
	return Stats{
		Waiting:         int(e.waiting.Load()),
		Prefilling:      int(e.schedState.prefilling.Load()),
		Decoding:        int(e.schedState.decoding.Load()),
		Requests:        e.stats.requests.Load(),
		PromptTokens:    e.stats.promptTokens.Load(),
		CachedTokens:    e.stats.cachedTokens.Load(),
		GeneratedTokens: e.stats.generatedTokens.Load(),
		DecodeSteps:     e.stats.steps.Load(),

		PromptCacheEntries: int(e.schedState.cacheEntries.Load()),
		PromptCacheBytes:   e.schedState.cacheBytes.Load(),
		BatchSizeMax:       int(e.schedState.maxBatch.Load()),
		PrefillBatches:     uint64(e.schedState.prefillBatches.Load()),
		PrefillBatchMax:    int(e.schedState.maxPrefill.Load()),
		Phases:             e.phases(),
	}
}

func (e *Engine) phases() map[string]float64 {
	m := make(map[string]float64, nPhases)
	for i, name := range phaseNames {
		m[name] = float64(e.schedState.phases[i].Load()) / 1e9
	}
	return m
}
