// Ported from mlx_lm/generate.py
// Upstream: mlx-lm 0.32.2
// Blob: 8a348b25519e3e960d0032607f56a198fac0311b

// Package generate is mlx_lm.generate's generation loop:
// GenerateStep is generate_step (chunked prefill, the next token computed
// asynchronously while the current one is yielded, KV-cache quantization) and
// Stream is stream_generate (EOS and stop strings, streaming detokenizer,
// timings). Both are Go 1.23 iterators.
//
// Memory stays flat over any number of tokens: every step runs in an
// mlx.Scope that keeps only the next token, its log-probabilities, the
// tokens the logits processors see, and the caches' arrays.
//
// Concurrency: a generation binds its goroutine (mlx.Bind) for as long as it
// runs, so it has an MLX stream and a scope stack of its own and many
// generations run at once without serialising each other. The loop body of
// GenerateStep and Stream runs on that bound goroutine; arrays it is given
// (Step.Logprobs) are evaluated, so other goroutines may read them.
package generate

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Options are generate_step's keyword arguments.
type Options struct {
	// MaxTokens is the number of tokens to generate; -1 is unbounded.
	MaxTokens int
	// Sampler picks a token from log-probabilities; nil is argmax.
	Sampler sample.Sampler
	// LogitsProcessors adjust the logits before sampling.
	LogitsProcessors []sample.LogitsProcessor
	// MaxKVSize > 0 makes RotatingKVCaches of that size (when the model has
	// no make_cache of its own).
	MaxKVSize int
	// PromptCache, when non-nil, is used and updated in place (a converted
	// quantized cache replaces its element), so a later call can continue
	// from it: pass only the new tokens then. Make one with NewPromptCache.
	PromptCache []cache.Cache
	// PrefillStepSize is the prompt chunk size; 0 means 2048.
	PrefillStepSize int
	// KVBits > 0 quantizes the KV cache (kv_bits) with KVGroupSize (0: 64)
	// once a cache's offset reaches QuantizedKVStart. generate_step's default
	// for it is DefaultQuantizedKVStart (0 before mlx-lm 0.32); the zero
	// value here is 0, quantizing from the start.
	KVBits           int
	KVGroupSize      int
	QuantizedKVStart int
	// PromptProgress is called with (processed, total) prompt tokens.
	PromptProgress func(processed, total int)
	// Overlap picks the decode loop when the generator makes its own caches
	// (PromptCache nil); with a caller's prompt cache it is always Python's.
	Overlap Overlap
}

// Overlap says whether the decode loop builds a step's graph while another
// thread submits the previous one (see decodeAhead).
type Overlap int

const (
	// OverlapAuto overlaps on a GPU, where submitting a step (MLX walking the
	// graph and encoding its kernels) is most of the step's host time, and not
	// on the CPU, where submitting only queues work for MLX's stream thread and
	// a second busy thread would compete with it for the cores.
	OverlapAuto Overlap = iota
	// OverlapOn always overlaps.
	OverlapOn
	// OverlapOff runs Python's order: build, submit, read, one thread.
	OverlapOff
)

// DefaultQuantizedKVStart is generate.py's DEFAULT_QUANTIZED_KV_START,
// generate_step's quantized_kv_start default since mlx-lm 0.32.
const DefaultQuantizedKVStart = 5000

// Step is one generated token. Logprobs ([vocab]) is valid until the loop
// body returns; keep a copy (mlx.Copy) to hold on to it.
type Step struct {
	Token    int
	Logprobs *mlx.Array
}

// NewPromptCache is make_prompt_cache(model, max_kv_size): the model's own
// caches, else one RotatingKVCache(maxKVSize, keep=4) per layer when
// maxKVSize > 0, else one KVCache per layer.
func NewPromptCache(model arch.Model, maxKVSize int) ([]cache.Cache, error) {
	cs, err := model.MakeCache()
	if err != nil {
		return nil, fmt.Errorf("make_cache: %w", err)
	}
	if cs != nil {
		return cs, nil
	}
	return cache.MakePromptCache(layerCounter{model}, maxKVSize)
}

type layerCounter struct{ m arch.Model }

func (l layerCounter) NumLayers() int { return l.m.NumLayers() }

