// Ported from mlx_lm/generate.py
// Upstream: mlx-lm 0.32.2
// Blob: 8a348b25519e3e960d0032607f56a198fac0311b
//
// From generate.py: BatchGenerator, PromptProcessingBatch, GenerationBatch.

package engine

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/hf2go/hf2go/lm/ahocorasick"
	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// seq is one request inside the scheduler.
type seq struct {
	id  uint64
	ctx context.Context
	req Request
	box *mailbox

	prompt      []int32
	pos         int     // prompt tokens whose KV is in caches
	tokens      []int32 // every token whose KV the cache holds (the prompt cache key)
	caches      []cache.Cache
	checkpoints []Checkpoint

	key     *mlx.Array // PRNG state; nil for greedy
	temp    float64
	filters []func(*mlx.Array) *mlx.Array
	procs   []sample.LogitsProcessor

	stop      *ahocorasick.Trie[int32]
	node      *ahocorasick.Node[int32]
	generated int
	admitted  time.Time

	// fresh: the sequence's entry in its group's next is its last prompt
	// token, not a generated one: the group's next step computes its first
	// token (generate_step's first _step) and hands nothing out for it.
	fresh bool
	// drained: its entry in its group's next was handed out already (by
	// drain, token drainedTok, which ended the request when drainedFinish);
	// the next step feeds it and reads nothing for it.
	drained       bool
	drainedTok    int32
	drainedFinish bool
}

// pending: the sequence's entry in its group's next is a generated token
// not handed out yet.
func (q *seq) pending() bool { return !q.fresh && !q.drained }

func (q *seq) greedy() bool { return q.temp == 0 }

// group is a set of sequences decoded by one forward pass: the running
// batch (batch caches), or one sequence with its own caches.
type group struct {
	seqs   []*seq
	caches []cache.Cache
	// next are the tokens the next step feeds, [B] int32: those sampled by
	// the last step, not yet handed out, with their log-probabilities
	// [B, V] and the chosen ones' [B]; a fresh sequence's entry is its
	// last prompt token (its rows of nextLP and nextChosen are zeros; both
	// are nil when every sequence is fresh).
	next, nextLP, nextChosen *mlx.Array
	// batched: caches are batch caches (the running batch).
	batched bool
}

func (g *group) handles() []*mlx.Array {
	var out []*mlx.Array
	for _, c := range g.caches {
		if c != nil {
			out = append(out, c.Handles()...)
		}
	}
	for _, q := range g.seqs {
		if q.key != nil {
			out = append(out, q.key)
		}
	}
	return append(out, g.next, g.nextLP, g.nextChosen)
}

func (g *group) freeNext() {
	g.next.Free()
	g.nextLP.Free()
	g.nextChosen.Free()
	g.next, g.nextLP, g.nextChosen = nil, nil, nil
}

func (g *group) free() {
	g.freeNext()
	generate.FreeCache(g.caches)
	g.caches = nil
	for _, q := range g.seqs {
		q.key.Free()
		q.key = nil
	}
	g.seqs = nil
}

type scheduler struct {
	e         *Engine
	model     arch.Model
	o         Options
	log       *slog.Logger
	batchable bool

	waiting    []*seq
	prefilling []*seq
	main       *group   // the running batch (batchable models)
	solos      []*group // one group per sequence (models without batch caches)
	pc         *promptCache
	steps      int
	// handoffs are prefill batches whose every row finished its prompt in
	// this iteration's pass: they join the running batch as they are,
	// without being split into rows and merged again.
	handoffs []handoff
}

// handoff is a prefilled batch: seqs[i] is row i of caches (batch caches).
type handoff struct {
	seqs   []*seq
	caches []cache.Cache
}

func newScheduler(e *Engine) (*scheduler, error) {
	s := &scheduler{e: e, model: e.model, o: e.o, log: e.o.Logger}
	if e.o.PromptCacheSize > 0 {
		s.pc = newPromptCache(e.o.PromptCacheSize)
	}
	s.batchable = s.probe()
	return s, nil
}

// probe runs two one-token sequences through a first step each, merges
// them into a batch and steps it: the model is batchable when that works.
func (s *scheduler) probe() (ok bool) {
	b, err := mlx.Bind()
	if err != nil {
		return false
	}
	defer b.Release()
	sc := mlx.NewScope()
	defer sc.Close()
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	var layers [][]cache.Cache
	for range 2 {
		cs, err := generate.NewPromptCache(s.model, s.o.MaxKVSize)
		if err != nil {
			return false
		}
		defer generate.FreeCache(cs)
		logits, err := s.model.Forward(mlx.FromSlice([]int32{0}, 1, 1), cs)
		if err != nil || mlx.Eval(logits) != nil {
			return false
		}
		layers = append(layers, cs)
	}
	batch, err := toBatch(layers[0])
	if err != nil {
		return false
	}
	defer generate.FreeCache(batch)
	other, err := toBatch(layers[1])
	if err != nil {
		return false
	}
	defer generate.FreeCache(other)
	if err := extendCaches(batch, other); err != nil {
		return false
	}
	logits, err := s.model.Forward(mlx.FromSlice([]int32{0, 0}, 2, 1), batch)
	if err != nil || mlx.Eval(logits) != nil {
		return false
	}
	return logits.Dim(0) == 2
}

