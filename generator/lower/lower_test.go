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

// translateSrc translates a snippet (file m.py, package m) that must have
// no diagnostics: the shared set-up of this package's snippet tests.
func translateSrc(t *testing.T, src string) *lower.Result {
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
	return res
}

// lowerSrc translates a snippet and returns the model of one method.
func lowerSrc(t *testing.T, src, class, goName string) *model.Func {
	t.Helper()
	res := translateSrc(t, src)
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

// lowerDecls translates a snippet and returns the model's declarations.
func lowerDecls(t *testing.T, src string) []model.Decl {
	t.Helper()
	res := translateSrc(t, src)
	return res.File.Decls
}

// TestCompiled checks how @mx.compile functions lower: the Python body as
// <name>Body, a package-level <name>Compiled tracing it (mlx.Compile for an
// array result, py.CompileMulti for a tuple; shapeless from the partial's
// keyword), ints/floats/bools crossing as trace constants (mlx.Int at the
// call, py.ScalarInt in the trace), and the Python name with the Python
// signature calling the compiled value. A function with a parameter that is
// neither an array nor a scalar stays one uncompiled function and says why.
func TestCompiled(t *testing.T) {
	src := `from functools import partial
from dataclasses import dataclass
from typing import List
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str

@mx.compile
def scaled(x: mx.array, k: int, s: float, on: bool):
    if on:
        return x * k * s
    return x

@partial(mx.compile, shapeless=True)
def split(x: mx.array, y: mx.array):
    return x + y, x - y

@mx.compile
def summed(xs: List[mx.array]):
    return mx.concatenate(xs)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()

    def __call__(self, x: mx.array):
        a, b = split(scaled(x, 2, 0.5, True), x)
        return summed([a, b])
`
	got := map[string]string{}
	for _, d := range lowerDecls(t, src) {
		switch x := d.(type) {
		case *model.Func:
			got[x.Name] = x.Doc + " " + model.Dump(x)
		case *model.VarDecl:
			got[x.Name] = x.Doc + " " + model.Dump(x)
		}
	}
	for name, want := range map[string][]string{
		"scaled": {`it runs scaledCompiled`,
			`(return (call (ident scaledCompiled) (ident x) (call (qual mlx Int) (ident k)) (call (qual mlx Float) (ident s)) (call (qual mlx BoolScalar) (ident on))))`},
		"scaledCompiled": {`traced once per input shape and per value of k, s, on`,
			`(vardecl scaledCompiled (call (qual mlx Compile) (funclit (types *mlx.Array) (block (return (call (ident scaledBody) (index (ident a) (lit 0)) (call (qual py ScalarInt) (index (ident a) (lit 1))) (call (qual py ScalarFloat) (index (ident a) (lit 2))) (call (qual py ScalarBool) (index (ident a) (lit 3))))))) (lit false)))`},
		"scaledBody": {`scaledBody is the body of scaled()`, `(func scaledBody (params (x *mlx.Array) (k int) (s float64) (on bool))`},
		"split":      {`(:= (list (ident r)) (list (call (ident splitCompiled) (ident x) (ident y))))`, `(return (index (ident r) (lit 0)) (index (ident r) (lit 1)))`},
		"splitCompiled": {`traced once for all input shapes.`,
			`(call (qual py CompileMulti) (lit 2) (funclit (types []*mlx.Array) (block (:= (list (ident r0) (ident r1)) (list (call (ident splitBody) (index (ident a) (lit 0)) (index (ident a) (lit 1))))) (return (composite []*mlx.Array (ident r0) (ident r1))))) (lit true))`},
		"summed": {`here it runs uncompiled: parameter xs is List[array], not an array or a Python scalar`},
	} {
		for _, w := range want {
			if !strings.Contains(got[name], w) {
				t.Errorf("%s lacks %s:\n%s", name, w, got[name])
			}
		}
	}
	if _, ok := got["summedCompiled"]; ok {
		t.Errorf("summed has a compiled value though its parameter is a list")
	}
}

// TestShardConstructs checks two rules shard() bodies need: a nested
// function passed where the table takes a callable (Module.apply's map_fn,
// an Activation) learns its parameter types from it and is passed as the Go
// func value, reading the enclosing locals it closes over; and an
// assignment to a settable attribute of a table type (a SwitchLinear's
// bias) becomes the table's set: template.
func TestShardConstructs(t *testing.T) {
	src := header + `        self.embed_q = MultiLinear(4, 8, 2)
        self.experts = SwitchGLU(8, 16, 4, bias=True)

    def __call__(self, x):
        return self.embed_q(x)

    def shard(self, group: Optional[mx.distributed.Group] = None):
        n = group.size()
        s = 1
        e = s + n
        def heads(w):
            return w[s:e]
        self.embed_q.apply(heads)
        self.experts.down_proj.bias /= n
`
	src = strings.Replace(src, "from .base import BaseModelArgs\n", "from .base import BaseModelArgs\nfrom .mla import MultiLinear\nfrom .switch_layers import SwitchGLU\n", 1)
	got := model.Dump(lowerSrc(t, src, "Model", "Shard").Body)
	for _, w := range []string{
		`(:= (list (ident e):int) (list (binary + (lit 1):int (ident n):int):int))`,
		`(:= (list (ident heads)) (list (funclit (types *mlx.Array) (block (return (call (sel (ident w):array "Index") (call (qual mlx Slice) (lit 1):int (ident e):int (lit 1))):array)))))`,
		`(expr (template "py.Apply" "(" (list (sel (ident self):Model "EmbedQ"):MultiLinear) ", " (list (ident heads):heads:30:9) ")"):None)`,
		`(expr (template "py.SetParameter" "(" (list (template (list (sel (ident self):Model "Experts"):SwitchGLU) ".DownProj"):SwitchLinear) ", \"bias\", " (list (call (qual mlx Divide) (template "py.Parameter"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Shard lacks %s:\n%s", w, got)
		}
	}
}

// TestDerefNamesOperand: reading an Optional number in arithmetic or a
// comparison names the Python operand in the TypeError py.Deref raises on
// None (not the line of the whole expression).
func TestDerefNamesOperand(t *testing.T) {
	src := header + `
    def __call__(self, x, n: int):
        a = self.args.head_dim * n
        b = n < self.args.head_dim
        return x * a + b
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(binary * (call (qual py Deref) (sel (sel (ident self):Model "Args"):ModelArgs "HeadDim"):Optional[int] (lit "self.args.head_dim")) (ident n):int)`,
		`(binary < (ident n):int (call (qual py Deref) (sel (sel (ident self):Model "Args"):ModelArgs "HeadDim"):Optional[int] (lit "self.args.head_dim")))`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}
