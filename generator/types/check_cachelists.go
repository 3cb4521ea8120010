package types

// `cache = [None] * 2` where a layer's cache goes.
//
// A function that indexes its one layer's cache by literal positions
// (deepseek_v32's attention: `cache[0].update_and_fetch(...)`,
// `self.indexer(..., cache=cache[1])`) stands a list of Nones in for it when
// it runs without caches. Written as a literal ([None, None]) that already
// unifies with the cache (check_cacheslot.go); written `[None] * n` it is
// the same value: a cache of n empty entries, so the local keeps its Cache
// type and Python's `cache[1]` of the list is None.

// noneListAsCache reports the type of `[None] * n` when the value is
// assigned to a local that holds one layer's cache (the hint).
func (t *checker) noneListAsCache() (*Type, bool) {
	h := t.hint
	if h == nil || h.Kind != Ext || IsSlot(h) || t.tab.Root(h.Name) != "Cache" {
		return nil, false
	}
	return h, true
}