// FreeCache releases the arrays a prompt cache holds.
func FreeCache(cs []cache.Cache) {
	for _, c := range cs {
		if c != nil {
			for _, a := range c.Handles() {
				a.Free()
			}
		}
	}
}

func cacheHandles(cs []cache.Cache) []*mlx.Array {
	var out []*mlx.Array
	for _, c := range cs {
		out = append(out, c.Handles()...)
	}
	return out
}

type toQuantizer interface {
	Offset() int
	ToQuantized(groupSize, bits int) (*cache.QuantizedKVCache, error)
}

// maybeQuantizeKVCache is maybe_quantize_kv_cache.
func maybeQuantizeKVCache(cs []cache.Cache, start, groupSize, bits int) error {
	if bits <= 0 {
		return nil
	}
	for i, c := range cs {
		tq, ok := c.(toQuantizer)
		if !ok || tq.Offset() < start {
			continue
		}
		q, err := tq.ToQuantized(groupSize, bits)
		if err != nil {
			return fmt.Errorf("cache %d (%s) to_quantized: %w", i, c.ClassName(), err)
		}
		for _, a := range c.Handles() {
			a.Free()
		}
		cs[i] = q
	}
	return nil
}

// GenerateStep is generate_step(prompt, model, ...): it yields each token
// with its log-probabilities, then stops after MaxTokens tokens, on
// cancellation (yielding ctx's error) or on an error (yielded once).
func GenerateStep(ctx context.Context, model arch.Model, prompt []int, o Options) iter.Seq2[Step, error] {
	return func(yield func(Step, error) bool) {
		b, err := mlx.Bind()
		if err != nil {
			yield(Step{}, err)
			return
		}
		defer b.Release()
		g, err := newGenerator(model, prompt, o)
		if err != nil {
			yield(Step{}, err)
			return
		}
		defer g.close()
		if err := g.run(ctx, yield); err != nil {
			yield(Step{}, err)
		}
	}
}

type generator struct {
	model     arch.Model
	o         Options
	caches    []cache.Cache
	prompt    []int32
	tokens    *mlx.Array // what the logits processors see (Python's tokens)
	sampler   sample.Sampler
	groupSize int
	owned     []*mlx.Array // arrays to free on close
}

func newGenerator(model arch.Model, prompt []int, o Options) (*generator, error) {
	if len(prompt) == 0 {
		return nil, errors.New("generate: the prompt is empty")
	}
	g := &generator{model: model, o: o, sampler: o.Sampler, groupSize: o.KVGroupSize}
	if g.sampler == nil {
		g.sampler = sample.Greedy
	}
	if g.groupSize == 0 {
		g.groupSize = 64
	}
	if g.o.PrefillStepSize <= 0 {
		g.o.PrefillStepSize = 2048
	}
	g.prompt = make([]int32, len(prompt))
	for i, t := range prompt {
		if t < 0 || t > 1<<31-1 {
			return nil, fmt.Errorf("generate: prompt token %d at position %d is out of range", t, i)
		}
		g.prompt[i] = int32(t)
	}
	g.caches = o.PromptCache
	if g.caches == nil {
		cs, err := NewPromptCache(model, o.MaxKVSize)
		if err != nil {
			return nil, err
		}
		g.caches = cs
	}
	return g, nil
}

func (g *generator) close() {
	// Wait for work still in flight before its inputs go away for good.
	_ = mlx.Synchronize()
	g.tokens.Free()
	for _, a := range g.owned {
		a.Free()
	}
	if g.o.PromptCache == nil {
		FreeCache(g.caches)
	}
}

func (g *generator) quantizeCache() error {
	return maybeQuantizeKVCache(g.caches, g.o.QuantizedKVStart, g.groupSize, g.o.KVBits)
}

// forward runs the model on input [n] with the caches; it returns logits.
func (g *generator) forward(input *mlx.Array) (*mlx.Array, error) {
	logits, err := g.model.Forward(mlx.ExpandDims(input, 0), g.caches)
	if err != nil {
		return nil, err
	}
	return logits, logits.Err()
}