func (s *scheduler) run() {
	defer close(s.e.done)
	// The scheduler's own MLX context (stream and scope stack): its scopes
	// never see arrays of another goroutine's work (a Go program may run
	// lm/generate beside the engine), and its ops take no shared lock.
	b, err := mlx.Bind()
	if err != nil {
		s.e.failed.Store(err)
		s.failAll(err)
		return
	}
	defer b.Release()
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("scheduler panic: %v", r)
			s.log.Error("engine scheduler died", "err", err)
			s.e.failed.Store(err)
			s.failAll(err)
		}
	}()
	for {
		t := time.Now()
		ok := s.intake()
		s.spent(phIdle, t)
		if !ok {
			s.failAll(ErrClosed)
			return
		}
		t = time.Now()
		s.dropCancelled()
		s.admit()
		s.spent(phAdmit, t)
		s.decode()
		// A prefill pass waits for the step just launched (one stream):
		// hand that step's tokens out first rather than a step later, so
		// that the first tokens of the prompts folded in the last iteration
		// are not held back by the next prompts' prefill.
		if s.main != nil && s.prefillPending() {
			t = time.Now()
			if err := s.drain(s.main); err != nil {
				s.log.Error("decode step failed", "batch", len(s.main.seqs), "err", err)
				for _, q := range s.main.seqs {
					q.box.finish(err)
				}
				s.main.free()
				s.main = nil
			}
			s.spent(phDrain, t)
		}
		// The prompts prefill finishes join the running batch at once and
		// take their first step in the next decode pass (BatchGenerator
		// runs them in a pass of their own).
		t = time.Now()
		s.prefill()
		s.spent(phPrefill, t)
		s.gauges()
	}
}

func (s *scheduler) idle() bool {
	return len(s.waiting) == 0 && len(s.prefilling) == 0 && s.main == nil && len(s.solos) == 0
}

func (s *scheduler) active() int {
	n := len(s.prefilling)
	if s.main != nil {
		n += len(s.main.seqs)
	}
	return n + len(s.solos)
}

// intake moves submitted requests into waiting, blocking when there is no
// work; it returns false when the engine is closing.
func (s *scheduler) intake() bool {
	if s.idle() {
		select {
		case q := <-s.e.submit:
			s.waiting = append(s.waiting, q)
		case <-s.e.quit:
			return false
		}
	}
	for {
		select {
		case q := <-s.e.submit:
			s.waiting = append(s.waiting, q)
		case <-s.e.quit:
			return false
		default:
			return true
		}
	}
}

func (s *scheduler) gauges() {
	dec := len(s.solos)
	if s.main != nil {
		dec += len(s.main.seqs)
	}
	s.e.schedState.prefilling.Store(int64(len(s.prefilling)))
	s.e.schedState.decoding.Store(int64(dec))
	if s.pc != nil {
		s.e.schedState.cacheEntries.Store(int64(s.pc.len()))
		s.e.schedState.cacheBytes.Store(s.pc.nbytes())
	}
}

func (s *scheduler) failAll(err error) {
	for _, q := range s.waiting {
		s.e.waiting.Add(-1)
		q.box.finish(err)
	}
	s.waiting = nil
	for _, q := range s.prefilling {
		q.box.finish(err)
		generate.FreeCache(q.caches)
		q.key.Free()
	}
	s.prefilling = nil
	for _, g := range s.groups() {
		for _, q := range g.seqs {
			q.box.finish(err)
		}
		g.free()
	}
	s.main, s.solos = nil, nil
	if s.pc != nil {
		s.pc.clear()
	}
	for {
		select {
		case q := <-s.e.submit:
			s.e.waiting.Add(-1)
			q.box.finish(err)
		default:
			return
		}
	}
}

func (s *scheduler) groups() []*group {
	var gs []*group
	if s.main != nil {
		gs = append(gs, s.main)
	}
	return append(gs, s.solos...)
}

