package emit

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/generator/names"

	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// infer runs the translator dry over every function until field, parameter
// and return types stop changing.
func (t *translator) infer() {
	t.listCacheParams()
	prev := ""
	for iter := 0; iter < 8; iter++ {
		t.dry = true
		for _, c := range t.classes {
			for _, m := range c.methods {
				if m.skipped != "" {
					continue
				}
				t.dryRun(m)
			}
		}
		for _, f := range t.funcs {
			t.dryRun(f)
		}
		t.dry = false
		sig := t.signature()
		if sig == prev {
			break
		}
		prev = sig
	}
	// make_cache returns the registry's []Cache whatever cache classes it makes.
	if m := t.byClass["Model"]; m != nil {
		if mc := m.byMeth["make_cache"]; mc != nil && mc.ret != nil && mc.ret.Kind == types.List &&
			mc.ret.Elem.Kind == types.Ext && t.root(mc.ret.Elem.Name) == "Cache" {
			mc.ret = types.ListOf(types.ExtT("Cache"))
		}
	}
	// Fields exist once the dry runs have seen their assignments.
	for _, c := range t.classes {
		c.consts = t.constFields(c)
	}
	for _, c := range t.classes {
		for _, f := range c.fields {
			if f.typ == nil || f.typ.Kind == types.Unknown {
				t.fail(posNode(f.pos), "field "+c.name+"."+f.py, "cannot infer its type")
			}
		}
		for _, m := range c.methods {
			if m.skipped != "" {
				continue
			}
			for _, p := range m.params {
				if p.typ.Kind == types.Unknown {
					t.fail(m.def, "parameter "+p.py+" of "+c.name+"."+m.def.Name, "cannot infer its type (annotate it upstream or extend the call-site inference)")
				}
			}
		}
	}
}

type posNode syntax.Pos

func (p posNode) Position() syntax.Pos { return syntax.Pos(p) }

func (t *translator) signature() string {
	var b strings.Builder
	for _, c := range t.classes {
		for _, f := range c.fields {
			fmt.Fprintf(&b, "%s.%s:%v;", c.name, f.py, f.typ)
		}
		for _, m := range c.methods {
			for _, p := range m.params {
				fmt.Fprintf(&b, "%s.%s(%s:%v);", c.name, m.def.Name, p.py, p.typ)
			}
			fmt.Fprintf(&b, "->%v;", m.ret)
		}
	}
	for _, f := range t.funcs {
		for _, p := range f.params {
			fmt.Fprintf(&b, "%s(%s:%v);", f.def.Name, p.py, p.typ)
		}
		fmt.Fprintf(&b, "->%v;", f.ret)
	}
	return b.String()
}

// paramEnv is a function's environment with its parameters bound.
func (t *translator) paramEnv(fn *funcInfo) *env {
	en := newEnv(fn.class, fn, nil)
	en.superFrom = fn.superFrom
	for _, p := range fn.params {
		en.vars[p.py] = p.typ
		en.goName[p.py] = local(p.py)
	}
	return en
}

func (t *translator) dryRun(fn *funcInfo) *env {
	if fn.scope != nil {
		prev := t.scope
		t.scope = fn.scope
		defer func() { t.scope = prev }()
	}
	was := t.dry
	t.dry = true
	en := t.paramEnv(fn)
	fc := &fnCtx{fn: fn, ret: fn.ret, isInit: fn.def.Name == "__init__", defined: map[string]bool{}}
	t.block(fn.def.Body, en, fc)
	t.dry = was
	return en
}

// listCacheParams types a `cache` parameter as a list of caches when the
// function indexes it, zips it or takes its length: that is the model-level
// list of per-layer caches, not one layer's cache.
func (t *translator) listCacheParams() {
	var all []*funcInfo
	for _, c := range t.classes {
		all = append(all, c.methods...)
	}
	all = append(all, t.funcs...)
	for _, fn := range all {
		for _, p := range fn.params {
			if p.py != "cache" {
				continue
			}
			if usesAsList(fn.def.Body, "cache") {
				p.typ = types.ListOf(types.ExtT("Cache"))
			}
		}
	}
	// A function that passes its cache on to a list-taking module is list-level too.
	for changed := true; changed; {
		changed = false
		for _, fn := range all {
			for _, p := range fn.params {
				if p.py != "cache" || p.typ.Kind == types.List {
					continue
				}
				if t.passesCacheToList(fn) {
					p.typ = types.ListOf(types.ExtT("Cache"))
					changed = true
				}
			}
		}
	}
}