// step is generate_step's _step: it returns the sampled token [1] and the
// log-probabilities [V], both kept out of the step's scope.
func (g *generator) step(input *mlx.Array) (y, logprobs *mlx.Array, err error) {
	s := mlx.NewScope()
	defer s.Close()
	logits, err := g.forward(input)
	if err != nil {
		return nil, nil, err
	}
	logits = logits.Index(mlx.Colon, -1, mlx.Colon)
	if len(g.o.LogitsProcessors) > 0 && input.Size() > 0 {
		g.appendTokens(input, s)
		for _, p := range g.o.LogitsProcessors {
			logits = p(g.tokens, logits)
		}
	}
	if err := g.quantizeCache(); err != nil {
		return nil, nil, err
	}
	lp := mlx.Subtract(logits, mlx.Logsumexp(logits, true))
	y = g.sampler(lp)
	logprobs = mlx.Squeeze(lp, 0)
	if err := errors.Join(y.Err(), logprobs.Err()); err != nil {
		return nil, nil, err
	}
	s.Keep(y, logprobs)
	s.Keep(cacheHandles(g.caches)...)
	return y, logprobs, nil
}

// appendTokens is `tokens = mx.concat([tokens, input]) if tokens is not None
// else input`, the result kept out of scope s.
func (g *generator) appendTokens(input *mlx.Array, s *mlx.Scope) {
	old := g.tokens
	if old != nil {
		g.tokens = mlx.Concatenate([]*mlx.Array{old, input}, 0)
	} else {
		g.tokens = mlx.Copy(input)
	}
	s.Keep(g.tokens)
	old.Free()
}

func (g *generator) progress(done, total int) {
	if g.o.PromptProgress != nil {
		g.o.PromptProgress(done, total)
	}
}

func (g *generator) run(ctx context.Context, yield func(Step, error) bool) error {
	total := len(g.prompt)
	processed := 0
	g.progress(0, total)
	prompt := g.prompt
	for total-processed > 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(g.o.PrefillStepSize, total-processed-1)
		s := mlx.NewScope()
		chunk := mlx.FromSlice(prompt[:n], n)
		_, err := g.forward(chunk)
		if err == nil {
			err = g.quantizeCache()
		}
		if err == nil && len(g.o.LogitsProcessors) > 0 {
			// Since 0.32 the processors see the whole prompt, prefilled
			// chunks included (a repetition penalty covers prompt tokens).
			g.appendTokens(chunk, s)
		}
		// The scope is closed before the evaluation, as Python drops its
		// references to the chunk's intermediates (and its unused logits)
		// before mx.eval: MLX can then free each intermediate buffer as soon
		// as the ops that read it have run. Evaluated inside the scope, every
		// intermediate of the whole chunk was alive at once (on an H200,
		// Qwen3-4B with a 512-token prompt peaked ~1.8 GB above mlx-lm).
		s.Keep(cacheHandles(g.caches)...)
		s.Close()
		if err == nil {
			err = mlx.Eval(cacheHandles(g.caches)...)
		}
		if err != nil {
			return err
		}
		processed += n
		g.progress(processed, total)
		prompt = prompt[n:]
		mlx.ClearCache()
	}
	in := mlx.FromSlice(prompt, len(prompt))
	g.owned = append(g.owned, in)
	y, logprobs, err := g.step(in)
	if err != nil {
		return err
	}
	overlap := g.o.Overlap == OverlapOn || g.o.Overlap == OverlapAuto && mlx.OnGPU()
	if overlap && g.o.PromptCache == nil && g.o.MaxTokens != 0 {
		return g.decodeAhead(ctx, yield, y, logprobs)
	}
	return g.decode(ctx, yield, y, logprobs)
}

