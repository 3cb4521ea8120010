package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

const header = `from dataclasses import dataclass
from typing import Any, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    window: int = -3
    head_dim: Optional[int] = None

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.args = args
`

// lowerSrc translates a snippet and returns the model of one method.
func lowerSrc(t *testing.T, src, class, goName string) *model.Func {
	t.Helper()
	f, diags := syntax.Parse("m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m"})
	if len(res.Diagnostics) > 0 {
		t.Fatal(res.Diagnostics)
	}
	for _, d := range res.File.Decls {
		if fn, ok := d.(*model.Func); ok && fn.Name == goName && fn.Recv != nil {
			if strings.Contains(model.Dump(fn.Recv.Type), class) {
				return fn
			}
		}
	}
	t.Fatalf("no method %s.%s in the model", class, goName)
	return nil
}

// TestLowerSemantics checks how Python operations read in the model, one
// statement per case: integer // and % through Python's rounding, `x or d`
// on an Optional int, ** -0.5 as a float, arithmetic with a weak scalar on
// arrays, and a local that holds one literal for the whole body folded
// into its uses (f: no statement, BoolScalar(true) where it is read).
func TestLowerSemantics(t *testing.T) {
	src := header + `
    def __call__(self, x, n: int):
        a = self.args.window // 2
        b = self.args.window % 2
        c = self.args.head_dim or n
        d = n ** -0.5
        e = x * 2
        f = 2 < 3
        return x + a + b + c + d + e + f
`
	fn := lowerSrc(t, src, "Model", "Forward")
	want := []string{
		`(:= (list (ident a):int) (list (call (qual py FloorDiv) (sel (sel (ident self):Model "Args"):ModelArgs "Window"):int (lit 2):int):int))`,
		`(:= (list (ident b):int) (list (call (qual py Mod) (sel (sel (ident self):Model "Args"):ModelArgs "Window"):int (lit 2):int):int))`,
		`(:= (list (ident c):int) (list (call (qual py OrPtr) (sel (sel (ident self):Model "Args"):ModelArgs "HeadDim"):Optional[int] (ident n):int):int))`,
		`(:= (list (ident d):float) (list (call (qual math Pow) (conv float64 (ident n):int) (unary - (lit 0.5):float):float):float))`,
		`(:= (list (ident e):array) (list (call (qual mlx Multiply) (ident x):array (call (qual mlx Int) (lit 2):int)):array))`,
		`(return (call (qual mlx Add) (call (qual mlx Add) (call (qual mlx Add) (call (qual mlx Add) (call (qual mlx Add) (call (qual mlx Add) (ident x):array (call (qual mlx Int) (ident a):int)):array (call (qual mlx Int) (ident b):int)):array (call (qual mlx Int) (ident c):int)):array (call (qual mlx Float) (ident d):float)):array (ident e):array):array (call (qual mlx BoolScalar) (lit true):bool)):array)`,
	}
	for i, w := range want {
		if got := model.Dump(fn.Body[i]); got != w {
			t.Errorf("statement %d:\n got %s\nwant %s", i, got, w)
		}
	}
}

// TestLowerDeclarations checks where Python locals become Go variables: a
// name first assigned in both branches of an if is declared before it; a
// loop over range(n) counts with an int.
func TestLowerDeclarations(t *testing.T) {
	src := header + `
    def __call__(self, x, n: int):
        if n > 0:
            y = x
        else:
            y = -x
        for i in range(n):
            y = y + i
        return y
`
	fn := lowerSrc(t, src, "Model", "Forward")
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(var y *mlx.Array nil)`,
		`(if (binary > (ident n):int (lit 0):int):bool (block (= (list (ident y):array) (list (ident x):array))) (block (= (list (ident y):array) (list (call (qual mlx Negative) (ident x):array):array))))`,
		`(for-range (ident i) nil (ident n):int (block`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}

// TestRegistration checks register.go's model: the Model's methods the
// registry calls, as the Python class defines them — a method expression
// where Model.__call__(inputs, cache) matches the registry, a closure that
// passes the other parameters' defaults where it does not, and no Sanitize
// for a class without one.
func TestRegistration(t *testing.T) {
	src := header + `
    def __call__(self, inputs, cache=None, mask=None):
        return inputs

    @property
    def layers(self):
        return [self]
`
	f, diags := syntax.Parse("m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, _ := types.LoadTable()
	res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m", Aliases: []string{"m2"}})
	if len(res.Diagnostics) > 0 {
		t.Fatal(res.Diagnostics)
	}
	got := model.Dump(res.Register.Decls[0])
	for _, w := range []string{
		`(kv (ident ModelType) (lit "m"))`,
		`(kv (ident Aliases) (composite []string (lit "m2")))`,
		`(kv (ident Forward) (funclit (types *mlx.Array) (block (return (call (sel (ident m) "Forward") (ident inputs) (ident caches) (qual mlx NoMask))))))`,
		`(kv (ident Layers) (funclit (types int) (block (return (call (ident len) (call (sel (ident m) "Layers"))))))))`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("registration lacks %s:\n%s", w, got)
		}
	}
	if strings.Contains(got, "Sanitize") {
		t.Errorf("a Sanitize for a class without sanitize:\n%s", got)
	}
}
