package syntax

// map(f, xs) assigned as a whole,
//
//	gate, up = map(mx.contiguous, mx.split(v, 2, axis=-2))
//
// becomes the generator expression
//
//	gate, up = (mx.contiguous(_map_item) for _map_item in mx.split(v, 2, axis=-2))
//
// which Python evaluates identically: map and the generator both evaluate
// the iterable once, up front, and call f on each element as it is consumed.
// f must be a name or an attribute of one (evaluated once by map and at each
// step by the generator; for a reference that is the same value), and the
// file must not rebind `map` anywhere (then it is the builtin).

const mapItem = "_map_item"

func desugarMap(a *Assign, mapIsBuiltin bool) {
	if !mapIsBuiltin {
		return
	}
	c, ok := a.Value.(*Call)
	if !ok || len(c.Args) != 2 || len(c.Keywords) != 0 {
		return
	}
	if n, ok := c.Func.(*Name); !ok || n.Id != "map" {
		return
	}
	if !isReference(c.Args[0]) {
		return
	}
	if _, star := c.Args[1].(*Starred); star {
		return
	}
	item := &Name{At: c.At, Id: mapItem}
	a.Value = &Comp{At: c.At, Kind: "gen", Elt: &Call{At: c.At, Func: c.Args[0], Args: []Expr{item}},
		Generators: []Generator{{Target: &Name{At: c.At, Id: mapItem}, Iter: c.Args[1]}}}
}

// isReference is a name or a chain of attributes of one (mx.contiguous).
func isReference(e Expr) bool {
	switch x := e.(type) {
	case *Name:
		return x.Id != mapItem
	case *Attribute:
		return isReference(x.X)
	}
	return false
}

// bindsName reports whether the file binds id anywhere: an assignment or
// for target, a def or class, a parameter, an import.
func bindsName(body []Stmt, id string) bool {
	if AssignedNames(body)[id] {
		return true
	}
	fors := map[string]bool{}
	forTargets(body, fors)
	if fors[id] {
		return true
	}
	for _, s := range body {
		switch x := s.(type) {
		case *FuncDef:
			if x.Name == id || bindsName(x.Body, id) {
				return true
			}
			for _, p := range x.Params {
				if p.Name == id {
					return true
				}
			}
		case *ClassDef:
			if x.Name == id || bindsName(x.Body, id) {
				return true
			}
		case *Import:
			for _, al := range x.Names {
				if al.AsName == id || (al.AsName == "" && al.Name == id) {
					return true
				}
			}
		case *ImportFrom:
			for _, al := range x.Names {
				if al.AsName == id || (al.AsName == "" && al.Name == id) {
					return true
				}
			}
		case *If:
			if bindsName(x.Body, id) || bindsName(x.Else, id) {
				return true
			}
		case *For:
			if bindsName(x.Body, id) {
				return true
			}
		case *While:
			if bindsName(x.Body, id) {
				return true
			}
		}
	}
	return false
}
