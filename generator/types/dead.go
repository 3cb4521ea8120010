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

// Functions that only dead code calls. A helper file that a model imports
// from (gated_delta.py, ssm.py) also defines the Metal-kernel builders and
// wrappers its live functions would call on Metal; once the branches that
// call them are folded away, nothing calls them, and they are not
// translated. The checker records which function each recorded body calls
// (the record passes run with the unit's constants known, so a folded
// branch records nothing); the lowering emits a function of another file
// only when an emitted body calls it.

// edge records that the body of fn (nil outside functions) calls or
// references callee: in the recorded pass only, not in the learning pass
// that record runs first, which does not know the body's constant locals
// yet and so checks branches the recorded pass folds away.
func (t *checker) edge(fn, callee *Func) {
	if !t.frozen || t.learn || fn == nil || callee == nil {
		return
	}
	if t.u.calls == nil {
		t.u.calls = map[*Func]map[*Func]bool{}
	}
	if t.u.calls[fn] == nil {
		t.u.calls[fn] = map[*Func]bool{}
	}
	t.u.calls[fn][callee] = true
}

// Calls are the functions the recorded body of fn calls or references.
func (u *Unit) Calls(fn *Func) map[*Func]bool { return u.calls[fn] }

// OwnFunc reports whether fn is a module function of the file being
// translated (not one taken over from a sibling or helper file).
func (u *Unit) OwnFunc(fn *Func) bool { return fn.Scope == u.Scope }

// OptionalMethods are translated when they can be and otherwise skipped
// (the model works without them): their parameters' types are not
// required to be inferred.
var OptionalMethods = map[string]bool{"shard": true}
