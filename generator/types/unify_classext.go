package types

import (
	"fmt"
	"sort"
	"strings"
)

// unifyClassExt merges module classes of the file with a layer of the API
// table whose Go value is a pointer with the same Forward method, as in
// minimax_m3_vl's `NormClass = GemmaRMSNorm if args.use_gemma_norm else
// nn.RMSNorm` (classval.go makes the call a conditional over both): the
// value is the interface of their common __call__, as between classes
// (unifyClasses). The classes come first in the interface's members, so
// that IfaceCall finds a class's __call__ for its signature; the table
// layer's call must take as many arguments, all arrays, returning an array
// (what Forward(*mlx.Array) *mlx.Array needs).
func (u *Unit) unifyClassExt(tab *Table, a, b *Type) *Type {
	if a == nil || b == nil || tab == nil {
		return nil
	}
	members := func(x *Type) ([]*Type, bool) {
		switch x.Kind {
		case ClassK:
			return []*Type{x}, true
		case Iface:
			if IsDynIface(x) {
				return nil, false
			}
			return x.Elems, true
		case Ext:
			return []*Type{x}, forwardLayer(tab, x)
		}
		return nil, false
	}
	ma, oka := members(a)
	mb, okb := members(b)
	if !oka || !okb {
		return nil
	}
	var classes, exts []*Type
	seen := map[string]bool{}
	for _, m := range append(append([]*Type{}, ma...), mb...) {
		if seen[fmt.Sprint(m.Kind)+m.Name] {
			continue
		}
		seen[fmt.Sprint(m.Kind)+m.Name] = true
		if m.Kind == Ext {
			exts = append(exts, m)
		} else {
			classes = append(classes, m)
		}
	}
	if len(classes) == 0 || len(exts) == 0 {
		return nil // only classes: unifyClasses; only table types: Root
	}
	var call *Func
	for _, c := range classes {
		cls := u.ByClass[c.Name]
		if cls == nil || cls.ByMeth["__call__"] == nil {
			return nil
		}
		m := cls.ByMeth["__call__"]
		if call != nil && len(m.Params) != len(call.Params) {
			return nil
		}
		call = m
	}
	for _, e := range exts {
		sig := tab.Types[e.Name].Call
		if len(sig.Alts) > 0 {
			sig = sig.Alts[0]
		}
		if len(sig.Params) != len(call.Params) {
			return nil
		}
	}
	sort.Slice(classes, func(i, j int) bool { return classes[i].Name < classes[j].Name })
	sort.Slice(exts, func(i, j int) bool { return exts[i].Name < exts[j].Name })
	return &Type{Kind: Iface, Elems: append(classes, exts...)}
}

// forwardLayer reports whether a table type is a layer whose Go value is
// a pointer with a Forward method taking and returning arrays.
func forwardLayer(tab *Table, x *Type) bool {
	et := tab.Types[x.Name]
	if et == nil || et.Call == nil || len(et.Call.Alts) > 0 || !strings.HasPrefix(et.Go, "*") {
		return false
	}
	if !strings.HasPrefix(et.Call.Go, "{self}.Forward(") || et.Call.Returns != "array" {
		return false
	}
	for _, p := range et.Call.Params {
		if p.Type != "array" {
			return false
		}
	}
	return true
}
