package generator

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/emit"
	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
	"golang.org/x/tools/imports"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// translateSnippet runs the translator phases over a Python source.
func translateSnippet(t *testing.T, name string, src []byte) ([]byte, []syntax.Diagnostic) {
	t.Helper()
	f, diags := syntax.Parse(name, src)
	if len(diags) > 0 {
		return nil, diags
	}
	scope, diags := names.Resolve(f)
	if len(diags) > 0 {
		return nil, diags
	}
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	res := lower.Translate(f, scope, tab, lower.Options{Package: "golden", PyPath: name,
		Revision: strings.Repeat("0", 40), Blob: strings.Repeat("1", 40), ModelType: "golden"})
	if len(res.Diagnostics) > 0 {
		return nil, res.Diagnostics
	}
	var buf bytes.Buffer
	if err := emit.File(res.File).Render(&buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	out, err := imports.Process("golden.go", buf.Bytes(), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return out, nil
}

// TestGolden translates each testdata/golden/*.py and compares the Go with
// the checked-in .go.golden (go test -update rewrites them after a
// deliberate change; review the diff).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.py")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, diags := translateSnippet(t, filepath.Base(f), src)
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			golden := strings.TrimSuffix(f, ".py") + ".go.golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("translation of %s differs from %s (go test -run TestGolden -update to accept)", f, golden)
			}
		})
	}
}

// TestDiagnostics checks that each unsupported construct is reported at its
// file:line:col with what and why, and that no Go is produced.
func TestDiagnostics(t *testing.T) {
	header := "import mlx.core as mx\nimport mlx.nn as nn\n"
	model := "class Model(nn.Module):\n    def __init__(self, args):\n        super().__init__()\n"
	cases := []struct {
		name, src, want string
	}{
		{"with", header + "with open('f') as f:\n    pass\n", "m.py:3:1: with statement: not supported by the translator"},
		{"syntax", "def f(:\n", "m.py:1:"},
		{"try-finally", header + model + "    def __call__(self, x):\n        try:\n            pass\n        finally:\n            pass\n        return x\n",
			"m.py:9:9: try-finally: not supported by the translator"},
		{"bare except", header + model + "    def __call__(self, x):\n        try:\n            pass\n        except:\n            pass\n        return x\n",
			"m.py:9:9: bare except: it also catches BaseException"},
		// A local rebound in both branches of an if/else is one new variable
		// only when the else branch does not read the old value.
		{"branch rebinding reads old value", header + model + "    def __call__(self, x, e: mx.array = None):\n" +
			"        if e is not None:\n            e = [e, e]\n        else:\n            e = [e]\n        return x\n",
			"m.py:8:13: variable e: assigned a List[array] after a array; Go needs one type"},
		{"handler reads body's name", header + model + "    def __call__(self, x):\n        try:\n            y = int('3')\n        except ValueError:\n            y = y + 1\n        return x\n",
			"m.py:10:17: try statement: the handler reads y, which the try body assigns"},
		{"unknown mx", header + model + "    def __call__(self, x):\n        return mx.fancy_op(x)\n",
			"m.py:7:16: call mx.fancy_op: not in the API table"},
		{"no model", header + "class Foo(nn.Module):\n    pass\n", ": class Model: the file defines no Model class"},
		{"star import", "from .base import *\n", "m.py:1:19: import *: wildcard imports hide which names a file uses"},
		// The walrus is rewritten only as a whole if-condition: inside a
		// larger expression, moving it out could skip a short-circuit.
		{"walrus in and", header + model + "    def __call__(self, x, d: dict):\n        if x is None and (y := d.get('a')):\n            return y\n        return x\n",
			"m.py:7:27: walrus: only where a condition evaluates it first"},
		// A local rebound to another type in a nested block can become a
		// new variable only when no later read can see the old value.
		{"rebound and read after", header + model + "    def __call__(self, x):\n        for k in range(2):\n            w = 'a'\n" +
			"        for i in range(2):\n            if i > 0:\n                w = x * 2\n        return w\n",
			"m.py:11:17: variable w: assigned a array after a str; Go needs one type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, diags := translateSnippet(t, "m.py", []byte(c.src))
			if out != nil {
				t.Fatalf("produced Go despite %q", c.want)
			}
			if len(diags) == 0 {
				t.Fatal("no diagnostic")
			}
			if !strings.Contains(diags[0].Error(), c.want) {
				t.Errorf("diagnostic %q, want it to contain %q", diags[0].Error(), c.want)
			}
		})
	}
}