// dropCancelled removes requests whose context ended; their slot and
// caches are freed now and nothing of theirs enters the prompt cache.
func (s *scheduler) dropCancelled() {
	s.waiting = slices.DeleteFunc(s.waiting, func(q *seq) bool {
		if err := q.ctx.Err(); err != nil {
			s.e.waiting.Add(-1)
			q.box.finish(err)
			return true
		}
		return false
	})
	s.prefilling = slices.DeleteFunc(s.prefilling, func(q *seq) bool {
		if err := q.ctx.Err(); err != nil {
			q.box.finish(err)
			generate.FreeCache(q.caches)
			q.key.Free()
			return true
		}
		return false
	})
	if s.main != nil {
		var gone []int
		for i, q := range s.main.seqs {
			if err := q.ctx.Err(); err != nil {
				q.box.finish(err)
				gone = append(gone, i)
			}
		}
		if len(gone) > 0 {
			s.removeRows(s.main, gone, false)
			if len(s.main.seqs) == 0 {
				s.main = nil
			}
		}
	}
	drop := func(g *group) bool {
		if err := g.seqs[0].ctx.Err(); err != nil {
			g.seqs[0].box.finish(err)
			g.free()
			return true
		}
		return false
	}
	s.solos = slices.DeleteFunc(s.solos, drop)
}

// admit gives waiting requests a slot while there is room
// (BatchGenerator._next: prefill_batch_size and completion_batch_size).
func (s *scheduler) admit() {
	for len(s.waiting) > 0 && s.active() < s.o.DecodeConcurrency && len(s.prefilling) < s.o.PromptConcurrency {
		q := s.waiting[0]
		s.waiting = s.waiting[1:]
		s.e.waiting.Add(-1)
		if err := s.setup(q); err != nil {
			generate.FreeCache(q.caches)
			q.key.Free()
			q.box.finish(err)
			continue
		}
		s.prefilling = append(s.prefilling, q)
	}
}

func randomSeed() uint64 {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return uint64(time.Now().UnixNano())
	}
	return binary.LittleEndian.Uint64(b[:])
}

// setup starts a request: the nearest prompt cache, its sampler and
// logits processors, its stop sequences.
func (s *scheduler) setup(q *seq) error {
	r := q.req
	q.admitted = time.Now()
	q.prompt = make([]int32, len(r.Prompt))
	for i, t := range r.Prompt {
		q.prompt[i] = int32(t)
	}
	cached := 0
	if s.pc != nil {
		cs, rest := s.pc.fetchNearest(q.prompt)
		if cs != nil && len(rest) == 0 {
			// The whole prompt is cached: the last token must still be fed to
			// produce logits, so give it back (mlx-lm would find no tokens
			// left to process here).
			if cache.CanTrimPromptCache(cs) && cache.TrimPromptCache(cs, 1) == 1 {
				rest = q.prompt[len(q.prompt)-1:]
			} else {
				generate.FreeCache(cs)
				cs, rest = nil, q.prompt
			}
		}
		q.caches = cs
		cached = len(q.prompt) - len(rest)
	}
	if q.caches == nil {
		cs, err := generate.NewPromptCache(s.model, s.o.MaxKVSize)
		if err != nil {
			return err
		}
		q.caches, cached = cs, 0
	}
	q.pos = cached
	q.tokens = slices.Clone(q.prompt[:cached])
	for _, cp := range r.Checkpoints {
		if cp.At > cached && cp.At < len(q.prompt) {
			q.checkpoints = append(q.checkpoints, cp)
		}
	}
	slices.SortFunc(q.checkpoints, func(a, b Checkpoint) int { return a.At - b.At })

	// make_sampler: the filters that are enabled, in its order, then
	// categorical sampling at the temperature with the request's own key.
	o := r.Sampling
	q.temp = o.Temp
	if o.Temp > 0 {
		keep := o.MinTokensToKeep
		if keep == 0 {
			keep = 1
		}
		if o.TopP > 0 && o.TopP < 1.0 {
			q.filters = append(q.filters, func(x *mlx.Array) *mlx.Array { return sample.ApplyTopP(x, o.TopP) })
		}
		if o.MinP != 0 {
			q.filters = append(q.filters, func(x *mlx.Array) *mlx.Array { return sample.ApplyMinP(x, o.MinP, keep) })
		}
		if o.TopK > 0 {
			q.filters = append(q.filters, func(x *mlx.Array) *mlx.Array { return sample.ApplyTopK(x, o.TopK) })
		}
		seed := randomSeed()
		if r.Seed != nil {
			seed = *r.Seed
		}
		q.key = mlx.RandomKey(seed)
		if err := q.key.Err(); err != nil {
			return err
		}
	}
	procs, err := sample.MakeLogitsProcessors(r.LogitBias, r.RepetitionPenalty, r.RepetitionContextSize)
	if err != nil {
		return err
	}
	q.procs = procs

	// make_stop_sequences: each EOS token, then the stop words' tokens.
	var stops [][]int32
	for _, t := range s.o.EOSTokenIDs {
		stops = append(stops, []int32{int32(t)})
	}
	for _, w := range r.StopSequences {
		v := make([]int32, len(w))
		for i, t := range w {
			v[i] = int32(t)
		}
		stops = append(stops, v)
	}
	q.stop = ahocorasick.New(stops)
	q.node = q.stop.Root

	s.e.stats.requests.Add(1)
	s.e.stats.promptTokens.Add(uint64(len(q.prompt)))
	s.e.stats.cachedTokens.Add(uint64(cached))
	q.box.put(Event{Kind: Started, PromptTokens: len(q.prompt), CachedTokens: cached})
	return nil
}

