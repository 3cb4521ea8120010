package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParsesEveryModelFile parses every model file of the pinned mlx-lm and
// reports which constructs fall outside the subset (those files are
// reported as blocked by hf2go list, not crashed on).
func TestParsesEveryModelFile(t *testing.T) {
	dir := venvModels(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*.py"))
	if len(files) < 100 {
		t.Fatalf("found %d model files under %s, want the 100+ of the pinned mlx-lm", len(files), dir)
	}
	clean := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := Parse(filepath.Base(f), src)
		if len(diags) == 0 {
			clean++
			if file == nil || len(file.Body) == 0 && !strings.HasSuffix(f, "__init__.py") {
				t.Errorf("%s: empty AST", f)
			}
		} else {
			t.Logf("%s", diags[0])
		}
	}
	t.Logf("%d/%d files convert with no diagnostic", clean, len(files))
	if clean < len(files)*9/10 {
		t.Errorf("only %d of %d files convert", clean, len(files))
	}
}

func venvModels(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	p := filepath.Join(dir, ".venv/lib/python3.11/site-packages/mlx_lm/models")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("mlx-lm is not installed in .venv: run `make setup` (%v)", err)
	}
	return p
}

func TestDiagnosticsArePositioned(t *testing.T) {
	src := "x = 1\nwith open('f') as f:\n    pass\n"
	_, diags := Parse("m.py", []byte(src))
	if len(diags) != 1 {
		t.Fatalf("want 1 diagnostic, got %v", diags)
	}
	if got := diags[0].Error(); got != "m.py:2:1: with statement: not supported by the translator" {
		t.Errorf("diagnostic %q", got)
	}
	_, diags = Parse("bad.py", []byte("def f(:\n"))
	if len(diags) == 0 || !strings.HasPrefix(diags[0].Error(), "bad.py:1:") {
		t.Errorf("syntax error diagnostic: %v", diags)
	}
}

func TestConvertsConstructs(t *testing.T) {
	src := `a = b = 3
x, (y, z) = f(1, *r, k=2, **kw)
s = f"layers.{i}.mlp.{name:>3}"
v = [w for w in ws if w > 0]
d = {k: v for k, v in items}
t = p if q else r
m = x[..., None, 1:3, ::2]
c = 1 < y <= 3 and a is not None or b not in c
`
	f, diags := Parse("c.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if as := f.Body[0].(*Assign); len(as.Targets) != 2 {
		t.Errorf("chained assignment: %d targets", len(as.Targets))
	}
	fs := f.Body[2].(*Assign).Value.(*FString)
	if len(fs.Parts) != 4 || fs.Parts[0].Lit != "layers." || fs.Parts[3].Format != ">3" {
		t.Errorf("f-string parts %+v", fs.Parts)
	}
	sub := f.Body[6].(*Assign).Value.(*Subscript)
	if len(sub.Index) != 4 {
		t.Errorf("subscript index has %d parts", len(sub.Index))
	}
	bo := f.Body[7].(*Assign).Value.(*BoolOp)
	cmp := bo.Values[0].(*BoolOp).Values[0].(*Compare)
	if len(cmp.Ops) != 2 || cmp.Ops[1] != "<=" {
		t.Errorf("chained comparison %v", cmp.Ops)
	}
	isnot := bo.Values[0].(*BoolOp).Values[1].(*Compare)
	if isnot.Ops[0] != "is not" {
		t.Errorf("is not: %v", isnot.Ops)
	}
	notin := bo.Values[1].(*Compare)
	if notin.Ops[0] != "not in" {
		t.Errorf("not in: %v", notin.Ops)
	}
}

// TestDesugarNamedExprs: an if/elif whose whole condition is a walrus
// becomes the assignment then the test of the name (the elif's inside the
// else branch); a walrus inside a larger condition is left as it is.
func TestDesugarNamedExprs(t *testing.T) {
	f, diags := Parse("w.py", []byte("def f(d):\n    if a := d.get('a'):\n        return a\n    elif b := d.get('b'):\n        return b\n    if d and (c := d.get('c')):\n        return c\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	body := f.Body[0].(*FuncDef).Body
	as, ok := body[0].(*Assign)
	if !ok || as.Targets[0].(*Name).Id != "a" || as.P != (Pos{2, 8}) {
		t.Fatalf("first statement %#v, want a = d.get('a') at 2:8", body[0])
	}
	ifs := body[1].(*If)
	if n, ok := ifs.Cond.(*Name); !ok || n.Id != "a" {
		t.Fatalf("if condition %#v, want the name a", ifs.Cond)
	}
	if len(ifs.Else) != 2 {
		t.Fatalf("elif not rewritten into the else branch: %#v", ifs.Else)
	}
	if as, ok := ifs.Else[0].(*Assign); !ok || as.Targets[0].(*Name).Id != "b" {
		t.Fatalf("else[0] %#v", ifs.Else[0])
	}
	if n, ok := ifs.Else[1].(*If).Cond.(*Name); !ok || n.Id != "b" {
		t.Fatalf("elif condition %#v", ifs.Else[1].(*If).Cond)
	}
	last := body[2].(*If)
	if _, ok := last.Cond.(*BoolOp); !ok {
		t.Fatalf("a walrus inside `and` was rewritten: %#v", last.Cond)
	}
}

// TestStringEscapes checks Python's escapes as Python decodes them (the
// bytes of each value as Python 3 gives them).
func TestStringEscapes(t *testing.T) {
	cases := []struct{ src, want string }{
		{`"\""`, `"`},
		{`'it\'s'`, `it's`},
		{`"a\\b"`, `a\b`},
		{`"tab\there"`, "tab\there"},
		{`"\x41\u00e9\U0001F600"`, "Aé😀"},
		{`"\101"`, "A"},
		{`"\d"`, `\d`}, // not an escape: kept, as Python does
		{`r"\n"`, `\n`},
		{`"line\
cont"`, "linecont"},
	}
	for _, c := range cases {
		f, diags := Parse("s.py", []byte("x = "+c.src+"\n"))
		if len(diags) > 0 {
			t.Fatalf("%s: %v", c.src, diags)
		}
		got := f.Body[0].(*Assign).Value.(*Constant).Value
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.src, got, c.want)
		}
	}
}

// TestFStringConversions checks that !r, !s and !a are kept on their part
// (with a format spec after them) and that a literal "!r" in the text is not
// mistaken for one.
func TestFStringConversions(t *testing.T) {
	f, diags := Parse("c.py", []byte(`s = f"a {x!r} b {y!s:>4} {z!a} !r {w}"`+"\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var got []string
	for _, p := range f.Body[0].(*Assign).Value.(*FString).Parts {
		if p.X != nil {
			got = append(got, p.X.(*Name).Id+"!"+p.Conv+":"+p.Format)
		}
	}
	if want := "x!r: y!s:>4 z!a: w!:"; strings.Join(got, " ") != want {
		t.Errorf("conversions %q, want %q", strings.Join(got, " "), want)
	}
}
