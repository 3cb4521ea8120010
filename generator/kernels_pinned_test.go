package generator

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/types"
	"github.com/hf2go/hf2go/parity/pyref"
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

// museSparkForward builds a 2-layer random muse_spark (one RoPE/sliding
// layer, one global layer without RoPE) and runs it on 3 tokens on CPU.
const museSparkForward = `
import mlx.core as mx
from mlx_lm.models import muse_spark as m
t = dict(hidden_size=32, num_attention_heads=2, num_key_value_heads=1, head_dim=16, num_hidden_layers=2,
         vocab_size=64, rms_norm_eps=1e-5, post_norm_eps=1e-5, rope_parameters={"rope_theta": 10000.0},
         layer_rope_theta=[10000.0, 0.0], layer_types=["sliding_attention", "full_attention"], sliding_window=4,
         final_logit_softcapping=30.0, output_multiplier=1.0, num_local_experts=4, num_experts_per_tok=2,
         moe_hidden_size=16, moe_intermediate_size=24)
model = m.Model(m.ModelArgs.from_dict(dict(model_type="muse_spark", text_config=t)))
mx.eval(model(mx.array([[1, 2, 3]])))
print("ran")
`

// TestKernelPackageHasNoReference checks the premise of muse_spark's
// diagnostic against mlx-lm itself: at the pin, on CPU, its forward pass
// raises "No Metal back-end" (the kernels have no pure-op path), so no
// translation could be held to a reference. If a later pin adds a pure-op
// path, this fails and says the file should be translated. (Checked to
// fail when the script runs only the lm_head, which needs no kernel.)
func TestKernelPackageHasNoReference(t *testing.T) {
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", museSparkForward)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "No Metal back-end") {
		t.Errorf("mlx-lm's muse_spark forward on CPU: err=%v, output:\n%s\nwant RuntimeError [metal_kernel] No Metal back-end; if it now runs, translate muse_spark", err, out)
	}
}
