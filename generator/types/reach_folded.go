package types

import "github.com/hf2go/hf2go/generator/syntax"

// Methods and functions that only folded-away code calls. A model's
// forward pass can branch on values that are constants for the translated
// program (check.go's constant fields: PipelineMixin's pipeline_rank 0 and
// pipeline_size 1, also through locals, check_tuplelits.go): deepseek_v41's
// TextModel.__call__ calls self._receive / self._send only on pipeline
// stages other than the single one, and those call the module functions
// that lay out the messages between stages (_layout, _pack, _unpack, ...).
// Python never runs them in one process, so they are not translated: the
// recorded bodies (which skip folded branches, dead.go) are the call
// graph, walked from every body that is translated anyway.
//
// Only a method or own function that the file names solely as the callee
// of calls (self._send(...), _layout(...)) can be dropped: one read as a
// value (passed on, stored, looked up by a string) or a property is kept,
// as are functions the file never names (free-standing helpers stay where
// the Python has them).

const foldedAwayReason = "called only from code that is not translated (a method that is skipped, or a branch " +
	"folded at translation time such as another pipeline stage's), so not translated"

// SkipFoldedAway marks as Skipped the methods and own functions of the
// unit that only folded-away branches call. It records bodies to learn
// their calls; the diagnostics of those recordings are dropped (the
// lowering records each translated body again and reports them then).
func (u *Unit) SkipFoldedAway() {
	callRefs, valueRefs := map[string]int{}, map[string]int{}
	count := func(e syntax.Expr) {
		funcs := map[syntax.Expr]bool{}
		syntax.Inspect(e, func(x syntax.Expr) bool {
			if c, ok := x.(*syntax.Call); ok {
				funcs[c.Func] = true
			}
			name := ""
			switch n := x.(type) {
			case *syntax.Attribute:
				name = n.Attr
			case *syntax.Name:
				name = n.Id
			case *syntax.Constant:
				if n.Kind == syntax.ConstStr {
					name = n.Value
				}
			}
			if name != "" {
				if funcs[x] {
					callRefs[name]++
				} else {
					valueRefs[name]++
				}
			}
			return true
		})
	}
	// Every body of the file names what it calls, translated or not (a
	// method that is not translated, such as pipeline(), calls _crossing).
	var all, named []*Func
	for _, c := range u.Classes {
		for _, m := range c.Methods {
			if m.Def != nil {
				named = append(named, m)
				if m.Skipped == "" {
					all = append(all, m)
				}
			}
		}
	}
	for _, f := range u.Funcs {
		if f.Def != nil {
			named = append(named, f)
			if f.Skipped == "" {
				all = append(all, f)
			}
		}
	}
	for _, f := range named {
		for _, d := range f.Def.Decorators {
			count(d)
		}
		for _, p := range f.Def.Params {
			count(p.Default)
		}
		if !bodyExprs(f.Def.Body, nil, count) { // nil scope: every branch counts (keeps more)
			return // a statement the walk does not know: keep everything
		}
	}
	candidate := func(f *Func) bool {
		if f.IsProp || f.Def == nil || (f.Class == nil && (!u.OwnFunc(f) || u.KernelFunc(f))) {
			return false
		}
		if f.Class != nil && (f.Class.IsArgs || isInferenceRoot(f.Class, f)) {
			return false
		}
		n := f.Def.Name
		return callRefs[n] > 0 && valueRefs[n] == 0
	}
	reached := map[*Func]bool{}
	var queue []*Func
	reach := func(f *Func) {
		if f != nil && !reached[f] && f.Skipped == "" && f.Def != nil {
			reached[f] = true
			queue = append(queue, f)
		}
	}
	var cands []*Func
	for _, f := range all {
		if candidate(f) {
			cands = append(cands, f)
		} else if f.Class != nil || u.OwnFunc(f) && !u.KernelFunc(f) {
			reach(f)
		}
	}
	if len(cands) == 0 {
		return
	}
	nested := map[*Func]bool{}
	for _, n := range u.Nested {
		nested[n] = true
	}
	mark := len(u.CheckDiagnostics())
	for len(queue) > 0 {
		for len(queue) > 0 {
			f := queue[0]
			queue = queue[1:]
			if !nested[f] {
				u.Body(f)
			}
			for callee := range u.Calls(f) {
				reach(callee)
			}
		}
		// A nested function's calls are recorded with its enclosing body;
		// count them all (as the lowering's emitFile does).
		for n := range nested {
			for callee := range u.Calls(n) {
				reach(callee)
			}
		}
	}
	u.TruncateDiagnostics(mark)
	for _, f := range cands {
		if !reached[f] {
			f.Skipped = foldedAwayReason
		}
	}
}
