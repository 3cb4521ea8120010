package lower

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// cacheHasAttr translates hasattr(cache, "name") (types/check_hasattr.go).
func (t *translator) cacheHasAttr(c *syntax.Call, v val) (val, bool) {
	name, ok := t.tab.CacheHasAttrCall(c, v.t)
	if !ok {
		return val{}, false
	}
	return prim(call(t.qual("py", "CacheHasAttr"), v.c, lit(name)), types.TBool), true
}
