package engine

import (
	"fmt"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/ported/cache"
)

// The batch-cache operations of generate.py (_merge_caches, _extend_cache,
// filter, extract) over a model's per-layer cache lists, through
// ported/cache's Batch interface.

// toBatch is _merge_caches([cs]): one sequence's caches as one-row batch
// caches (KVCache.merge, RotatingKVCache.merge, ...).
func toBatch(cs []cache.Cache) ([]cache.Cache, error) {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		m, err := cache.MergeCaches([]cache.Cache{c})
		if err != nil {
			generate.FreeCache(out[:i])
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		out[i] = m
	}
	return out, nil
}

// asBatch is layer i's cache as a batch cache, or an error naming it.
func asBatch(c cache.Cache, i int, op string) (cache.Batch, error) {
	b, ok := c.(cache.Batch)
	if !ok {
		return nil, fmt.Errorf("layer %d: %s has no %s", i, c.ClassName(), op)
	}
	return b, nil
}

// extendCaches is _extend_cache(a, b): b's rows appended to a's, layer by layer.
func extendCaches(a, b []cache.Cache) error {
	if len(a) != len(b) {
		return fmt.Errorf("extend: %d layers and %d layers", len(a), len(b))
	}
	for i := range a {
		x, err := asBatch(a[i], i, "extend")
		if err != nil {
			return err
		}
		if err := x.Extend(b[i]); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return nil
}

// filterCaches keeps the given rows of every layer's batch cache.
func filterCaches(cs []cache.Cache, keep []int) error {
	for i, c := range cs {
		b, err := asBatch(c, i, "filter")
		if err != nil {
			return err
		}
		if err := b.Filter(keep); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return nil
}

// extractRow is [c.extract(idx) for c in cache]: row idx without padding,
// as the single-sequence classes.
func extractRow(cs []cache.Cache, idx int) ([]cache.Cache, error) {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		b, err := asBatch(c, i, "extract")
		var e cache.Cache
		if err == nil {
			e, err = b.Extract(idx)
			if err != nil {
				err = fmt.Errorf("layer %d: %w", i, err)
			}
		}
		if err != nil {
			generate.FreeCache(out[:i])
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// cloneCaches is copy.deepcopy(prompt_cache): new caches holding their own
// handles to the same (immutable) arrays, so updating one never changes the
// other.
func cloneCaches(cs []cache.Cache) ([]cache.Cache, error) {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		out[i] = c.Copy()
	}
	return out, nil
}
