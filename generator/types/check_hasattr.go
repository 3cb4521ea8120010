package types

import "github.com/hf2go/hf2go/generator/syntax"

// hasattr on a cache.
//
// Which class a layer's cache is, is decided at run time by make_cache (or
// it is the list of Nones the model stands in for one), so
// `hasattr(cache, "advance")` (bailing_hybrid) is asked of the value:
// py.CacheHasAttr, which knows the attributes below.

// CacheAttrs are the attributes hasattr can ask of a cache value.
var CacheAttrs = map[string]bool{"advance": true, "lengths": true, "left_padding": true, "make_mask": true,
	"keys": true, "values": true, "update_and_fetch": true, "offset": true}

// CacheHasAttrCall reports hasattr(v, "name") on a cache value with an
// attribute py.CacheHasAttr knows, and the name.
func (t *Table) CacheHasAttrCall(c *syntax.Call, v *Type) (string, bool) {
	if len(c.Args) != 2 {
		return "", false
	}
	s, ok := c.Args[1].(*syntax.Constant)
	if !ok || s.Kind != syntax.ConstStr || !CacheAttrs[s.Value] {
		return "", false
	}
	b := v.Base()
	if IsSlot(b) || (b.Kind == Ext && t.Root(b.Name) == "Cache") {
		return s.Value, true
	}
	return "", false
}