// prefill processes one chunk of each prompt being prefilled; a prompt
// with only its last token left takes its first step and starts decoding.
func (s *scheduler) prefill() {
	failed := map[*seq]bool{}
	fail := func(q *seq, err error) {
		s.log.Error("prefill failed", "request", q.req.ID, "err", err)
		q.box.finish(err)
		generate.FreeCache(q.caches)
		q.caches = nil
		q.key.Free()
		failed[q] = true
	}
	if s.batchable {
		for _, grp := range s.prefillGroups() {
			if len(grp) == 1 {
				if err := s.prefillChunk(grp[0]); err != nil {
					fail(grp[0], err)
				}
				continue
			}
			if err := s.prefillBatch(grp); err != nil {
				for _, q := range grp {
					fail(q, err)
				}
			}
		}
	} else {
		for _, q := range s.prefilling {
			if err := s.prefillChunk(q); err != nil {
				fail(q, err)
			}
		}
	}
	var still, ready []*seq
	for _, q := range s.prefilling {
		if failed[q] {
			continue
		}
		if q.pos < len(q.prompt)-1 {
			still = append(still, q)
			continue
		}
		q.box.put(Event{Kind: Progress, Processed: len(q.prompt), Total: len(q.prompt)})
		q.fresh = true
		if q.caches == nil {
			continue // in a handoff
		}
		if s.batchable {
			ready = append(ready, q)
			continue
		}
		g := &group{seqs: []*seq{q}, caches: q.caches, next: mlx.FromSlice(q.prompt[len(q.prompt)-1:])}
		q.caches = nil
		s.solos = append(s.solos, g)
	}
	s.prefilling = still
	if len(ready) > 0 || len(s.handoffs) > 0 {
		t := time.Now()
		if len(ready) > 0 {
			s.fold(ready)
		}
		for _, h := range s.handoffs {
			s.foldBatch(h.seqs, h.caches)
		}
		s.handoffs = nil
		s.spent(phFold, t)
	}
}

// fold moves prompts whose last token is all that is left into the running
// batch (GenerationBatch.extend of PromptProcessingBatch.generate's batch):
// their caches become batch caches, merged layer by layer in one
// operation, and their last prompt tokens are the inputs of their rows in
// the next step.
func (s *scheduler) fold(ready []*seq) {
	sc := mlx.NewScope()
	defer sc.Close()
	fail := func(err error) {
		for _, q := range ready {
			s.log.Error("joining the batch failed", "request", q.req.ID, "err", err)
			q.box.finish(err)
			generate.FreeCache(q.caches)
			q.caches = nil
			q.key.Free()
			q.key = nil
		}
	}
	nLayers := len(ready[0].caches)
	bc := make([]cache.Cache, 0, nLayers)
	for i, q := range ready {
		if len(q.caches) != nLayers {
			fail(fmt.Errorf("request %d has %d caches, want %d", i, len(q.caches), nLayers))
			return
		}
	}
	for l := range nLayers {
		col := make([]cache.Cache, len(ready))
		for i, q := range ready {
			col[i] = q.caches[l]
		}
		m, err := cache.MergeCaches(col)
		if err != nil {
			generate.FreeCache(bc)
			fail(fmt.Errorf("layer %d: %w", l, err))
			return
		}
		bc = append(bc, m)
	}
	seqs := make([]*seq, len(ready))
	for i, q := range ready {
		generate.FreeCache(q.caches)
		q.caches = nil
		seqs[i] = q
	}
	sc.Keep(cacheHandles(bc)...)
	sc.Close()
	s.foldBatch(seqs, bc)
}

