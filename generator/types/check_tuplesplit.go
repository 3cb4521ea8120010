package types

import "github.com/hf2go/hf2go/generator/syntax"

// A tuple assignment that rebinds a name to another type. deepseek_v41's
// sanitize reads `layer, index, proj, kind = expert.groups()` (strs) and
// then `layer, index = int(layer), int(index)`: from there on layer and
// index are ints, a new version of each local (as `x = int(x)` is, in
// assignName). When the value is a tuple display of the targets' length
// whose element i reads no target but the i-th, Python's assignment is
// the same as the element-by-element assignments (the display is
// evaluated first, and no element sees an earlier target's new value), so
// such a statement whose targets change type is checked, and lowered
// (lower/lower_tuplesplit.go), one name at a time. Other tuple
// assignments are unchanged.

// SequentialTuple reports that tg = value may be taken as one assignment
// per target: a tuple display of tg's length, name targets, element i
// reading no other target.
func SequentialTuple(tg *syntax.Tuple, value syntax.Expr) (*syntax.Tuple, bool) {
	tup, ok := value.(*syntax.Tuple)
	if !ok || len(tup.Elts) != len(tg.Elts) || len(tg.Elts) < 2 {
		return nil, false
	}
	ids := map[string]int{}
	for i, e := range tg.Elts {
		nm, ok := e.(*syntax.Name)
		if !ok || nm.Id == "_" {
			return nil, false
		}
		if _, dup := ids[nm.Id]; dup {
			return nil, false
		}
		ids[nm.Id] = i
	}
	for i, e := range tup.Elts {
		safe := true
		syntax.Inspect(e, func(x syntax.Expr) bool {
			switch n := x.(type) {
			case *syntax.Name:
				if j, ok := ids[n.Id]; ok && j != i {
					safe = false
				}
			case *syntax.Lambda, *syntax.Comp:
				safe = false // a closure or comprehension may read anything
			}
			return safe
		})
		if !safe {
			return nil, false
		}
	}
	return tup, true
}

// tupleRebind checks tg = value one name at a time when it rebinds a name
// to a type its earlier binding cannot share (or did so in an earlier
// round: the split is recorded); false for every other assignment.
func (t *checker) tupleRebind(tg *syntax.Tuple, value syntax.Expr, en *env, fc *fnCtx) bool {
	tup, ok := SequentialTuple(tg, value)
	if !ok {
		return false
	}
	rebinds := false
	for i, e := range tg.Elts {
		nm := e.(*syntax.Name)
		if _, split := en.fn.SplitAt(nm); split {
			rebinds = true
			break
		}
		if !t.learn {
			continue
		}
		prev, known := en.lookup(t.sym(nm, en))
		if !known || prev.Kind == Unknown {
			continue
		}
		saved := t.rec
		t.rec = nil
		v := t.expr(tup.Elts[i], en)
		t.rec = saved
		if v.T.Kind != Unknown && t.unify(prev, v.T) == nil {
			rebinds = true
		}
	}
	if !rebinds {
		return false
	}
	for i, e := range tg.Elts {
		t.assignName(e.(*syntax.Name), tup.Elts[i], en, fc)
	}
	return true
}
