package distributed_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hf2go/hf2go/generated/models/llama"
	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/parity/modelparity"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/distributedtest"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
	"github.com/hf2go/hf2go/runtime/mlx/nn/distributed"
)

// ShardTolerance bounds |sharded − unsharded| logits in float32. Sharding
// changes the order of float32 additions: o_proj and down_proj sum over
// their input features in two halves, one per rank, that all_sum then adds,
// so results differ by rounding (mlx-lm's own sharded run differs from its
// unsharded one by ~1e-6 on these models, logits of magnitude ~1).
const ShardTolerance = 1e-5

const workerTest = "TestShardedLlamaRingWorker"

// caseName names a reference checkpoint <out>/<case>/<variant> as
// "<case>-<variant>" (sharded_reference.py names its outputs the same way).
func caseName(dir string) string {
	return filepath.Base(filepath.Dir(dir)) + "-" + filepath.Base(dir)
}

// reference builds the tiny llama checkpoints with mlx-lm (plain and 4-bit).
func reference(t *testing.T) (root string, cases []string) {
	t.Helper()
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	pyref.Run(t, filepath.Join(root, "parity", "py", "model_reference.py"), "llama",
		filepath.Join("testdata", "llama_tp.json"), out)
	// model_reference.py writes <out>/<case>/<variant>; the cases ask for
	// the f32 and q4 (quantized from f32) checkpoints only.
	dirs, err := filepath.Glob(filepath.Join(out, "*", "*", "reference.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		cases = append(cases, filepath.Dir(d))
	}
	sort.Strings(cases)
	if len(cases) != 4 {
		t.Fatalf("reference cases: %v", cases)
	}
	return root, cases
}

// TestShardedLlamaRing splits tiny llama models across two processes with
// MLX's ring backend on loopback, the way llama.py's shard() does, and
// checks that the sharded forward pass (full sequence, and the prefill and 16 greedy steps
// through the KV cache) gives the unsharded model's logits, on both ranks,
// and bit for bit mlx-lm's own sharded run (Model.shard under the same ring).
func TestShardedLlamaRing(t *testing.T) {
	if _, _, ok := distributedtest.Worker(workerTest); ok {
		t.Skip("inside a launched rank")
	}
	root, cases := reference(t)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	goOut, pyOut := t.TempDir(), t.TempDir()
	start := time.Now()
	ranks, err := distributedtest.Launch(ctx, 2, workerTest, goOut, "HF2GO_TP_CASES="+strings.Join(cases, string(os.PathListSeparator)))
	if err != nil || testing.Verbose() {
		distributedtest.Report(t, ranks)
	}
	if err != nil {
		t.Fatal(err)
	}
	goTime := time.Since(start)
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	script := filepath.Join(root, "runtime", "mlx", "nn", "distributed", "testdata", "sharded_reference.py")
	pranks, err := distributedtest.LaunchCommand(ctx, 2, append([]string{py, script}, cases...), pyOut)
	if err != nil {
		distributedtest.Report(t, pranks)
		t.Fatalf("mlx-lm's sharded run: %v", err)
	}
	t.Logf("2 Go ranks ran in %.1fs, 2 mlx-lm ranks in %.1fs", goTime.Seconds(), time.Since(start).Seconds())

	for _, dir := range cases {
		name := caseName(dir)
		t.Run(name, func(t *testing.T) {
			scope := mlx.NewScope()
			defer scope.Close()
			ref := load(t, filepath.Join(dir, "reference.safetensors"))
			pyr := load(t, filepath.Join(pyOut, name+".py.rank0.safetensors"))
			for r := range 2 {
				got := load(t, filepath.Join(goOut, fmt.Sprintf("%s.go.rank%d.safetensors", name, r)))
				for _, k := range []string{"logits", "decode_logits"} {
					if d := maxAbsDiff(t, got[k], ref[k]); d > ShardTolerance {
						t.Errorf("rank %d: sharded %s differ from the unsharded model's: max |Δ| = %.3g > %.0e", r, k, d, ShardTolerance)
					} else {
						t.Logf("rank %d: %s vs unsharded max |Δ| = %.3g", r, k, d)
					}
					if d := maxAbsDiff(t, got[k], pyr[k]); d != 0 {
						t.Errorf("rank %d: sharded %s differ from mlx-lm's sharded run: max |Δ| = %.3g (want 0: same ops on the same libmlx)", r, k, d)
					}
				}
				g, _ := mlx.ToSlice[int32](got["decode_tokens"])
				w, _ := mlx.ToSlice[int32](ref["decode_tokens"])
				if fmt.Sprint(g) != fmt.Sprint(w) {
					t.Errorf("rank %d: greedy tokens of the sharded model %v, unsharded %v", r, g, w)
				}
			}
		})
	}
}

// TestShardedLlamaRingWorker is one rank of TestShardedLlamaRing.
func TestShardedLlamaRingWorker(t *testing.T) {
	rank, out, ok := distributedtest.Worker(workerTest)
	if !ok {
		t.Skip("run by TestShardedLlamaRing as a launched rank")
	}
	group, err := mlx.DistributedInit(true, "ring")
	if err != nil {
		t.Fatal(err)
	}
	if group.Rank() != rank || group.Size() != 2 {
		t.Fatalf("ring group: rank %d of %d, want %d of 2", group.Rank(), group.Size(), rank)
	}
	for _, dir := range filepath.SplitList(os.Getenv("HF2GO_TP_CASES")) {
		scope := mlx.NewScope()
		model, err := modelparity.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := model.Module().(*llama.Model)
		if !ok {
			t.Fatalf("%s: module is %T", dir, model.Module())
		}
		q0 := nn.Parameters(m.Model.Layers[0].SelfAttn.QProj)["weight"].Dim(0)
		o0 := nn.Parameters(m.Model.Layers[0].SelfAttn.OProj)["weight"].Dim(1)
		// The translated llama.py Model.shard, through the registry.
		sh, ok := model.(arch.Sharder)
		if !ok {
			t.Fatalf("%s: the generated llama has no Shard", dir)
		}
		if err := sh.Shard(group); err != nil {
			t.Fatalf("%s: shard: %v", dir, err)
		}
		// Each rank holds half of q_proj's rows and o_proj's columns.
		a := m.Model.Layers[0].SelfAttn
		switch a.QProj.(type) {
		case *distributed.AllToShardedLinear, *distributed.QuantizedAllToShardedLinear:
		default:
			t.Fatalf("%s: q_proj is a %T after shard", dir, a.QProj)
		}
		if q := nn.Parameters(a.QProj)["weight"].Dim(0); q*2 != q0 {
			t.Fatalf("%s: q_proj weight rows %d after shard, %d before", dir, q, q0)
		}
		if o := nn.Parameters(a.OProj)["weight"].Dim(1); o*2 != o0 {
			t.Fatalf("%s: o_proj weight columns %d after shard, %d before", dir, o, o0)
		}
		ref, err := mlx.LoadSafetensors(filepath.Join(dir, "reference.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		tokens := ref.Arrays["tokens"]
		logits, err := model.Forward(tokens, nil)
		if err != nil {
			t.Fatalf("%s: forward: %v", dir, err)
		}
		gen, steps, err := modelparity.Decode(model, tokens, modelparity.Steps)
		if err != nil {
			t.Fatalf("%s: greedy: %v", dir, err)
		}
		res := map[string]*mlx.Array{
			"logits":        logits.Astype(mlx.Float32),
			"decode_tokens": mlx.FromSlice(gen, len(gen)),
			"decode_logits": steps,
		}
		path := filepath.Join(out, fmt.Sprintf("%s.go.rank%d.safetensors", caseName(dir), rank))
		if err := mlx.SaveSafetensors(path, res, nil); err != nil {
			t.Fatal(err)
		}
		scope.Close()
	}
}

func load(t *testing.T, path string) map[string]*mlx.Array {
	t.Helper()
	st, err := mlx.LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Arrays
}

func maxAbsDiff(t *testing.T, a, b *mlx.Array) float64 {
	t.Helper()
	if fmt.Sprint(a.Shape()) != fmt.Sprint(b.Shape()) {
		t.Fatalf("shapes %v and %v", a.Shape(), b.Shape())
	}
	v, err := mlx.Max(mlx.Abs(mlx.Subtract(a, b)), false).Item()
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}