// foldBatch is GenerationBatch.extend with seqs, whose KV is the rows of
// the batch caches bc, in order; their last prompt tokens are their rows'
// inputs of the next step.
func (s *scheduler) foldBatch(seqs []*seq, bc []cache.Cache) {
	sc := mlx.NewScope()
	defer sc.Close()
	fail := func(err error) {
		for _, q := range seqs {
			s.log.Error("joining the batch failed", "request", q.req.ID, "err", err)
			q.box.finish(err)
			q.key.Free()
			q.key = nil
		}
	}
	last := make([]int32, len(seqs))
	for i, q := range seqs {
		last[i] = q.prompt[len(q.prompt)-1]
	}
	j := &group{seqs: seqs, caches: bc, next: mlx.FromSlice(last), batched: true}
	if s.main == nil {
		s.main = j
		sc.Keep(j.handles()...)
		return
	}
	m := s.main
	if err := extendCaches(m.caches, j.caches); err != nil {
		sc.Keep(m.handles()...)
		generate.FreeCache(j.caches)
		j.caches = nil
		fail(err)
		return
	}
	generate.FreeCache(j.caches)
	n := mlx.Concatenate([]*mlx.Array{m.next, j.next}, 0)
	var lp, ch *mlx.Array
	if m.nextLP != nil {
		// Placeholder rows for the fresh sequences (never read).
		lp = mlx.Concatenate([]*mlx.Array{m.nextLP, mlx.Zeros(m.nextLP.Dtype(), len(seqs), m.nextLP.Dim(1))}, 0)
		ch = mlx.Concatenate([]*mlx.Array{m.nextChosen, mlx.Zeros(m.nextChosen.Dtype(), len(seqs))}, 0)
	}
	m.freeNext()
	j.freeNext()
	m.next, m.nextLP, m.nextChosen = n, lp, ch
	m.seqs = append(m.seqs, seqs...)
	sc.Keep(m.handles()...)
}

func cacheHandles(cs []cache.Cache) []*mlx.Array {
	var out []*mlx.Array
	for _, c := range cs {
		out = append(out, c.Handles()...)
	}
	return out
}

// nextChunk is the prompt tokens q's next prefill step processes (none
// when only its last token is left): at most PrefillStepSize, and never past
// its next checkpoint (BatchGenerator's segments).
func (s *scheduler) nextChunk(q *seq) []int32 {
	left := len(q.prompt) - 1 - q.pos
	if left <= 0 {
		return nil
	}
	n := min(s.o.PrefillStepSize, left)
	if len(q.checkpoints) > 0 {
		n = min(n, q.checkpoints[0].At-q.pos)
	}
	return q.prompt[q.pos : q.pos+n]
}

func (s *scheduler) prefillChunk(q *seq) error {
	chunk := s.nextChunk(q)
	if len(chunk) == 0 {
		return nil
	}
	n := len(chunk)
	sc := mlx.NewScope()
	logits, err := s.model.Forward(mlx.FromSlice(chunk, 1, n), q.caches)
	if err == nil {
		err = logits.Err()
	}
	if err == nil {
		err = mlx.Eval(cacheHandles(q.caches)...)
	}
	sc.Keep(cacheHandles(q.caches)...)
	sc.Close()
	if err != nil {
		return err
	}
	s.clearAfterPrefill(n)
	return s.chunkDone(q, chunk, nil, 0)
}

// clearAfterPrefill is the mx.clear_cache() after each prefill chunk, made
// only when the pass processed enough tokens to leave large transient
// buffers: after a short chunk it would only hand the allocator's cached
// buffers back to the system (on a GPU a synchronizing free) for the next
// decode step to allocate again. (BatchGenerator clears after every chunk.)
func (s *scheduler) clearAfterPrefill(tokens int) {
	if tokens >= clearCacheMinTokens {
		mlx.ClearCache()
	}
}

// clearCacheMinTokens is the smallest prefill pass (rows x chunk length)
// after which the buffer cache is cleared.
const clearCacheMinTokens = 512

// chunkDone records a prefilled chunk of q: its progress, and the prompt
// cache entry of a checkpoint it reached. q's KV is its own caches, or row
// of batch when batch is not nil.
func (s *scheduler) chunkDone(q *seq, chunk []int32, batch []cache.Cache, row int) error {
	q.pos += len(chunk)
	q.tokens = append(q.tokens, chunk...)
	q.box.put(Event{Kind: Progress, Processed: q.pos, Total: len(q.prompt)})
	if len(q.checkpoints) > 0 && q.checkpoints[0].At == q.pos {
		cp := q.checkpoints[0]
		q.checkpoints = q.checkpoints[1:]
		if s.pc != nil {
			var cs []cache.Cache
			var err error
			if batch != nil {
				// c.extract(idx), materialized now so that the entry does
				// not hold the whole batch's buffers.
				if cs, err = extractRow(batch, row); err == nil {
					err = mlx.AsyncEval(cacheHandles(cs)...)
					if err != nil {
						generate.FreeCache(cs)
					}
				}
			} else {
				cs, err = cloneCaches(q.caches)
			}
			if err != nil {
				return err
			}
			s.insertCache(slices.Clone(q.tokens), cs, cp.Type)
		}
	}
	return nil
}

