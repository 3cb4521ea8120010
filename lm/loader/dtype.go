// Not ported from mlx-lm: the CPU compute-dtype choice (--dtype auto) is hf2go's; mlx-lm loads the
// checkpoint's dtypes as they are.

package loader

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Compute dtype. MLX's CPU kernels are much slower in half precision than in
// float32 (measured in docs/bench/cpu-dtype.md: matrix-vector products, the
// decode step's bulk, run at 1.0 GB/s in float16, 2.6 in bfloat16 and 6.1 in
// float32 on the 2-core CI machine), so on the CPU backend a float16 /
// bfloat16 checkpoint is run in float32 unless Options.Dtype says otherwise.
// Quantized layers keep their packed weights; their scales and biases (and
// so their outputs) become float32 too.

// DtypeChoices are the values Options.Dtype accepts.
var DtypeChoices = []string{"auto", "native", "float32", "float16", "bfloat16"}

// castParams applies Options.Dtype to the loaded parameters and records the
// choice on m.
func castParams(m *Model, o Options) error {
	choice := o.Dtype
	if choice == "" {
		choice = "native" // the library loads as mlx_lm.load does; mlxlm's --dtype defaults to auto
	}
	params := nn.Parameters(m.Module())
	counts := map[mlx.Dtype]int{}
	for _, p := range params {
		if d := p.Dtype(); d.IsFloating() {
			counts[d] += p.Size()
		}
	}
	m.CheckpointDtype = dominant(counts)
	var target mlx.Dtype
	switch choice {
	case "native":
		m.ComputeDtype = m.CheckpointDtype
		m.DtypeNote = fmt.Sprintf("%s (the checkpoint's)", m.ComputeDtype)
		return nil
	case "auto":
		if mlx.OnGPU() || (counts[mlx.Float16] == 0 && counts[mlx.Bfloat16] == 0) {
			m.ComputeDtype = m.CheckpointDtype
			m.DtypeNote = fmt.Sprintf("%s (the checkpoint's)", m.ComputeDtype)
			return nil
		}
		target = mlx.Float32
		m.DtypeNote = fmt.Sprintf("float32 (checkpoint %s; MLX's CPU kernels are faster in float32; --dtype native keeps it)", m.CheckpointDtype)
	case "float32", "float16", "bfloat16":
		target, _ = mlx.DtypeFromString(choice)
		m.DtypeNote = fmt.Sprintf("%s (--dtype)", target)
	default:
		return fmt.Errorf("--dtype %q: expected one of %s", o.Dtype, strings.Join(DtypeChoices, ", "))
	}
	m.ComputeDtype = target
	cast := make(map[string]*mlx.Array, len(params))
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := params[n]
		if d := p.Dtype(); d.IsFloating() && d != target {
			cast[n] = mlx.Astype(p, target)
		} else {
			cast[n] = p
		}
	}
	return nn.Update(m.Module(), cast)
}

// dominant is the floating dtype holding the most elements.
func dominant(counts map[mlx.Dtype]int) mlx.Dtype {
	best, n := mlx.Float32, -1
	for _, d := range []mlx.Dtype{mlx.Float32, mlx.Bfloat16, mlx.Float16, mlx.Float64} {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best
}
