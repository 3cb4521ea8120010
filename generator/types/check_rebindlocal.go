package types

import "github.com/hf2go/hf2go/generator/syntax"

// A name rebound to another type from its own value, nested in a loop:
//
//	for key, value in text.items():
//	    if expert is not None:
//	        layer, index, proj, kind = expert.groups()   # strs
//	        layer, index = int(layer), int(index)        # ints from here on
//	        ...
//	for (layer, proj), rows in experts.items():         # bound anew
//
// (deepseek_v41's sanitize). rebind.go's splitsInBlock refuses a value that
// reads the name, since in a loop it could read the new type left by the
// previous iteration. Here it cannot: the name is bound earlier in the
// same block, so every iteration reads the value of that binding. So the
// assignment starts a new Go variable when (1) an earlier statement of its
// own block binds the name; (2) every other appearance of the name in the
// same function-body statement is in its block, after that binding; and
// (3) a later function-body statement that mentions the name is a for
// loop binding it in its target (a new variable of the loop), not reading
// it in its iterable. Earlier function-body statements are as in
// splitsInBlock.

// splitsAfterLocalRebind reports whether `n = f(n)` can start a new Go
// variable under the conditions above.
func splitsAfterLocalRebind(fn *Func, n *syntax.Name) bool {
	if fn == nil || fn.Def == nil {
		return false
	}
	occ, self, selfValue, escapes := occurrencesOf(fn, n)
	if escapes || self == nil || selfValue == nil || len(nameNodes(selfValue, n.Id)) == 0 {
		return false
	}
	targets := bindingTargets(fn.Def.Body, n.Id)
	var bind *occurrence
	for i := range occ {
		o := &occ[i]
		if o.name != n && targets[o.name] && o.top == self.top && equalChain(o.block, self.block) && after(n.Position(), o.name.Position()) {
			if bind == nil || after(o.name.Position(), bind.name.Position()) {
				bind = o
			}
		}
	}
	if bind == nil {
		return false
	}
	for _, o := range occ {
		switch {
		case o.name == n || o.top < self.top:
		case o.top == self.top:
			if !hasPrefix(o.block, self.block) || after(bind.name.Position(), o.name.Position()) {
				return false
			}
		default:
			f, ok := fn.Def.Body[o.top].(*syntax.For)
			if !ok || len(nameNodes(f.Iter, n.Id)) > 0 || len(nameNodes(f.Target, n.Id)) == 0 {
				return false
			}
		}
	}
	return true
}

func equalChain(a, b []int) bool { return len(a) == len(b) && hasPrefix(a, b) }

// bindingTargets are the Name nodes that bind id as assignment or loop
// targets (inside tuples too) anywhere in body.
func bindingTargets(body []syntax.Stmt, id string) map[*syntax.Name]bool {
	out := map[*syntax.Name]bool{}
	var target func(e syntax.Expr)
	target = func(e syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Name:
			if x.Id == id {
				out[x] = true
			}
		case *syntax.Tuple:
			for _, el := range x.Elts {
				target(el)
			}
		}
	}
	var block func(b []syntax.Stmt)
	block = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					target(tg)
				}
			case *syntax.For:
				target(x.Target)
				block(x.Body)
			case *syntax.If:
				block(x.Body)
				block(x.Else)
			case *syntax.While:
				block(x.Body)
			}
		}
	}
	block(body)
	return out
}
