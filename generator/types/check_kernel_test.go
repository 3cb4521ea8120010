package types_test

import (
	"testing"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// kernelSrc has the three shapes of module-level Metal kernels in mlx-lm
// 0.32.2: a builder that returns None off Metal (rwkv7), a conditional
// expression (kimi_k3), and a builder that always builds one (bitnet's
// bitlinear_layers), each with the wrapper that calls it.
const kernelSrc = header + `
def _make_a():
    if not mx.metal.is_available():
        return None
    return mx.fast.metal_kernel(name="a", input_names=["x"], output_names=["y"], source="")

_a = _make_a()
_b = mx.fast.metal_kernel(name="b", input_names=["x"], output_names=["y"], source="") if mx.metal.is_available() else None

def _make_c():
    return mx.fast.metal_kernel(name="c", input_names=["x"], output_names=["y"], source="")

_c = _make_c()

def call_a(x):
    return _a(inputs=[x])[0]

def call_c(x):
    return _c(inputs=[x])[0]

def wraps_c(x):
    return call_c(x)

def plain(x):
    return x + 1

def checks_b(x):
    if _b is not None:
        return x
    return x + 1

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.w = mx.zeros((2,))

    def __call__(self, inputs, cache=None):
        return checks_b(plain(inputs)) * self.w
`

// TestKernels checks what a module-level Metal kernel holds off Metal
// (None, so `_b is not None` folds; or a kernel object mlx-lm cannot run)
// and which functions of the file build or call one (translated only when
// a translated body calls them).
func TestKernels(t *testing.T) {
	f, diags := syntax.Parse("m.py", []byte(kernelSrc))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	u, ds := types.Check(f, scope, tab, nil)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	for name, want := range map[string]types.KernelValue{"_a": types.KernelNone, "_b": types.KernelNone,
		"_c": types.KernelObject, "plain": types.NotKernel} {
		if got := u.KernelConst(scope.Symbols[name], name); got != want {
			t.Errorf("KernelConst(%s) = %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]bool{"_make_a": true, "_make_c": true, "call_a": true, "call_c": true,
		"wraps_c": true, "plain": false, "checks_b": false} {
		if got := u.KernelFunc(u.ByFunc[name]); got != want {
			t.Errorf("KernelFunc(%s) = %v, want %v", name, got, want)
		}
	}
	// `_b is not None` is known False: checks_b returns x + 1 only.
	fn := u.ByFunc["checks_b"]
	body := u.Body(fn)
	cond := fn.Def.Body[0].(*syntax.If).Cond
	if v := body.Vals[cond]; v.Lit == nil || v.Lit.Kind != syntax.ConstFalse {
		t.Errorf("_b is not None: %+v, want the literal False", v)
	}
}

// TestModuleList checks a list of modules of different types (rwkv7's
// LoRA): typed as a list of its members' types, each constant index (also
// a negative one) reading its member's type.
func TestModuleList(t *testing.T) {
	u, ds := check(t, header+`
class LoRA(nn.Module):
    def __init__(self, d: int):
        super().__init__()
        self.act = nn.Tanh()
        self.lora = [nn.Linear(d, 4, bias=False), self.act, nn.Linear(4, d)]

    def __call__(self, x):
        return self.lora[-1](self.lora[1](self.lora[0](x)))

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.lora = LoRA(args.hidden_size)

    def __call__(self, inputs, cache=None):
        return self.lora(inputs)
`)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if got, want := fieldTypes(u.ByClass["LoRA"]), "act:Activation lora:List[Linear | Activation | Linear]"; got != want {
		t.Errorf("fields: %s, want %s", got, want)
	}
}