func (s *scheduler) insertCache(tokens []int32, cs []cache.Cache, typ string) {
	if s.pc == nil {
		generate.FreeCache(cs)
		return
	}
	if err := s.pc.insert(tokens, cs, typ); err != nil {
		s.log.Warn("prompt cache: insert failed", "err", err)
		return
	}
	if s.o.PromptCacheBytes > 0 {
		var active int64
		for _, g := range s.groups() {
			for _, c := range g.caches {
				active += int64(c.Nbytes())
			}
		}
		for _, q := range s.prefilling {
			for _, c := range q.caches {
				active += int64(c.Nbytes())
			}
		}
		s.pc.trimBytes(s.o.PromptCacheBytes - active)
	}
}

// forwardSample is GenerationBatch._step's graph: the model on the group's
// next tokens, each sequence's logits processors and sampler, the
// log-probabilities and the chosen tokens' log-probabilities. inputs[i] is
// row i's token; contexts are built only for rows with processors.
func (s *scheduler) forwardSample(g *group, inputs *mlx.Array) (next, lp, chosen *mlx.Array, err error) {
	B := len(g.seqs)
	logits, err := s.model.Forward(inputs.Reshape(B, 1), g.caches)
	if err != nil {
		return nil, nil, nil, err
	}
	logits = logits.Index(mlx.Colon, -1, mlx.Colon)
	anyProcs := false
	for _, q := range g.seqs {
		anyProcs = anyProcs || len(q.procs) > 0
	}
	if anyProcs {
		rows := make([]*mlx.Array, B)
		for e, q := range g.seqs {
			row := logits.Index(mlx.Slice(e, e+1, 1))
			if len(q.procs) > 0 {
				ctx := mlx.Concatenate([]*mlx.Array{mlx.FromSlice(q.tokens), inputs.Index(mlx.Slice(e, e+1, 1)).Astype(mlx.Int32)}, 0)
				for _, p := range q.procs {
					row = p(ctx, row)
				}
			}
			rows[e] = row
		}
		logits = mlx.Concatenate(rows, 0)
	}
	lp = mlx.Subtract(logits, mlx.Logsumexp(logits, true, -1))
	allGreedy := true
	for _, q := range g.seqs {
		allGreedy = allGreedy && q.greedy()
	}
	if allGreedy {
		next = mlx.Argmax(lp, -1, false)
	} else {
		rows := make([]*mlx.Array, B)
		for e, q := range g.seqs {
			row := lp.Index(mlx.Slice(e, e+1, 1))
			if q.greedy() {
				rows[e] = mlx.Argmax(row, -1, false)
				continue
			}
			for _, f := range q.filters {
				row = f(row)
			}
			rows[e] = mlx.Categorical(mlx.Multiply(row, mlx.Float(1/q.temp)), -1, q.nextKey())
		}
		next = mlx.Concatenate(rows, 0)
	}
	next = next.Astype(mlx.Int32)
	chosen = mlx.TakeAlongAxis(lp, next.Reshape(B, 1), -1).Reshape(B)
	if err := errors.Join(next.Err(), lp.Err(), chosen.Err()); err != nil {
		return nil, nil, nil, err
	}
	return next, lp, chosen, nil
}

// nextKey is KeySequence.next on the request's own sequence: split the
// state, keep the first half, draw with the second.
func (q *seq) nextKey() *mlx.Array {
	pair := mlx.RandomSplit(q.key, 2)
	next := pair.Index(0)
	use := pair.Index(1)
	q.key.Free()
	q.key = next
	return use
}

// decode steps the running batch and every solo sequence once.
func (s *scheduler) decode() {
	if s.main != nil {
		if b := int64(len(s.main.seqs)); b > s.e.schedState.maxBatch.Load() {
			s.e.schedState.maxBatch.Store(b)
		}
		if err := s.step(s.main, true); err != nil {
			s.log.Error("decode step failed", "batch", len(s.main.seqs), "err", err)
			for _, q := range s.main.seqs {
				q.box.finish(err)
			}
			s.main.free()
		}
		if len(s.main.seqs) == 0 {
			s.main = nil
		}
	}
	s.solos = slices.DeleteFunc(s.solos, func(g *group) bool {
		if err := s.step(g, false); err != nil {
			s.log.Error("decode step failed", "request", g.seqs[0].req.ID, "err", err)
			g.seqs[0].box.finish(err)
			g.free()
			return true
		}
		return len(g.seqs) == 0
	})
	s.steps++
	s.e.stats.steps.Add(1)
	if s.steps%512 == 0 {
		mlx.ClearCache()
	}
}

