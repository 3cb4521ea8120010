package syntax_test

import (
	"testing"

	"github.com/hf2go/hf2go/generator/syntax"
)

// TestDesugarSetattr checks that object.__setattr__(self, "name", v) as a
// statement in a function becomes self.name = v, and that it stays a call
// when the file rebinds object, the name is no identifier, or the call has
// another shape.
func TestDesugarSetattr(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"class C:\n    def f(self, v):\n        object.__setattr__(self, \"size\", v)\n", true},
		{"object = 3\nclass C:\n    def f(self, v):\n        object.__setattr__(self, \"size\", v)\n", false},
		{"class C:\n    def f(self, v):\n        object.__setattr__(self, \"a-b\", v)\n", false},
		{"class C:\n    def f(self, v, k):\n        object.__setattr__(self, k, v)\n", false},
		{"class C:\n    def f(self, v):\n        x = object.__setattr__(self, \"size\", v)\n", false},
	} {
		f, diags := syntax.Parse("m.py", []byte(c.src))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		var cls *syntax.ClassDef
		for _, st := range f.Body {
			if cd, ok := st.(*syntax.ClassDef); ok {
				cls = cd
			}
		}
		st := cls.Body[0].(*syntax.FuncDef).Body[0]
		a, isAssign := st.(*syntax.Assign)
		got := false
		if isAssign {
			if at, ok := a.Targets[0].(*syntax.Attribute); ok && at.Attr == "size" {
				if n, ok := at.X.(*syntax.Name); ok && n.Id == "self" {
					got = true
				}
			}
		}
		if got != c.want {
			t.Errorf("%q: rewritten to self.size = v: %v, want %v (%T)", c.src, got, c.want, st)
		}
	}
}
