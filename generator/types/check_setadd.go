package types

import "github.com/hf2go/hf2go/generator/syntax"

// set.add(x) as a statement. A set is a Go slice of distinct elements
// (check_sets.go), and a Python list has no add: s.add(x) on a list-typed
// value is a set's add, translated as s = py.SetAdd(s, x) (x appended when
// it is not already there). Like append, it settles the element type of an
// empty set().
func (t *checker) setAdd(c *syntax.Call, a *syntax.Attribute, en *env) bool {
	recv := t.expr(a.X, en)
	if recv.T.Kind != List || len(c.Args) != 1 || len(c.Keywords) != 0 {
		return false
	}
	v := t.expr(c.Args[0], en)
	if t.learn {
		if un := t.unify(recv.T.Elem, v.T); un != nil && !un.Equal(recv.T.Elem) {
			t.setType(a.X, ListOf(un), en)
		}
	}
	t.lvalue(a.X, en)
	return true
}
