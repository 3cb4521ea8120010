package types

import "github.com/hf2go/hf2go/generator/syntax"

// A from_dict of its own that ends by keeping the keys that name a field of
// the dataclass and building the class from them (muse_glimmer):
//
//	fields = {f.name for f in cls.__dataclass_fields__.values()}
//	return cls(**{k: v for k, v in params.items() if k in fields})
//
// does what BaseModelArgs.from_dict does with params (keys in
// inspect.signature(cls).parameters, the rest dropped), since a dataclass's
// __init__ takes exactly its fields when none is a ClassVar, an InitVar or a
// field(init=False). Those two statements then read as
// `return super().from_dict(params)`, which the translator already has (the
// Go lmbase.FromDict); what comes before them (the text_config merge) is
// translated as it is. The rule is proved from the statements' structure: the
// set comprehension over cls.__dataclass_fields__, the dict comprehension
// over params.items() filtered by `k in` that set and nothing else, the set's
// name used by no other statement, and the class's fields all init fields.

// fieldFilterFromDict rewrites such a tail of fd's body and returns fd.
func fieldFilterFromDict(fd *syntax.FuncDef, c *Class) *syntax.FuncDef {
	if len(fd.Params) == 0 || len(fd.Body) < 2 || !allInitFields(c) {
		return fd
	}
	clsName := fd.Params[0].Name
	n := len(fd.Body)
	asg, ok := fd.Body[n-2].(*syntax.Assign)
	if !ok || len(asg.Targets) != 1 {
		return fd
	}
	set, ok := asg.Targets[0].(*syntax.Name)
	if !ok || !isFieldNameSet(asg.Value, clsName) {
		return fd
	}
	ret, ok := fd.Body[n-1].(*syntax.Return)
	if !ok {
		return fd
	}
	src := fieldFilteredSplat(ret.Value, clsName, set.Id)
	if src == nil || len(nameNodes(src, set.Id)) > 0 {
		return fd
	}
	for _, st := range fd.Body[:n-2] {
		if mentions(st, set.Id) {
			return fd
		}
	}
	at := ret.Value.(*syntax.Call).At
	super := &syntax.Call{At: at, Func: &syntax.Attribute{At: at,
		X: &syntax.Call{At: at, Func: &syntax.Name{At: at, Id: "super"}}, Attr: "from_dict"}, Args: []syntax.Expr{src}}
	// In place, as classval.go's rewrites: the names phase keys the
	// function's scope by its node.
	fd.Body = append(append([]syntax.Stmt{}, fd.Body[:n-2]...), &syntax.Return{At: ret.At, Value: super})
	return fd
}

// isFieldNameSet is {f.name for f in <cls>.__dataclass_fields__.values()}.
func isFieldNameSet(e syntax.Expr, cls string) bool {
	comp, ok := e.(*syntax.Comp)
	if !ok || comp.Kind != "set" || len(comp.Generators) != 1 || len(comp.Generators[0].Ifs) != 0 {
		return false
	}
	g := comp.Generators[0]
	v, ok := g.Target.(*syntax.Name)
	if !ok {
		return false
	}
	elt, ok := comp.Elt.(*syntax.Attribute)
	if !ok || elt.Attr != "name" || !isName(elt.X, v.Id) {
		return false
	}
	call, ok := g.Iter.(*syntax.Call)
	if !ok || len(call.Args) != 0 || len(call.Keywords) != 0 {
		return false
	}
	values, ok := call.Func.(*syntax.Attribute)
	if !ok || values.Attr != "values" {
		return false
	}
	fields, ok := values.X.(*syntax.Attribute)
	return ok && fields.Attr == "__dataclass_fields__" && isName(fields.X, cls)
}

// fieldFilteredSplat returns P of <cls>(**{k: v for k, v in P.items() if k in <set>}),
// or nil for any other expression.
func fieldFilteredSplat(e syntax.Expr, cls, set string) syntax.Expr {
	call, ok := e.(*syntax.Call)
	if !ok || !isName(call.Func, cls) || len(call.Args) != 0 || len(call.Keywords) != 1 || call.Keywords[0].Name != "" {
		return nil
	}
	comp, ok := call.Keywords[0].Value.(*syntax.Comp)
	if !ok || comp.Kind != "dict" || len(comp.Generators) != 1 {
		return nil
	}
	key, ok1 := comp.Key.(*syntax.Name)
	val, ok2 := comp.Elt.(*syntax.Name)
	g := comp.Generators[0]
	tgt, ok3 := g.Target.(*syntax.Tuple)
	if !ok1 || !ok2 || !ok3 || len(tgt.Elts) != 2 || key.Id == val.Id || !isName(tgt.Elts[0], key.Id) || !isName(tgt.Elts[1], val.Id) {
		return nil
	}
	items, ok := g.Iter.(*syntax.Call)
	if !ok || len(items.Args) != 0 || len(items.Keywords) != 0 {
		return nil
	}
	ia, ok := items.Func.(*syntax.Attribute)
	if !ok || ia.Attr != "items" || len(g.Ifs) != 1 {
		return nil
	}
	cmp, ok := g.Ifs[0].(*syntax.Compare)
	if !ok || len(cmp.Ops) != 1 || cmp.Ops[0] != "in" || !isName(cmp.Left, key.Id) || !isName(cmp.Comparators[0], set) {
		return nil
	}
	return ia.X
}

// allInitFields reports whether every annotated field of c (and of its
// dataclass bases) is an __init__ parameter: no ClassVar, InitVar or
// field(init=False), so __dataclass_fields__ names what the constructor takes.
func allInitFields(c *Class) bool {
	if c.Def == nil {
		return false
	}
	for _, st := range c.Def.Body {
		a, ok := st.(*syntax.AnnAssign)
		if !ok {
			continue
		}
		if annotNames(a.Annotation, "ClassVar") || annotNames(a.Annotation, "InitVar") {
			return false
		}
		if isFieldCall(a.Value) {
			for _, kw := range a.Value.(*syntax.Call).Keywords {
				if kw.Name == "init" {
					return false
				}
			}
		}
	}
	for _, b := range c.Bases {
		if !allInitFields(b) {
			return false
		}
	}
	return true
}

// annotNames reports whether an annotation names id (ClassVar[int],
// typing.ClassVar[int]).
func annotNames(e syntax.Expr, id string) bool {
	found := false
	syntax.Inspect(e, func(x syntax.Expr) bool {
		switch n := x.(type) {
		case *syntax.Name:
			found = found || n.Id == id
		case *syntax.Attribute:
			found = found || n.Attr == id
		}
		return !found
	})
	return found
}

func isName(e syntax.Expr, id string) bool {
	n, ok := e.(*syntax.Name)
	return ok && n.Id == id
}
