package types

import "github.com/hf2go/hf2go/generator/syntax"

// Cache classes of the model file. A model can bring its own cache class
// (deepseek_v41's LayerCache: a sliding window, compressed groups and the
// rows of the open group), which its make_cache returns a list of and its
// forward pass takes (`cache: Optional[list[LayerCache]]`). It is no
// subclass of cache.py's _BaseCache; mlx-lm's generation only uses the
// protocol those share (state, is_trimmable, empty, nbytes, ...). Such a
// parameter keeps its annotation (the list of the class, not the table's
// list of Cache), the methods of the protocol are translated (they are
// what mlx-lm calls, prune_unreached.go), and the registration wraps the
// instances in py.LocalCache, which implements lmcache.Cache through them
// (lower/register.go).

// cacheProtocol are the members of cache.py's _BaseCache that mlx-lm's
// generation and prompt caches call on any cache.
var cacheProtocol = map[string]bool{
	"state": true, "meta_state": true, "is_trimmable": true, "trim": true, "size": true, "empty": true, "nbytes": true,
}

// AnnotatedClassCaches reports a parameter annotated as a list of a class
// of the unit (list[LayerCache], Optional included).
func AnnotatedClassCaches(p *Param) bool {
	b := p.Type.Base()
	return p.Annotated && b.Kind == List && b.Elem != nil && b.Elem.Kind == ClassK
}

// LocalCacheClass is the class of the unit whose instances Model.make_cache
// returns a list of, or nil when it returns the table's caches.
func (u *Unit) LocalCacheClass() *Class {
	m := u.ByClass["Model"]
	if m == nil {
		return nil
	}
	mc := m.ByMeth["make_cache"]
	if mc == nil || mc.Skipped != "" || mc.Ret == nil {
		return nil
	}
	if r := mc.Ret.Base(); r.Kind == List && r.Elem != nil && r.Elem.Kind == ClassK {
		return u.ByClass[r.Elem.Name]
	}
	return nil
}

// cacheClassNames are the classes of the file that a make_cache method's
// return annotation names (list[LayerCache]): their protocol methods are
// what mlx-lm calls on the caches, so they are translated.
func cacheClassNames(u *Unit) map[string]bool {
	out := map[string]bool{}
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if m.Def == nil || m.Def.Name != "make_cache" || m.Def.Returns == nil {
				continue
			}
			syntax.Inspect(m.Def.Returns, func(x syntax.Expr) bool {
				if n, ok := x.(*syntax.Name); ok && u.ByClass[n.Id] != nil {
					out[n.Id] = true
				}
				return true
			})
		}
	}
	return out
}
