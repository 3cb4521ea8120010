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

const kernelHeader = `from dataclasses import dataclass
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int = 8

def _make_k():
    if not mx.metal.is_available():
        return None
    return mx.fast.metal_kernel(name="k", input_names=["x"], output_names=["y"], source="")

_k = _make_k()

def k_wrapper(x):
    return _k(inputs=[x], grid=(1, 1, 1))[0]

def _make_obj():
    return mx.fast.metal_kernel(name="o", input_names=["x"], output_names=["y"], source="")

_obj = _make_obj()
`

// TestKernelFunctions checks that the functions of a file that build or
// call a Metal kernel are not translated when no translated body calls
// them, that a kernel that is None off Metal folds where the live code
// tests it, and that a list of modules of different types is a []any read
// with type assertions (rwkv7's LoRA).
func TestKernelFunctions(t *testing.T) {
	src := kernelHeader + `
class LoRA(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.lora = [nn.Linear(d, 4, bias=False), nn.Tanh(), nn.Linear(4, d)]

    def __call__(self, x):
        if _k is not None and mx.default_device() == mx.gpu:
            return k_wrapper(x)
        return self.lora[2](self.lora[1](self.lora[0](x)))

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.lora = LoRA(args.hidden_size)

    def __call__(self, inputs, cache=None):
        return self.lora(inputs)
`
	var funcs []string
	var lora *model.Func
	var fields string
	for _, d := range lowerDecls(t, src) {
		switch x := d.(type) {
		case *model.Func:
			funcs = append(funcs, x.Name)
			if x.Name == "Forward" && x.Recv != nil && strings.Contains(model.Dump(x.Recv.Type), "LoRA") {
				lora = x
			}
		case *model.Struct:
			if x.Name == "LoRA" {
				for _, f := range x.Fields {
					fields += f.Name + ":" + model.Dump(f.Type) + ":" + f.Tag["mlx"] + " "
				}
			}
		}
	}
	for _, name := range funcs {
		if name == "makeK" || name == "kWrapper" || name == "makeObj" {
			t.Errorf("kernel function %s translated; no translated body calls it", name)
		}
	}
	if !strings.Contains(fields, "Lora:") || !strings.Contains(fields, ":lora ") || !strings.Contains(fields, "any") {
		t.Errorf("LoRA fields: %s; want Lora a []any in the parameter tree as lora", fields)
	}
	got := model.Dump(lora.Body)
	if strings.Contains(got, "kWrapper") || strings.Contains(got, "DefaultDevice") {
		t.Errorf("the Metal branch is translated: %s", got)
	}
	for _, w := range []string{
		`(assert (index (sel (ident self):LoRA "Lora"):List[Linear | Activation | Linear] (lit 2)) (template-type "nn.LinearLayer")):Linear`,
		`(assert (index (sel (ident self):LoRA "Lora"):List[Linear | Activation | Linear] (lit 1)) (template-type "func(*" "mlx.Array" ") *" "mlx.Array")):Activation`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("LoRA.Forward lacks %s:\n%s", w, got)
		}
	}
}

// TestKernelObjectCalled checks the diagnostic where live code calls a
// Metal kernel that mlx-lm has no pure-op path for (bitnet's BitLinear).
func TestKernelObjectCalled(t *testing.T) {
	src := kernelHeader + `
class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()

    def __call__(self, inputs, cache=None):
        return _obj(inputs=[inputs])[0]
`
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
	var all []string
	for _, d := range res.Diagnostics {
		all = append(all, d.Error())
	}
	if !strings.Contains(strings.Join(all, "\n"), "name _obj: a Metal kernel (mx.fast.metal_kernel) that mlx-lm calls with no pure-op path") {
		t.Errorf("diagnostics: %v", all)
	}
}

