package types

// A parameter named cache that receives a cache entry.
//
// recurrent_gemma's blocks take one entry of their layer's ArraysCache each
// (`self.conv_1d(x=x, cache=cache[0])`, `self.rg_lru(x=x, cache=cache[1])`):
// the parameter is called cache, but what it holds is an array (or None),
// which the body concatenates, multiplies and returns (`h_t = h0`, then
// `h_t = a[:, t] * h_t + x[:, t]`). The naming convention types an
// unannotated `cache` a Cache; a call site that passes a cache entry
// (CacheSlot: an array or a cache, decided where it is used) makes it one
// too, so each use narrows it (py.SlotArray where an array is used,
// py.AsCache where a cache is).

// learnSlotParam teaches an unannotated parameter the convention typed a
// Cache that a call site passes a cache entry; it reports whether it did.
func (t *checker) learnSlotParam(p *Param, v *Type) bool {
	if p.Annotated || !IsSlot(v) {
		return false
	}
	b := p.Type.Base()
	if b.Kind != Ext || b.Name != "Cache" {
		return false
	}
	p.Type = v
	return true
}
