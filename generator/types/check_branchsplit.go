package types

import "github.com/hf2go/hf2go/generator/syntax"

// A local rebound to another type in both branches of an if/else of the
// function body (gemma4_text's per_layer_inputs: an Optional array, then a
// list of per-layer slices in the then-branch, a list of Nones in the else):
//
//	if per_layer_inputs is not None:
//	    per_layer_inputs = [per_layer_inputs[:, :, i, :] for i, _ in ...]
//	else:
//	    per_layer_inputs = [None] * len(self.layers)
//
// After the if every path has assigned the new type, so from the then-
// branch's assignment on the name is a new Go variable (a split), declared
// before the if (the lowering's Var) and set by both branches. The else
// branch must not mention the name before its assignment (it would read the
// old value, which the checker no longer sees there), the then-branch's
// assignment is a statement of the branch itself, and no nested def or class
// mentions the name.

// branchSplit reports whether the assignment n starts such a variable.
func branchSplit(fn *Func, n *syntax.Name) bool {
	if fn == nil || fn.Def == nil {
		return false
	}
	for _, s := range fn.Def.Body {
		if (isDef(s)) && mentions(s, n.Id) {
			return false
		}
	}
	for _, s := range fn.Def.Body {
		x, ok := s.(*syntax.If)
		if !ok || len(x.Else) == 0 || !assignsDirectly(x.Body, n) {
			continue
		}
		for _, e := range x.Else {
			if a, ok := e.(*syntax.Assign); ok && len(a.Targets) == 1 {
				if tn, ok := a.Targets[0].(*syntax.Name); ok && tn.Id == n.Id {
					return len(nameNodes(a.Value, n.Id)) == 0
				}
			}
			if mentions(e, n.Id) {
				return false
			}
		}
		return false
	}
	return false
}

func isDef(s syntax.Stmt) bool {
	switch s.(type) {
	case *syntax.FuncDef, *syntax.ClassDef:
		return true
	}
	return false
}

// assignsDirectly: a statement of body is `n = value` (that very node).
func assignsDirectly(body []syntax.Stmt, n *syntax.Name) bool {
	for _, s := range body {
		if a, ok := s.(*syntax.Assign); ok && len(a.Targets) == 1 && a.Targets[0] == syntax.Expr(n) {
			return true
		}
	}
	return false
}

// BranchSplit reports whether the split at n is one of branchSplit's: the
// lowering declares its variable before the if and assigns it.
func (fn *Func) BranchSplit(n *syntax.Name) bool { return fn != nil && fn.branchSplits[n] }