// TestClassValueLowering checks how a class picked into a local and
// called later reads in Go: the local holds the index of the class
// (0, 1), the call is the conditional that builds that class.
func TestClassValueLowering(t *testing.T) {
	src := kernelHeader + `
class Dense(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.proj = nn.Linear(d, d)

    def __call__(self, x):
        return self.proj(x)

class Sparse(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.gate = nn.Linear(d, d)

    def __call__(self, x):
        return self.gate(x)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        cls = Sparse if args.hidden_size > 4 else Dense
        self.ffn = cls(args.hidden_size)

    def __call__(self, inputs, cache=None):
        return self.ffn(inputs)
`
	var init string
	for _, d := range lowerDecls(t, src) {
		if fn, ok := d.(*model.Func); ok && fn.Name == "NewModel" {
			init = model.Dump(fn.Body)
		}
	}
	for _, w := range []string{"(lit 0)", "(lit 1)", `(binary == (ident cls):int (lit 0)`, "NewSparse", "NewDense"} {
		if !strings.Contains(init, w) {
			t.Errorf("NewModel lacks %s:\n%s", w, init)
		}
	}
}

// TestMiniMaxM3Constructs checks the constructs minimax_m3_vl needed: a
// class or a table layer picked into a local (GemmaRMSNorm or nn.RMSNorm)
// is an interface field; min() over a number and a config value compares
// at run time (py.MinAny); divmod() unpacks Python's floor pair; a bool in
// int arithmetic is 0/1; isinstance(mask, mx.array) tests the mask's
// array; a str slice counts code points (py.StrSlice); a comprehension's
// result does not shadow a local it reads (out).
func TestMiniMaxM3Constructs(t *testing.T) {
	src := `from dataclasses import dataclass
from typing import Any, Dict, Optional
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int = 8
    gemma: bool = True
    extra: Optional[dict] = None

class GemmaRMSNorm(nn.Module):
    def __init__(self, dims: int, eps: float = 1e-6):
        super().__init__()
        self.weight = mx.zeros((dims,))
        self.eps = eps

    def __call__(self, x):
        return mx.fast.rms_norm(x, weight=1.0 + self.weight, eps=self.eps)

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        NormClass = GemmaRMSNorm if args.gemma else nn.RMSNorm
        self.norm = NormClass(args.hidden_size, eps=1e-5)
        extra = args.extra or {}
        self.width = min(args.hidden_size, extra.get("width", 4))

    def __call__(self, inputs, mask=None, cache=None):
        full, tail = divmod(inputs.shape[1], 3)
        n = full + bool(tail)
        if isinstance(mask, mx.array):
            n = n + 1
        return self.norm(inputs) * n

    def sanitize(self, weights):
        out = {k: v for k, v in weights.items()}
        for k in [k for k in out if k.endswith(".inv")]:
            out[k[: -len(".inv")]] = out.pop(k)
        return out
`
	var fields, init, fwd, san string
	for _, d := range lowerDecls(t, src) {
		switch x := d.(type) {
		case *model.Struct:
			if x.Name == "Model" {
				for _, f := range x.Fields {
					fields += f.Name + ":" + model.Dump(f.Type) + " "
				}
			}
		case *model.Func:
			switch x.Name {
			case "NewModel":
				init = model.Dump(x.Body)
			case "Forward":
				fwd = model.Dump(x.Body)
			case "Sanitize":
				san = model.Dump(x.Body)
			}
		}
	}
	for _, c := range []struct{ what, got, want string }{
		{"Model.norm", fields, `Norm:(interface Forward`},
		{"min over a config value", init, `(qual py MinAny)`},
		{"class value", init, `NewGemmaRMSNorm`},
		{"class value", init, `nn.NewRMSNorm`},
		{"divmod", fwd, `(:= (list (ident full) (ident tail)) (list (template "py.Divmod"`},
		{"bool arithmetic", fwd, `(qual py BoolToInt)`},
		{"isinstance(mask, mx.array)", fwd, `(binary != (sel (ident mask)`},
		{"str slice", san, `(qual py StrSlice)`},
		{"comprehension result", san, `out_`},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s: lacks %s in\n%s", c.what, c.want, c.got)
		}
	}
}
