package generator

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/types"
)

// TestKernelPackageImports translates muse_spark at the pin, which takes its
// fused ops from the mlx_lm/kernels package (`from ..kernels import ...`):
// the package and its submodules load through the pinned, locked source,
// and the first diagnostic is that mlx-lm itself has no pure-op path for
// them, at the kernel module's own line — not a translator gap of the
// model file, and not a failure to find the imported names.
func TestKernelPackageImports(t *testing.T) {
	g, _ := pinnedGenerator(t)
	out, err := g.Generate("muse_spark")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Diagnostics) == 0 {
		t.Fatal("muse_spark translates: mlx-lm 0.32.2 cannot run it off Metal, so this test's premise changed")
	}
	d := out.Diagnostics[0]
	if d.Why != types.NoPureOpPath || !strings.HasPrefix(d.File, "mlx_lm/kernels/") {
		t.Errorf("first diagnostic = %v, want a kernel of mlx_lm/kernels with no pure-op path", d)
	}
	for _, d := range out.Diagnostics {
		if strings.Contains(d.Construct, "kernels.") || strings.Contains(d.Construct, "import of") {
			t.Errorf("an imported kernel function is not resolved: %v", d)
		}
	}
	read := map[string]bool{}
	for _, l := range g.loaded {
		read[l.path] = true
	}
	for _, p := range []string{"mlx_lm/kernels/__init__.py", "mlx_lm/kernels/_common.py", "mlx_lm/kernels/qk_norm_rope.py"} {
		if !read[p] {
			t.Errorf("%s was not read (read: %v)", p, read)
		}
	}
}
