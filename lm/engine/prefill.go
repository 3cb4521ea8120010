// Ported from mlx_lm/generate.py
// Upstream: mlx-lm 0.32.2
// Blob: 8a348b25519e3e960d0032607f56a198fac0311b
//
// From generate.py: PromptProcessingBatch.prompt (several prompts prefilled
// by one forward pass, right-padded to the longest chunk, the caches
// prepared with the lengths and right padding and finalized after).

package engine

import (
	"fmt"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// padSafe says whether prompts of different lengths may share a padded
// prefill pass: when every layer's cache is a KVCache. Right padding is
// exact there (the padded keys come after a row's real ones, so causal
// attention never reads them, and finalize rolls them to the left). A
// recurrent layer is exact only if it honours cache.lengths, which
// mlx-lm 0.32.2's nemotron_h (and the Go translated from it) does not: its
// padded rows take the padding into their SSM state. Models with other
// caches are therefore prefilled together only with chunks of one length.
func padSafe(cs []cache.Cache) bool {
	for _, c := range cs {
		if _, ok := c.(*cache.KVCache); !ok {
			return false
		}
	}
	return len(cs) > 0
}

// prefillGroups splits the prompts with tokens left to prefill into the
// groups that share a forward pass: all of them when the model's caches
// are padSafe (BatchGenerator's one PromptProcessingBatch), else those of
// equal chunk length. Groups keep the admission order.
func (s *scheduler) prefillGroups() [][]*seq {
	var groups [][]*seq
	byLen := map[int]int{}
	for _, q := range s.prefilling {
		n := len(s.nextChunk(q))
		if n == 0 {
			continue
		}
		key := n
		if padSafe(q.caches) {
			key = 0
		}
		if g, ok := byLen[key]; ok {
			groups[g] = append(groups[g], q)
			continue
		}
		byLen[key] = len(groups)
		groups = append(groups, []*seq{q})
	}
	return groups
}

// prefillBatch is PromptProcessingBatch.prompt for one chunk of each
// prompt of grp: their caches merged (_merge_caches), the chunks
// right-padded to the longest with the caches prepared for it, one forward
// pass, finalize. When every row has only its last token left after the
// pass (a prompt of one chunk: the common case), the batch goes to the
// running batch as it is (a handoff, as PromptProcessingBatch.generate
// hands its cache to GenerationBatch); otherwise each row's caches are
// extracted back to its sequence, which keeps its own caches between
// steps (mlx-lm keeps the merged prompt batch between chunks).
func (s *scheduler) prefillBatch(grp []*seq) error {
	chunks := make([][]int32, len(grp))
	whole := true
	tokens := 0
	for i, q := range grp {
		chunks[i] = s.nextChunk(q)
		whole = whole && q.pos+len(chunks[i]) == len(q.prompt)-1
		tokens += len(chunks[i])
	}
	// The forward pass runs in a scope of its own, closed before the
	// checkpoints' cache copies are made: those belong to the prompt cache.
	batch, err := s.prefillForward(grp, chunks, whole)
	if err != nil {
		return err
	}
	s.clearAfterPrefill(tokens)
	for i, q := range grp {
		if err := s.chunkDone(q, chunks[i], batch, i); err != nil {
			generate.FreeCache(batch)
			return err
		}
	}
	if batch != nil {
		s.handoffs = append(s.handoffs, handoff{seqs: grp, caches: batch})
	}
	return nil
}

// prefillForward runs chunks[i] of every grp[i] in one forward pass. With
// handoff it returns the batch caches (row i is grp[i]'s KV, the sequences'
// own caches are freed); else it leaves each sequence its own caches,
// updated.
func (s *scheduler) prefillForward(grp []*seq, chunks [][]int32, handoff bool) ([]cache.Cache, error) {
	B := len(grp)
	longest := 0
	for _, c := range chunks {
		longest = max(longest, len(c))
	}
	lengths, right := make([]int32, B), make([]int32, B)
	flat := make([]int32, 0, B*longest)
	padded := false
	for i, c := range chunks {
		lengths[i], right[i] = int32(len(c)), int32(longest-len(c))
		padded = padded || right[i] > 0
		flat = append(flat, c...)
		flat = append(flat, make([]int32, longest-len(c))...) // _right_pad_prompts pads with 0
	}

	sc := mlx.NewScope()
	defer sc.Close()
	nLayers := len(grp[0].caches)
	batch := make([]cache.Cache, 0, nLayers)
	defer func() { generate.FreeCache(batch) }()
	for l := range nLayers {
		col := make([]cache.Cache, B)
		for i, q := range grp {
			if len(q.caches) != nLayers {
				return nil, fmt.Errorf("prefill batch: request %d has %d caches, want %d", i, len(q.caches), nLayers)
			}
			col[i] = q.caches[l]
		}
		m, err := cache.MergeCaches(col)
		if err != nil {
			return nil, fmt.Errorf("prefill batch: layer %d: %w", l, err)
		}
		batch = append(batch, m)
	}
	if padded {
		for l, c := range batch {
			b, err := asBatch(c, l, "prepare")
			if err == nil {
				err = b.Prepare(cache.PrepareOpts{Lengths: lengths, RightPadding: right})
			}
			if err != nil {
				return nil, fmt.Errorf("prefill batch: %w", err)
			}
		}
	}
	logits, err := s.model.Forward(mlx.FromSlice(flat, B, longest), batch)
	if err == nil {
		err = logits.Err()
	}
	if err == nil {
		err = mlx.Eval(cacheHandles(batch)...)
	}
	if err != nil {
		return nil, err
	}
	if padded {
		for l, c := range batch {
			b, err := asBatch(c, l, "finalize")
			if err == nil {
				err = b.Finalize()
			}
			if err != nil {
				return nil, fmt.Errorf("prefill batch: %w", err)
			}
		}
	}
	if handoff {
		sc.Keep(cacheHandles(batch)...)
		for _, q := range grp {
			generate.FreeCache(q.caches)
			q.caches = nil
		}
		out := batch
		batch = nil
		s.prefillStats(B)
		return out, nil
	}
	rows := make([][]cache.Cache, B)
	for i := range grp {
		cs, err := extractRow(batch, i)
		if err != nil {
			for _, r := range rows[:i] {
				generate.FreeCache(r)
			}
			return nil, fmt.Errorf("prefill batch: %w", err)
		}
		rows[i] = cs
	}
	var keep []*mlx.Array
	for _, r := range rows {
		keep = append(keep, cacheHandles(r)...)
	}
	if err := mlx.Eval(keep...); err != nil {
		for _, r := range rows {
			generate.FreeCache(r)
		}
		return nil, err
	}
	sc.Keep(keep...)
	for i, q := range grp {
		generate.FreeCache(q.caches)
		q.caches = rows[i]
	}
	s.prefillStats(B)
	return nil, nil
}

func (s *scheduler) prefillStats(B int) {
	s.e.schedState.prefillBatches.Add(1)
	if b := int64(B); b > s.e.schedState.maxPrefill.Load() {
		s.e.schedState.maxPrefill.Store(b)
	}
}
