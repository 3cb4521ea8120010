package types

import "github.com/hf2go/hf2go/generator/syntax"

// Dead code after a certain exit. A block stops at a return or raise, and
// at an if whose condition is known at translation time when the branch
// Python takes ends in one: `if not mx.metal.is_available(): return None`
// leaves the rest of the function (a Metal kernel's source) unreachable on
// every platform the Go runtime translates for, and Python never runs it
// there either. The checker and the lowering both skip it, so it needs no
// translation.

// ExitsHere reports whether statement s, just checked or lowered, leaves
// its block for certain. branchExited is what the phase recorded for an if
// it folded: whether the branch it took ended in an exit (false for an if
// whose condition is not known).
func ExitsHere(s syntax.Stmt, branchExited bool) bool {
	switch s.(type) {
	case *syntax.Return, *syntax.Raise:
		return true
	case *syntax.If:
		return branchExited
	}
	return false
}