// step is GenerationBatch.next: compute the step after the current tokens,
// then hand out the current ones and retire the finished sequences.
func (s *scheduler) step(g *group, batched bool) error {
	cur, curLP, curChosen := g.next, g.nextLP, g.nextChosen
	// No scope may be open around the rest: arrays kept by a nested scope
	// move to the enclosing one and would be freed when it closes.
	sc := mlx.NewScope()
	t := time.Now()
	next, lp, chosen, err := s.forwardSample(g, cur)
	t = s.spent(phBuild, t)
	if err == nil {
		err = mlx.AsyncEval(append([]*mlx.Array{next, lp, chosen}, cacheHandles(g.caches)...)...)
	}
	t = s.spent(phLaunch, t)
	if err != nil {
		sc.Keep(g.handles()...)
		sc.Close()
		return err
	}
	g.next, g.nextLP, g.nextChosen = next, lp, chosen
	sc.Keep(g.handles()...)
	sc.Close()
	defer func() {
		cur.Free()
		curLP.Free()
		curChosen.Free()
	}()

	evs, err := s.readTokens(g, cur, curLP, curChosen)
	t = s.spent(phWait, t)
	if err != nil {
		return err
	}
	var finished []int
	handed := 0
	for i, q := range g.seqs {
		switch {
		case q.fresh:
			// The step fed its last prompt token; its first token is in
			// g.next now.
			q.fresh = false
			q.tokens = append(q.tokens, q.prompt[len(q.prompt)-1])
		case q.drained:
			q.drained = false
			q.tokens = append(q.tokens, q.drainedTok)
			if q.drainedFinish {
				finished = append(finished, i)
			}
		default:
			handed++
			q.tokens = append(q.tokens, int32(evs[i].ID))
			if s.handOut(q, evs[i]) {
				finished = append(finished, i)
			}
		}
	}
	s.e.stats.generatedTokens.Add(uint64(handed))
	t = s.spent(phEmit, t)
	if len(finished) > 0 {
		s.removeRows(g, finished, true)
		s.spent(phRetire, t)
	}
	return nil
}

// handOut is GenerationBatch.next's per-row bookkeeping for a generated
// token: its count, max_tokens, the stop matcher, the event. It reports
// whether the token ends the request.
func (s *scheduler) handOut(q *seq, ev Event) bool {
	q.generated++
	if q.generated >= q.req.MaxTokens {
		ev.FinishReason = "length"
	}
	q.node = q.stop.Step(q.node, int32(ev.ID))
	if q.node.Match() != nil {
		ev.FinishReason = "stop"
	}
	q.box.put(ev)
	return ev.FinishReason != ""
}

// prefillPending says whether prefill has a forward pass to run.
func (s *scheduler) prefillPending() bool {
	for _, q := range s.prefilling {
		if len(s.nextChunk(q)) > 0 {
			return true
		}
	}
	return false
}

// drain waits for the step in flight and hands its tokens out now; the
// rows stay in the batch until the next step has fed those tokens (so a
// finished request's prompt-cache entry covers all its tokens, as after
// a normal step), and their mailboxes end then.
func (s *scheduler) drain(g *group) error {
	evs, err := s.readTokens(g, g.next, g.nextLP, g.nextChosen)
	if err != nil {
		return err
	}
	handed := 0
	for i, q := range g.seqs {
		if !q.pending() {
			continue
		}
		handed++
		q.drained, q.drainedTok = true, int32(evs[i].ID)
		q.drainedFinish = s.handOut(q, evs[i])
	}
	s.e.stats.generatedTokens.Add(uint64(handed))
	return nil
}

// readTokens waits for the current tokens and reads them, with their
// log-probabilities and the top alternatives the requests asked for; the
// entry of a sequence that is not pending (fresh or drained) is left
// empty (and when none is pending nothing is waited for).
func (s *scheduler) readTokens(g *group, cur, curLP, curChosen *mlx.Array) ([]Event, error) {
	anyOld := false
	for _, q := range g.seqs {
		anyOld = anyOld || q.pending()
	}
	if !anyOld {
		return make([]Event, len(g.seqs)), nil
	}
	sc := mlx.NewScope()
	defer sc.Close()
	if err := mlx.Eval(cur, curChosen); err != nil {
		return nil, err
	}
	toks, err := mlx.ToSlice[int32](cur)
	if err != nil {
		return nil, err
	}
	lps, err := mlx.ToSlice[float32](curChosen)
	if err != nil {
		return nil, err
	}
	evs := make([]Event, len(g.seqs))
	for i, q := range g.seqs {
		if !q.pending() {
			continue
		}
		evs[i] = Event{Kind: Token, ID: int(toks[i]), Logprob: float64(lps[i])}
		if q.req.TopLogprobs > 0 {
			if evs[i].Top, err = topLogprobs(curLP.Index(i), q.req.TopLogprobs); err != nil {
				return nil, err
			}
		}
	}
	return evs, nil
}