// decode is generate_step's loop as Python runs it: step t+1 is built and
// submitted (async_eval) before token t is read and yielded, all on one
// thread. It is used when the caller owns the prompt cache, which then
// holds exactly what mlx-lm's would after the same tokens.
func (g *generator) decode(ctx context.Context, yield func(Step, error) bool, y, logprobs *mlx.Array) error {
	total := len(g.prompt)
	defer func() { y.Free(); logprobs.Free() }()
	if err := mlx.AsyncEval(y, logprobs); err != nil {
		return err
	}
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var ny, nlp *mlx.Array
		var err error
		if n != g.o.MaxTokens {
			if ny, nlp, err = g.step(y); err != nil {
				return err
			}
			if err := mlx.AsyncEval(ny, nlp); err != nil {
				ny.Free()
				nlp.Free()
				return err
			}
		}
		if n == 0 {
			if err := mlx.Eval(y); err != nil {
				ny.Free()
				nlp.Free()
				return err
			}
			g.progress(total, total)
		}
		if n == g.o.MaxTokens {
			return nil
		}
		tok, err := y.IntItem()
		if err != nil {
			ny.Free()
			nlp.Free()
			return err
		}
		if !yield(Step{Token: tok, Logprobs: logprobs}, nil) {
			ny.Free()
			nlp.Free()
			return nil
		}
		if n%256 == 0 {
			mlx.ClearCache()
		}
		y.Free()
		logprobs.Free()
		y, logprobs = ny, nlp
	}
}

// decodeAhead is decode with graph building and graph submission on two
// threads. While a submitter goroutine runs async_eval for step t+1 (MLX's
// eval walks the graph and encodes every kernel: on a GPU most of a decode
// step's host time), this goroutine builds step t+2's graph. Python's
// generate_step does the two one after the other on one thread, so a step
// costs it build + submit where it costs this loop the larger of the two.
//
// The tokens are decode's: the same graphs are built in the same order (the
// sampler and the logits processors see the same calls), only earlier. What
// differs is how far the caches are ahead when a token is yielded: one step
// more than in mlx-lm (step t+2 is built when token t is yielded), and one
// more step is computed and thrown away when the consumer stops. That is
// why it is used only when the generator made the caches and frees them
// itself (Options.PromptCache nil), where no one can observe either, and by
// default only on a GPU (Options.Overlap).
//
// Threads: every evaluation, wait and read of a submitted step happens on
// the submitter, in order, so MLX never sees two threads evaluate or wait
// on the same arrays. This goroutine only builds on top of them, which
// reads their shapes and dtypes (fixed when an array is made) and takes
// references; each step reaches the submitter through a channel, and its
// arrays are freed only after the submitter has answered for it.
func (g *generator) decodeAhead(ctx context.Context, yield func(Step, error) bool, y, logprobs *mlx.Array) error {
	total := len(g.prompt)
	sub := takeSubmitter()
	// Jobs are answered in order: answer k is for the k-th job sent, and the
	// k-th job is step k's submission (the end job comes last).
	sent, received := 0, 0
	send := func(j submission) {
		sub.jobs <- j
		sent++
	}
	// queue holds the steps built and not yet yielded, oldest first: queue[0]
	// is step n, whose token is yielded next.
	queue := []pending{{y, logprobs}}
	defer func() {
		// The submitter finishes what it was given before the arrays go, and
		// before another generation may take it.
		send(submission{end: true})
		for ; received < sent; received++ {
			<-sub.results
		}
		sub.release()
		for _, p := range queue {
			p.y.Free()
			p.logprobs.Free()
		}
	}()
	send(submission{step: queue[0]})
	next := 1 // the next step to build; decode builds steps 0..MaxTokens
	for n := 0; n != g.o.MaxTokens; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Build through step n+2: its graph is made while the submitter
		// works on step n+1, whose submission reads token n.
		for next <= n+2 && (g.o.MaxTokens < 0 || next <= g.o.MaxTokens) {
			prev := &queue[len(queue)-1]
			ny, nlp, err := g.step(prev.y)
			if err != nil {
				return err
			}
			queue = append(queue, pending{ny, nlp})
			send(submission{step: queue[len(queue)-1], read: &pending{prev.y, prev.logprobs}, clearCache: next%256 == 0})
			next++
		}
		var r submitted
		for received <= n+1 {
			r = <-sub.results
			received++
			if r.err != nil {
				return r.err
			}
		}
		if n == 0 {
			g.progress(total, total)
		}
		if !yield(Step{Token: r.tok, Logprobs: queue[0].logprobs}, nil) {
			return nil
		}
		queue[0].y.Free()
		queue[0].logprobs.Free()
		queue = queue[1:]
	}
	return nil
}
