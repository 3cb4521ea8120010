package types

import "github.com/hf2go/hf2go/generator/syntax"

// Constants through a tuple assignment. `rank, size = self.pipeline_rank,
// self.pipeline_size` (deepseek_v41, muse_spark) binds each name to its
// element of the tuple display, exactly as `rank = self.pipeline_rank`
// followed by `size = self.pipeline_size` would (the display is evaluated
// first, and no element reads a target). A local bound once, from an int
// or bool literal (a folded constant field such as PipelineMixin's
// pipeline_rank), is then a constant like one bound by a plain assignment
// (record in check.go): the branches that test it fold, and the lowering
// drops its binding (lower/lower_tuplelits.go). Every name target counts
// as an assignment, so a local a tuple assignment rebinds is never a
// constant.

// tupleLits records what the name targets of a tuple assignment bind, for
// the constant locals of the body (learning passes only). vs are the
// elements' values when the value is a tuple display of the targets'
// length, else nil.
func (t *checker) tupleLits(tg *syntax.Tuple, vs []Val, en *env) {
	if !t.learn {
		return
	}
	r := en.root()
	for i, e := range tg.Elts {
		nm, ok := e.(*syntax.Name)
		if !ok {
			continue
		}
		s := t.sym(nm, en)
		r.assigns[s]++
		if vs != nil {
			if k := vs[i].Lit; k != nil && (k.Kind == syntax.ConstInt || k.Kind == syntax.ConstTrue || k.Kind == syntax.ConstFalse) {
				r.lits[s] = k
				continue
			}
		}
		delete(r.lits, s)
	}
}