// topLogprobs is _format_top_logprobs: argpartition(-logprobs, top_n-1)[:top_n]
// (in argpartition's order, as the server returns them).
func topLogprobs(lp *mlx.Array, n int) ([]TopLogprob, error) {
	n = min(n, lp.Dim(0))
	idx := mlx.Argpartition(mlx.Negative(lp), n-1, -1).Index(mlx.Slice(0, n, 1))
	vals := mlx.Take(lp, idx, 0)
	if err := mlx.Eval(idx, vals); err != nil {
		return nil, err
	}
	ids, err := mlx.ToSlice[uint32](idx.Astype(mlx.Uint32))
	if err != nil {
		return nil, err
	}
	vs, err := mlx.ToSlice[float32](vals.Astype(mlx.Float32))
	if err != nil {
		return nil, err
	}
	out := make([]TopLogprob, n)
	for i := range out {
		out[i] = TopLogprob{ID: int(ids[i]), Logprob: float64(vs[i])}
	}
	return out, nil
}

// removeRows drops rows of a group (GenerationBatch.filter); finished rows
// (keepCache) leave their KV in the prompt cache under all their tokens.
func (s *scheduler) removeRows(g *group, rows []int, keepCache bool) {
	gone := map[int]bool{}
	for _, i := range rows {
		gone[i] = true
	}
	if keepCache && s.pc != nil {
		for _, i := range rows {
			q := g.seqs[i]
			var cs []cache.Cache
			var err error
			if !g.batched {
				cs, g.caches = g.caches, nil
			} else {
				cs, err = extractRow(g.caches, i)
			}
			if err != nil {
				s.log.Warn("prompt cache: cannot extract a finished request's cache", "request", q.req.ID, "err", err)
				continue
			}
			s.insertCache(q.tokens, cs, "assistant")
		}
	}
	for _, i := range rows {
		g.seqs[i].box.finish(nil)
		g.seqs[i].key.Free()
		g.seqs[i].key = nil
	}
	var keep []int
	var seqs []*seq
	for i, q := range g.seqs {
		if !gone[i] {
			keep = append(keep, i)
			seqs = append(seqs, q)
		}
	}
	if len(keep) == 0 {
		g.seqs = nil
		g.free()
		return
	}
	sc := mlx.NewScope()
	defer sc.Close()
	if err := filterCaches(g.caches, keep); err != nil {
		s.log.Error("batch filter failed", "err", err)
	}
	idx := make([]int32, len(keep))
	for i, k := range keep {
		idx[i] = int32(k)
	}
	ki := mlx.FromSlice(idx)
	n := mlx.Take(g.next, ki, 0)
	var lp, ch *mlx.Array
	if g.nextLP != nil {
		lp, ch = mlx.Take(g.nextLP, ki, 0), mlx.Take(g.nextChosen, ki, 0)
	}
	g.freeNext()
	g.next, g.nextLP, g.nextChosen = n, lp, ch
	g.seqs = seqs
	sc.Keep(g.handles()...)
}

// Scheduler phases whose wall time the engine accounts (Stats.Phases): the
// host-side breakdown of a scheduler iteration.
const (
	phIdle    = iota // blocked with no work
	phAdmit          // cancellations, prompt-cache lookups, sampler setup
	phPrefill        // prompt chunks (merge, forward, eval, extract), fold included
	phFold           // prefilled prompts joining the running batch
	phBuild          // a decode step's graph: model forward, processors, sampler
	phLaunch         // async_eval of the step
	phWait           // waiting for the previous step's tokens and reading them
	phEmit           // stop matching, events to the requests' mailboxes
	phRetire         // finished rows: cache extract into the prompt cache, batch filter
	phDrain          // the step in flight read and handed out before a prefill pass
	nPhases
)

var phaseNames = [nPhases]string{"idle", "admit", "prefill", "fold", "build", "launch", "wait", "emit", "retire", "drain"}

// spent adds the time since t to phase ph and returns now.
func (s *scheduler) spent(ph int, t time.Time) time.Time {
	now := time.Now()
	s.e.schedState.phases[ph].Add(int64(now.Sub(t)))
	return now
}
