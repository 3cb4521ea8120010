package engine

import (
	"fmt"

	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/ported/cache"
)

// The batch-cache operations of generate.py (_merge_caches, _extend_cache,
// filter, extract) over a model's per-layer cache lists, dispatched on the
// ported classes.

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

// extendCaches is _extend_cache(a, b): b's rows appended to a's, layer by layer.
func extendCaches(a, b []cache.Cache) error {
	if len(a) != len(b) {
		return fmt.Errorf("extend: %d layers and %d layers", len(a), len(b))
	}
	for i := range a {
		var err error
		switch x := a[i].(type) {
		case *cache.BatchKVCache:
			y, ok := b[i].(*cache.BatchKVCache)
			if !ok {
				err = fmt.Errorf("cannot extend %s with %s", a[i].ClassName(), b[i].ClassName())
				break
			}
			x.Extend(y)
		case *cache.BatchRotatingKVCache:
			y, ok := b[i].(*cache.BatchRotatingKVCache)
			if !ok {
				err = fmt.Errorf("cannot extend %s with %s", a[i].ClassName(), b[i].ClassName())
				break
			}
			x.Extend(y)
		case *cache.ArraysCache:
			y, ok := b[i].(*cache.ArraysCache)
			if !ok {
				err = fmt.Errorf("cannot extend %s with %s", a[i].ClassName(), b[i].ClassName())
				break
			}
			err = x.Extend(y)
		case *cache.CacheList:
			y, ok := b[i].(*cache.CacheList)
			if !ok {
				err = fmt.Errorf("cannot extend %s with %s", a[i].ClassName(), b[i].ClassName())
				break
			}
			err = x.Extend(y)
		default:
			err = fmt.Errorf("%s does not support batching", a[i].ClassName())
		}
		if err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return nil
}

// filterCaches keeps the given rows of every layer's batch cache.
func filterCaches(cs []cache.Cache, keep []int) error {
	for i, c := range cs {
		f, ok := c.(interface{ Filter([]int) error })
		if !ok {
			return fmt.Errorf("layer %d: %s has no filter", i, c.ClassName())
		}
		if err := f.Filter(keep); err != nil {
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
		var e cache.Cache
		var err error
		switch x := c.(type) {
		case *cache.BatchKVCache:
			e, err = x.Extract(idx)
		case *cache.BatchRotatingKVCache:
			e, err = x.Extract(idx)
		case *cache.ArraysCache:
			e, err = x.Extract(idx)
		case *cache.CacheList:
			e, err = x.Extract(idx)
		default:
			err = fmt.Errorf("%s has no extract", c.ClassName())
		}
		if err != nil {
			generate.FreeCache(out[:i])
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		out[i] = e
	}
	return out, nil
}

// cloneCaches is copy.deepcopy(prompt_cache) for the single-sequence
// classes: new caches holding their own handles to the same (immutable)
// arrays, so updating one never changes the other.
func cloneCaches(cs []cache.Cache) ([]cache.Cache, error) {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		n, err := cloneCache(c)
		if err != nil {
			generate.FreeCache(out[:i])
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		out[i] = n
	}
	return out, nil
}

func cloneCache(c cache.Cache) (cache.Cache, error) {
	var n cache.Cache
	switch x := c.(type) {
	case *cache.KVCache:
		n = cache.NewKVCache()
	case *cache.RotatingKVCache:
		n = cache.NewRotatingKVCache(x.MaxSize(), 0)
	case *cache.ArraysCache:
		n = cache.NewArraysCache(len(x.Cache), nil)
	case *cache.CacheList:
		l := &cache.CacheList{}
		for _, m := range x.Caches {
			mc, err := cloneCache(m)
			if err != nil {
				return nil, err
			}
			l.Caches = append(l.Caches, mc)
		}
		return l, nil
	default:
		return nil, fmt.Errorf("cannot copy a %s", c.ClassName())
	}
	if c.Empty() {
		return n, nil
	}
	st := c.State()
	err := n.SetState(st)
	for _, a := range st {
		a.Free()
	}
	if err != nil {
		return nil, err
	}
	if err := n.SetMetaState(c.MetaState()); err != nil {
		return nil, err
	}
	return n, nil
}
