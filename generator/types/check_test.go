package types_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

const header = `from dataclasses import dataclass
from typing import Any, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs
from .cache import KVCache

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int
    num_layers: int
    head_dim: Optional[int] = None
`

func check(t *testing.T, src string) (*types.Unit, []syntax.Diagnostic) {
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
	return types.Check(f, scope, tab, nil)
}

func fieldTypes(c *types.Class) string {
	var out []string
	for _, f := range c.Fields {
		out = append(out, f.Py+":"+f.Type.String())
	}
	return strings.Join(out, " ")
}

func paramTypes(fn *types.Func) string {
	var out []string
	for _, p := range fn.Params {
		out = append(out, p.Py+":"+p.Type.String())
	}
	return strings.Join(out, " ")
}

// TestInference checks what the checker infers from a small module tree:
// field types from what __init__ assigns (in order of first assignment), a
// field assigned two module classes with the same __call__ (an interface),
// unannotated parameters from their call sites, return types from return
// statements, and a dataclass field annotated Optional.
func TestInference(t *testing.T) {
	src := header + `
class A(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)
    def __call__(self, x):
        return self.proj(x)

class B(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.w = mx.zeros((d,))
    def __call__(self, x):
        return x * self.w

class Block(nn.Module):
    def __init__(self, args: ModelArgs, i):
        super().__init__()
        self.mlp = A(args.hidden_size) if i % 2 == 0 else B(args.hidden_size)
        self.head_dim = args.head_dim or args.hidden_size // 4
        self.scale = self.head_dim ** -0.5
        self.cache = None
    def __call__(self, x, mask=None):
        return self.mlp(x), self.scale

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.layers = [Block(args, i) for i in range(args.num_layers)]
    def __call__(self, inputs, cache=None):
        h = inputs
        for layer in self.layers:
            h, s = layer(h)
        return h
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	cases := []struct{ got, want string }{
		{fieldTypes(u.ByClass["ModelArgs"]), "model_type:str hidden_size:int num_layers:int head_dim:Optional[int]"},
		{fieldTypes(u.ByClass["A"]), "proj:Linear"},
		{fieldTypes(u.ByClass["Block"]), "mlp:A | B head_dim:int scale:float cache:None"},
		{fieldTypes(u.ByClass["Model"]), "layers:List[Block]"},
		// d and i from their call sites; x by convention.
		{paramTypes(u.ByClass["A"].ByMeth["__init__"]), "d:int"},
		{paramTypes(u.ByClass["Block"].ByMeth["__init__"]), "args:ModelArgs i:int"},
		{paramTypes(u.ByClass["Block"].ByMeth["__call__"]), "x:array mask:mask"},
		{u.ByClass["Block"].ByMeth["__call__"].Ret.String(), "Tuple[array, float]"},
		{u.ByClass["B"].ByMeth["__call__"].Ret.String(), "array"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

// TestRebinding checks locals: a name rebound to another type by a
// statement of the body itself becomes a second version (a new Go
// variable), while the same rebinding inside a branch cannot and is
// reported at the assignment.
func TestRebinding(t *testing.T) {
	src := header + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n = args.num_layers
    def __call__(self, inputs, cache=None):
        offset = self.n
        offset = mx.array(offset)
        return inputs + offset
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	fn := u.ByClass["Model"].ByMeth["__call__"]
	var versions []string
	for n, name := range fn.Splits {
		versions = append(versions, n.Id+"→"+name)
	}
	if strings.Join(versions, " ") != "offset→offset2" {
		t.Errorf("splits %v, want offset→offset2", versions)
	}
	body := u.Body(fn)
	ret := fn.Def.Body[2].(*syntax.Return).Value.(*syntax.BinOp)
	if got := body.Vals[ret.R].T.String(); got != "array" {
		t.Errorf("offset after the rebinding is %s, want array", got)
	}
	if got := fn.FirstType["offset"].String(); got != "int" {
		t.Errorf("offset's first version is %s, want int", got)
	}

	_, diags = check(t, strings.Replace(src, "        offset = mx.array(offset)\n",
		"        if self.n > 1:\n            offset = mx.array(offset)\n", 1))
	if len(diags) != 1 || !strings.Contains(diags[0].Error(), "m.py:22:13: variable offset: assigned a array after a int") {
		t.Errorf("diagnostics %v, want the rebinding in the branch at 22:13", diags)
	}
}

// TestRecordedValues checks what the checker records for the lowering:
// each expression's type, and the literal of what folds (hasattr on the
// dataclass, int arithmetic on literals).
func TestRecordedValues(t *testing.T) {
	src := header + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.k = 3 * 4 // 5
        self.has = hasattr(args, "head_dim")
        self.h = args.hidden_size / 2
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	init := u.ByClass["Model"].ByMeth["__init__"]
	body := u.Body(init)
	want := []struct{ typ, lit string }{{"int", "2"}, {"bool", "True"}, {"float", ""}}
	for i, w := range want {
		v := body.Vals[init.Def.Body[i+1].(*syntax.Assign).Value]
		lit := ""
		if v.Lit != nil {
			lit = v.Lit.Value
			if v.Lit.Kind == syntax.ConstTrue {
				lit = "True"
			}
		}
		if v.T.String() != w.typ || lit != w.lit {
			t.Errorf("statement %d: %s %q, want %s %q", i+1, v.T, lit, w.typ, w.lit)
		}
	}
}

// TestNarrowing checks which Optional reads the checker knows are not
// None: a field __post_init__ fills (for readers outside the dataclass),
// the else of `is None`, the right operand of `is not None and`, after an
// `if x is None: x = ...`, and not where a loop may have reassigned it.
func TestNarrowing(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", `    head_dim: Optional[int] = None
    kv_heads: Optional[int] = None
    rank: Optional[int] = None

    def __post_init__(self):
        if self.kv_heads is None:
            self.kv_heads = self.hidden_size
`, 1) + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.kv = args.kv_heads
        self.r = args.rank
        if self.r is None:
            self.a = 1
        else:
            self.a = self.r
        self.b = args.rank is not None and args.rank > 2
        h = args.head_dim
        if h is None:
            h = 4
        self.h = h
        w = args.rank
        for i in range(3):
            w = None
        self.w = w
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if got := fieldTypes(u.ByClass["Model"]); got != "kv:int r:Optional[int] a:int b:bool h:int w:Optional[int]" {
		t.Errorf("fields %s", got)
	}
	body := u.Body(u.ByClass["Model"].ByMeth["__init__"])
	derefs := 0
	for _, v := range body.Vals {
		if v.Deref {
			derefs++
		}
	}
	// args.kv_heads, self.r in the else, args.rank after `is not None and`,
	// h after the if that fills it.
	if derefs != 4 {
		t.Errorf("%d narrowed reads, want 4", derefs)
	}
}

// TestUnion checks cache.offset, an int for a single-sequence cache and an
// array for a batch cache: a local that holds 0 or it is int | array;
// isinstance(offset, mx.array) narrows it to the array in its branch (read
// with a type assertion), and a top-level mx.array(offset) starts an
// array version.
func TestUnion(t *testing.T) {
	src := header + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n = args.num_layers
    def __call__(self, inputs, cache=None):
        offset = 0
        if cache is not None:
            offset = cache.offset
        if isinstance(offset, mx.array):
            inputs = inputs + offset
        offset = mx.array(offset)
        return inputs + offset
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	fn := u.ByClass["Model"].ByMeth["__call__"]
	if got := fn.FirstType["offset"].String(); got != "int | array" {
		t.Errorf("offset is %s, want int | array", got)
	}
	body := u.Body(fn)
	branch := fn.Def.Body[2].(*syntax.If).Body[0].(*syntax.Assign).Value.(*syntax.BinOp)
	if v := body.Vals[branch.R]; v.T.String() != "array" || !v.Assert {
		t.Errorf("offset under isinstance: %s (assert %v), want the array member", v.T, v.Assert)
	}
	if len(fn.Splits) != 1 {
		t.Errorf("mx.array(offset) did not start a version: %v", fn.Splits)
	}
}

// TestProvenance checks that what the code does with a config value widens
// the dataclass field it came from — through a local and a module field
// that store it — and nothing else: a module attribute with a config key's
// name is not the config value.
func TestProvenance(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", `    head_dim: Optional[int] = None
    q_lora_rank: int = 1536
    layer_start: int = 0
    partial_rotary_factor: int = 1
    other: int = 2
`, 1) + `
class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.q_lora_rank = rank = args.q_lora_rank
        d = args.hidden_size // 4
        self.rope_dims = int(args.partial_rotary_factor * d)
        self.both = int(args.other * args.num_layers)
        self.starts = isinstance(args.layer_start, (list, tuple))
        self.other = 3
        if self.other is None:
            self.other = 4
    def __call__(self, x):
        if self.q_lora_rank is None:
            return x
        return x * self.q_lora_rank

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.a = Attention(args)
`
	u, diags := check(t, src)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := fieldTypes(u.ByClass["ModelArgs"])
	want := "model_type:str hidden_size:int num_layers:int head_dim:Optional[int] q_lora_rank:Optional[int] layer_start:Any partial_rotary_factor:float other:int"
	if got != want {
		t.Errorf("fields\n got %s\nwant %s", got, want)
	}
}
