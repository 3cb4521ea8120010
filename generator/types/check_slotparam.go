package types

import "github.com/hf2go/hf2go/generator/syntax"

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
//
// Most callees given an entry use it only as a cache, though (falcon_h1's
// attention: `cache.offset`, `cache.update_and_fetch(...)`, `cache=cache`):
// the parameter stays a Cache there and the call site converts the entry
// once (py.AsCache), rather than every use in the body. Only a callee that
// uses the value as something else (slotValueUse) learns the entry type.

// learnSlotParam teaches an unannotated parameter the convention typed a
// Cache that a call site passes a cache entry, when fn uses it as more than
// a cache; it reports whether the argument was such an entry (the
// parameter then keeps Cache or takes the entry, and no other rule
// applies).
func (t *checker) learnSlotParam(fn *Func, p *Param, v *Type) bool {
	if p.Annotated || !IsSlot(v.Base()) {
		return false
	}
	b := p.Type.Base()
	if b.Kind != Ext || b.Name != "Cache" {
		return false
	}
	if t.slotValueUse(fn, p.Py, map[*Func]bool{}) {
		p.Type = v.Base()
	}
	return true
}

// slotLooseArg is the type a parameter annotated Any learns from a call
// site passing v: a cache entry that fn uses only as a cache is a Cache
// (the call site converts it), anything else v itself.
func (t *checker) slotLooseArg(fn *Func, p *Param, v *Type) *Type {
	if p.Loose == nil || !IsSlot(v.Base()) || t.slotValueUse(fn, p.Py, map[*Func]bool{}) {
		return v
	}
	return ExtT("Cache")
}

// arrayAttrs are attributes only an array has: `cache.shape` is an array
// use of a cache entry.
var arrayAttrs = map[string]bool{
	"shape": true, "dtype": true, "ndim": true, "size": true, "astype": true, "reshape": true,
	"T": true, "transpose": true, "swapaxes": true, "sum": true, "mean": true, "item": true,
	"tolist": true, "squeeze": true, "nbytes": true, "itemsize": true,
}

// slotValueUse reports whether fn's body uses its parameter name as
// anything but a cache: cache uses are attributes (`cache.offset`),
// `cache is (not) None`, truth tests, entries (`cache[0]`), `cache=cache`
// keyword arguments, rebinding, and arguments to local functions whose
// parameter is a cache use in turn (annotated a cache, or used as one).
// Every other occurrence (an operand, a list element, an assignment's
// value, a return value, an array index) is a value use. seen stops the
// walk at a function it is already in.
func (t *checker) slotValueUse(fn *Func, name string, seen map[*Func]bool) bool {
	if fn == nil || fn.Def == nil {
		return true
	}
	if seen[fn] {
		return false
	}
	seen[fn] = true
	ok := map[*syntax.Name]bool{}
	isName := func(e syntax.Expr) *syntax.Name {
		if n, is := e.(*syntax.Name); is && n.Id == name {
			return n
		}
		return nil
	}
	var cond func(e syntax.Expr)
	cond = func(e syntax.Expr) {
		if n := isName(e); n != nil {
			ok[n] = true
			return
		}
		switch x := e.(type) {
		case *syntax.BoolOp:
			for _, v := range x.Values {
				cond(v)
			}
		case *syntax.UnaryOp:
			if x.Op == "not" {
				cond(x.X)
			}
		}
	}
	value := false
	syntax.WalkExprs(fn.Def.Body, func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Attribute:
			if n := isName(x.X); n != nil && !arrayAttrs[x.Attr] {
				ok[n] = true
			}
		case *syntax.Compare:
			if len(x.Comparators) == 1 && (x.Ops[0] == "is" || x.Ops[0] == "is not") {
				if c, is := x.Comparators[0].(*syntax.Constant); is && c.Kind == syntax.ConstNone {
					if n := isName(x.Left); n != nil {
						ok[n] = true
					}
				}
			}
		case *syntax.IfExp:
			cond(x.Cond)
		case *syntax.UnaryOp:
			if x.Op == "not" {
				cond(x.X)
			}
		case *syntax.Subscript:
			if n := isName(x.X); n != nil && literalIndex(x) {
				ok[n] = true
			}
		case *syntax.Call:
			callee := t.slotCallee(fn, x)
			var pnames []string
			if callee != nil {
				pnames, _ = LocalParams(callee)
			}
			for i, a := range x.Args {
				n := isName(a)
				if n == nil || callee == nil || i >= len(pnames) {
					continue
				}
				if t.slotParamCacheUse(callee, pnames[i], seen) {
					ok[n] = true
				} else {
					value = true
				}
			}
			for _, k := range x.Keywords {
				n := isName(k.Value)
				if n == nil {
					continue
				}
				if callee == nil {
					ok[n] = k.Name == "cache"
				} else if t.slotParamCacheUse(callee, k.Name, seen) {
					ok[n] = true
				} else {
					value = true
				}
			}
		}
	})
	var stmts func(b []syntax.Stmt)
	stmts = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					if n := isName(tg); n != nil {
						ok[n] = true
					}
				}
			case *syntax.If:
				cond(x.Cond)
				stmts(x.Body)
				stmts(x.Else)
			case *syntax.While:
				cond(x.Cond)
				stmts(x.Body)
			case *syntax.For:
				stmts(x.Body)
			case *syntax.Assert:
				cond(x.Cond)
			}
		}
	}
	stmts(fn.Def.Body)
	if value {
		return true
	}
	syntax.WalkExprs(fn.Def.Body, func(e syntax.Expr) {
		if n := isName(e); n != nil && !ok[n] {
			value = true
		}
	})
	return value
}

// slotParamCacheUse reports whether callee's parameter pname is used only
// as a cache: annotated a cache type, or so used by its body.
func (t *checker) slotParamCacheUse(callee *Func, pname string, seen map[*Func]bool) bool {
	for _, p := range callee.Params {
		if p.Py != pname {
			continue
		}
		if b := p.Type.Base(); p.Annotated && b.Kind == Ext && !IsSlot(b) && t.tab.Root(b.Name) == "Cache" {
			return true
		}
		return !t.slotValueUse(callee, pname, seen)
	}
	return false
}

// slotCallee resolves the local function a call in fn's body calls, by
// name only (self.method(...) of fn's class, or a module function); nil
// when it is not one.
func (t *checker) slotCallee(fn *Func, c *syntax.Call) *Func {
	switch f := c.Func.(type) {
	case *syntax.Name:
		return t.u.ByFunc[f.Id]
	case *syntax.Attribute:
		if s, ok := f.X.(*syntax.Name); ok && s.Id == "self" && fn.Class != nil {
			return fn.Class.ByMeth[f.Attr]
		}
	}
	return nil
}
