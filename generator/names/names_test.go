package names

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/syntax"
)

// uses resolves src and describes what each Name node on the given line
// resolves to, as "id:kind@scope" in source order.
func uses(t *testing.T, src string, line int) []string {
	t.Helper()
	f, diags := syntax.Parse("t.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	mod, _ := Resolve(f)
	type hit struct {
		pos  syntax.Pos
		desc string
	}
	var hits []hit
	for n, sym := range mod.file.uses {
		if n.P.Line != line {
			continue
		}
		where := "-"
		if sym.Scope != nil {
			where = scopeName(sym.Scope)
		}
		hits = append(hits, hit{n.P, fmt.Sprintf("%s:%s@%s", n.Id, sym.Kind, where)})
	}
	// Source order.
	for i := range hits {
		for j := i + 1; j < len(hits); j++ {
			if hits[j].pos.Col < hits[i].pos.Col {
				hits[i], hits[j] = hits[j], hits[i]
			}
		}
	}
	var out []string
	for _, h := range hits {
		out = append(out, h.desc)
	}
	return out
}

func scopeName(s *Scope) string {
	switch n := s.Node.(type) {
	case *syntax.File:
		return "module"
	case *syntax.ClassDef:
		return "class " + n.Name
	case *syntax.FuncDef:
		return "def " + n.Name
	case *syntax.Comp:
		return "comp"
	case *syntax.Lambda:
		return "lambda"
	}
	return "?"
}

// TestResolve checks Python's scoping rules on the constructs model files
// use: each case names a line and the symbols its names must resolve to.
func TestResolve(t *testing.T) {
	src := `import mlx.core as mx
from .base import create_attention_mask

LIMIT = 4

class Block:
    size = 3
    def __init__(self, args, n=LIMIT):
        h = args.x
        self.ys = [h * i for i in range(n) if i < size]
        self.z = [h for h in h]
        if (k := len(h)) > 2:
            self.k = k
        def helper(v):
            return v + h
        self.helper = helper
        mx = 1
        out = lambda q: q + mx

def f(x):
    return mx.exp(x), create_attention_mask(x), undefined_name
`
	cases := []struct {
		line int
		want []string
	}{
		// parameter with a module-level default
		{8, []string{"LIMIT:constant@module"}},
		{9, []string{"h:local@def __init__", "args:parameter@def __init__"}},
		// the comprehension's target is its own; range and n are not; size
		// (a class attribute) is invisible from a method: unresolved
		{10, []string{"self:parameter@def __init__", "h:local@def __init__", "i:local@comp", "i:local@comp",
			"range:builtin@-", "n:parameter@def __init__", "i:local@comp", "size:unresolved@-"}},
		// the first iterable is evaluated outside the comprehension
		{11, []string{"self:parameter@def __init__", "h:local@comp", "h:local@comp", "h:local@def __init__"}},
		// walrus binds in the function (the leading walrus of an if
		// condition is desugared into an assignment, then the test of k)
		{12, []string{"k:local@def __init__", "k:local@def __init__", "len:builtin@-", "h:local@def __init__"}},
		// a nested function reads its own parameter and the enclosing local
		{15, []string{"v:parameter@def helper", "h:local@def __init__"}},
		// a local named mx shadows the import inside __init__ only
		{18, []string{"out:local@def __init__", "q:parameter@lambda", "mx:local@def __init__"}},
		{21, []string{"mx:module@module", "x:parameter@def f", "create_attention_mask:helper@module", "x:parameter@def f",
			"undefined_name:unresolved@-"}},
	}
	for _, c := range cases {
		got := uses(t, src, c.line)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("line %d:\n got %v\nwant %v", c.line, got, c.want)
		}
	}
}

// TestQualifyShadowed checks that an import shadowed by a local does not
// qualify as the module: `mx = 1; mx.exp` is not mlx's exp.
func TestQualifyShadowed(t *testing.T) {
	src := "import mlx.core as mx\ndef f(x):\n    a = mx.exp(x)\n    mx = x\n    return mx.exp(x)\ndef g(x):\n    return mx.exp(x)\n"
	f, diags := syntax.Parse("t.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	mod, _ := Resolve(f)
	fd := f.Body[1].(*syntax.FuncDef)
	ret := fd.Body[2].(*syntax.Return).Value.(*syntax.Call)
	if q := mod.Qualify(ret.Func); q != "" {
		t.Errorf("mx.exp after mx = x qualifies as %q", q)
	}
	gd := f.Body[2].(*syntax.FuncDef)
	gret := gd.Body[0].(*syntax.Return).Value.(*syntax.Call)
	if q := mod.Qualify(gret.Func); q != "mx.exp" {
		t.Errorf("mx.exp in g qualifies as %q, want mx.exp", q)
	}
	if s := mod.Of(fd); s == nil || s.Symbols["mx"] == nil || s.Symbols["mx"].Kind != Local {
		t.Errorf("f's scope does not bind mx as a local: %+v", s)
	}
}
