package lower_test

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// kernelPackage is a package like mlx_lm/kernels: an __init__.py that
// re-exports one function per submodule, and a helper module the
// submodules share.
var kernelPackage = map[string]string{
	"mlx_lm/kernels/__init__.py": `from .gate import gated
from .fused import fused
`,
	"mlx_lm/kernels/_common.py": `import mlx.core as mx

def row_threads(dim: int) -> int:
    return min(1024, max(32, dim // 8 // 32 * 32))
`,
	// A kernel with a pure-op path: None off Metal.
	"mlx_lm/kernels/gate.py": `import mlx.core as mx
from ._common import row_threads

_gate_kernel = (
    mx.fast.metal_kernel(name="gate", input_names=["x"], output_names=["y"], source="")
    if mx.metal.is_available()
    else None
)

def gated(x: mx.array, *, scale: float) -> mx.array:
    if _gate_kernel is not None:
        return _gate_kernel(inputs=[x], grid=(row_threads(x.shape[-1]), 1, 1))[0]
    return mx.sigmoid(x * scale) * x
`,
	// A kernel that mlx-lm calls unconditionally (muse_spark's kernels).
	"mlx_lm/kernels/fused.py": strings.Repeat("#\n", 30) + `import mlx.core as mx

_fused_kernel = mx.fast.metal_kernel(name="fused", input_names=["x"], output_names=["y"], source="")

def fused(x: mx.array) -> mx.array:
    return _fused_kernel(inputs=[x], grid=(1, 1, 1))[0]
`,
}

// loadFrom serves modules named as the translator names them (relative to
// mlx_lm/models; names/relimport.go) from files, as the generator's loader
// does: <name>.py, else <name>/__init__.py.
func loadFrom(files map[string]string) func(string) (*syntax.File, *names.Scope, error) {
	return func(module string) (*syntax.File, *names.Scope, error) {
		p := path.Join("mlx_lm/models", module) + ".py"
		src, ok := files[p]
		if !ok {
			p = path.Join("mlx_lm/models", module, "__init__.py")
			if src, ok = files[p]; !ok {
				return nil, nil, fmt.Errorf("no module %s", module)
			}
		}
		f, diags := syntax.Parse(p, []byte(src))
		if len(diags) > 0 {
			return nil, nil, diags[0]
		}
		s, _ := names.Resolve(f)
		return f, s, nil
	}
}

func translateWith(t *testing.T, src string, files map[string]string) *lower.Result {
	t.Helper()
	f, diags := syntax.Parse("mlx_lm/models/m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	return lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "mlx_lm/models/m.py", ModelType: "m",
		Load: loadFrom(files)})
}

// TestImportFromOtherPackage checks that `from ..kernels import f` brings
// f, from the submodule the package's __init__ takes it from, into the
// package like a sibling model file's function (with the helpers it calls
// from another submodule), that a kernel that is None off Metal folds to
// its pure-op path there, and that one with no pure-op path is reported
// first, at its own file's line, as the reason nothing can be compared.
func TestImportFromOtherPackage(t *testing.T) {
	model0 := strings.Replace(header, "from .base import BaseModelArgs", "from .base import BaseModelArgs\nfrom ..kernels import gated", 1)
	src := model0 + `
    def __call__(self, inputs, cache=None):
        return gated(inputs, scale=0.5)
`
	res := translateWith(t, src, kernelPackage)
	if len(res.Diagnostics) > 0 {
		t.Fatal(res.Diagnostics)
	}
	var funcs []string
	var body string
	for _, d := range res.File.Decls {
		if fn, ok := d.(*model.Func); ok && fn.Recv == nil {
			funcs = append(funcs, fn.Name)
			if fn.Name == "gated" {
				body = model.Dump(fn)
			}
		}
	}
	if got := strings.Join(funcs, " "); !strings.Contains(got, "gated") || strings.Contains(got, "row_threads") {
		t.Errorf("package functions = %s, want gated and not row_threads (only the Metal branch calls it)", got)
	}
	if !strings.Contains(body, "Sigmoid") || strings.Contains(body, "gate_kernel") {
		t.Errorf("gated is not its pure-op path:\n%s", body)
	}

	// A kernel mlx-lm calls with no pure-op path: the first diagnostic,
	// ahead of a translator gap earlier in the main file.
	model1 := strings.Replace(header, "from .base import BaseModelArgs", "from .base import BaseModelArgs\nfrom ..kernels import fused", 1)
	src = model1 + `
    def __call__(self, inputs, cache=None):
        h = fused(inputs)
        return h + undefined_name
`
	res = translateWith(t, src, kernelPackage)
	if len(res.Diagnostics) == 0 {
		t.Fatal("no diagnostic for a kernel with no pure-op path")
	}
	d := res.Diagnostics[0]
	if !strings.Contains(fmt.Sprint(res.Diagnostics), "undefined_name") {
		t.Errorf("the main file's gap is not reported: %v", res.Diagnostics)
	}
	if d.File != "mlx_lm/kernels/fused.py" || d.Pos.Line != 36 || d.Why != types.NoPureOpPath {
		t.Errorf("first diagnostic = %v, want mlx_lm/kernels/fused.py:36: %s", d, types.NoPureOpPath)
	}
}