func (t *translator) passesCacheToList(fn *funcInfo) bool {
	found := false
	walkExprs(fn.def.Body, func(e syntax.Expr) {
		c, ok := e.(*syntax.Call)
		if !ok {
			return
		}
		// self.model(inputs, cache, ...) where model's __call__ takes a list.
		a, ok := c.Func.(*syntax.Attribute)
		if !ok {
			return
		}
		self, ok := a.X.(*syntax.Name)
		if !ok || self.Id != "self" || fn.class == nil {
			return
		}
		var target *funcInfo
		if f := fn.class.byName[a.Attr]; f != nil && f.typ != nil && f.typ.Kind == types.Class {
			if cls := t.byClass[f.typ.Name]; cls != nil {
				target = cls.byMeth["__call__"]
			}
		}
		if target == nil {
			// Field types are not known yet on the first pass: find the class
			// from the constructor call in __init__.
			target = t.calleeFromInit(fn.class, a.Attr)
		}
		if target == nil {
			return
		}
		for i, arg := range c.Args {
			if n, ok := arg.(*syntax.Name); ok && n.Id == "cache" && i < len(target.params) && target.params[i].typ.Kind == types.List {
				found = true
			}
		}
		for _, k := range c.Keywords {
			if n, ok := k.Value.(*syntax.Name); ok && n.Id == "cache" {
				for _, p := range target.params {
					if p.py == k.Name && p.typ.Kind == types.List {
						found = true
					}
				}
			}
		}
	})
	return found
}

func (t *translator) calleeFromInit(c *classInfo, field string) *funcInfo {
	init := c.byMeth["__init__"]
	if init == nil {
		return nil
	}
	var out *funcInfo
	for _, s := range init.def.Body {
		a, ok := s.(*syntax.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		at, ok := a.Targets[0].(*syntax.Attribute)
		if !ok || at.Attr != field {
			continue
		}
		if call, ok := a.Value.(*syntax.Call); ok {
			var cls *classInfo
			switch f := call.Func.(type) {
			case *syntax.Name:
				cls = t.classOf(f.Id)
			case *syntax.Attribute: // llama.LlamaModel(args), gemma3_text.Model(...)
				if n, ok := f.X.(*syntax.Name); ok {
					if sym, ok := c.scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
						cls = t.siblingClass(sym.File, f.Attr)
					}
				}
				if cls == nil {
					cls = t.byClass[f.Attr]
				}
			}
			if cls != nil {
				out = cls.byMeth["__call__"]
			}
		}
	}
	return out
}

func usesAsList(body []syntax.Stmt, name string) bool {
	found := false
	walkExprs(body, func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Subscript:
			if n, ok := x.X.(*syntax.Name); ok && n.Id == name {
				found = true
			}
		case *syntax.Call:
			if f, ok := x.Func.(*syntax.Name); ok && (f.Id == "zip" || f.Id == "len" || f.Id == "enumerate") {
				for _, a := range x.Args {
					if n, ok := a.(*syntax.Name); ok && n.Id == name {
						found = true
					}
				}
			}
		}
	})
	for _, s := range body {
		if f, ok := s.(*syntax.For); ok {
			if n, ok := f.Iter.(*syntax.Name); ok && n.Id == name {
				found = true
			}
		}
	}
	return found
}

// walkExprs visits every expression in a body (pre-order).
func walkExprs(body []syntax.Stmt, fn func(syntax.Expr)) {
	var we func(e syntax.Expr)
	we = func(e syntax.Expr) {
		if e == nil {
			return
		}
		fn(e)
		switch x := e.(type) {
		case *syntax.Attribute:
			we(x.X)
		case *syntax.Call:
			we(x.Func)
			for _, a := range x.Args {
				we(a)
			}
			for _, k := range x.Keywords {
				we(k.Value)
			}
		case *syntax.BinOp:
			we(x.L)
			we(x.R)
		case *syntax.UnaryOp:
			we(x.X)
		case *syntax.BoolOp:
			for _, v := range x.Values {
				we(v)
			}
		case *syntax.Compare:
			we(x.Left)
			for _, c := range x.Comparators {
				we(c)
			}
		case *syntax.IfExp:
			we(x.Cond)
			we(x.Then)
			we(x.Else)
		case *syntax.Subscript:
			we(x.X)
			for _, i := range x.Index {
				we(i)
			}
		case *syntax.Tuple:
			for _, v := range x.Elts {
				we(v)
			}
		case *syntax.List:
			for _, v := range x.Elts {
				we(v)
			}
		case *syntax.Comp:
			for _, g := range x.Generators {
				we(g.Iter)
			}
			we(x.Elt)
		case *syntax.Starred:
			we(x.X)
		}
	}
	var ws func(b []syntax.Stmt)
	ws = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, t := range x.Targets {
					we(t)
				}
				we(x.Value)
			case *syntax.AnnAssign:
				we(x.Value)
			case *syntax.AugAssign:
				we(x.Value)
			case *syntax.ExprStmt:
				we(x.X)
			case *syntax.Return:
				we(x.Value)
			case *syntax.If:
				we(x.Cond)
				ws(x.Body)
				ws(x.Else)
			case *syntax.For:
				we(x.Iter)
				ws(x.Body)
			case *syntax.While:
				we(x.Cond)
				ws(x.Body)
			case *syntax.Assert:
				we(x.Cond)
			}
		}
	}
	ws(body)
}
