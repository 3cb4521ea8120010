package py_test

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

	_ "github.com/hf2go/hf2go/generated/models/deepseek_v3"
	_ "github.com/hf2go/hf2go/generated/models/glm4_moe_lite"
	_ "github.com/hf2go/hf2go/generated/models/glm_moe_dsa"
	_ "github.com/hf2go/hf2go/generated/models/gpt_oss"
	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/parity/modelparity"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/distributedtest"
)

// The architectures whose translated shard() this test runs: the ones whose
// shard() needs more than shard_linear / shard_inplace (deepseek_v3 and
// glm4_moe_lite slice MLA heads with Module.apply in a closure; gpt_oss
// slices attention sinks and divides a SwitchLinear's bias; glm_moe_dsa runs
// deepseek_v32's shard(), whose group parameter the `or` default types).
// llama's plain
// shard() is runtime/mlx/nn/distributed's ring test.
var shardArchs = []string{"deepseek_v3", "glm4_moe_lite", "gpt_oss", "glm_moe_dsa"}

// unshardedTolerance bounds |sharded − unsharded| logits in float32:
// sharding splits sums over features in two halves that all_sum adds, so
// the results differ by rounding. The comparison that must be exact is with
// mlx-lm's own sharded run.
const unshardedTolerance = 1e-4

const shardWorker = "TestShardRingWorker"

// caseName names a reference checkpoint <out>/<arch>/<case>/<variant> as
// "<case>-<variant>", as sharded_reference.py names its outputs.
func caseName(dir string) string {
	return filepath.Base(filepath.Dir(dir)) + "-" + filepath.Base(dir)
}

// TestShardRing splits tiny models of each architecture (plain and 4-bit)
// across two processes with MLX's ring backend on loopback through the
// generated Model.Shard (arch.Sharder), and checks on both ranks that
// full-sequence logits and the prefill + 16 greedy decode steps through the KV cache equal
// mlx-lm's own sharded run (Model.shard under the same ring) bit for bit,
// and the unsharded model's within rounding.
func TestShardRing(t *testing.T) {
	if _, _, ok := distributedtest.Worker(shardWorker); ok {
		t.Skip("inside a launched rank")
	}
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	refs := t.TempDir()
	var cases []string
	for _, a := range shardArchs {
		out := filepath.Join(refs, a)
		pyref.Run(t, filepath.Join(root, "parity", "py", "model_reference.py"), a,
			filepath.Join("testdata", "shard", a+".json"), out)
		// model_reference.py writes <out>/<case>/<variant>; the cases ask
		// for f32 and q4 (quantized from f32).
		refs, err := filepath.Glob(filepath.Join(out, "*", "*", "reference.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			cases = append(cases, filepath.Dir(r))
		}
	}
	if len(cases) != 10 {
		t.Fatalf("reference cases: %v", cases)
	}
	sort.Strings(cases)

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	goOut, pyOut := t.TempDir(), t.TempDir()
	start := time.Now()
	ranks, err := distributedtest.Launch(ctx, 2, shardWorker, goOut, "HF2GO_TP_CASES="+strings.Join(cases, string(os.PathListSeparator)))
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
	t.Logf("%d cases: 2 Go ranks ran in %.1fs, 2 mlx-lm ranks in %.1fs", len(cases), goTime.Seconds(), time.Since(start).Seconds())

	for _, dir := range cases {
		name := caseName(dir)
		t.Run(filepath.Base(filepath.Dir(filepath.Dir(dir)))+"/"+name, func(t *testing.T) {
			scope := mlx.NewScope()
			defer scope.Close()
			ref := loadArrays(t, filepath.Join(dir, "reference.safetensors"))
			for r := range 2 {
				pyr := loadArrays(t, filepath.Join(pyOut, fmt.Sprintf("%s.py.rank%d.safetensors", name, r)))
				got := loadArrays(t, filepath.Join(goOut, fmt.Sprintf("%s.go.rank%d.safetensors", name, r)))
				for _, k := range []string{"logits", "decode_logits"} {
					if d := maxAbsDiff(t, got[k], pyr[k]); d != 0 {
						t.Errorf("rank %d: sharded %s differ from mlx-lm's sharded run: max |Δ| = %.3g (want 0: same ops on the same libmlx)", r, k, d)
					}
					if d := maxAbsDiff(t, got[k], ref[k]); d > unshardedTolerance {
						t.Errorf("rank %d: sharded %s differ from the unsharded model's: max |Δ| = %.3g > %.0e", r, k, d, unshardedTolerance)
					} else {
						t.Logf("rank %d: %s = mlx-lm's sharded run (max |Δ| = 0); vs unsharded max |Δ| = %.3g", r, k, d)
					}
				}
				g, _ := mlx.ToSlice[int32](got["decode_tokens"])
				w, _ := mlx.ToSlice[int32](pyr["decode_tokens"])
				if fmt.Sprint(g) != fmt.Sprint(w) {
					t.Errorf("rank %d: greedy tokens of the sharded model %v, mlx-lm's sharded run %v", r, g, w)
				}
			}
		})
	}
}

// TestShardRingWorker is one rank of TestShardRing.
func TestShardRingWorker(t *testing.T) {
	rank, out, ok := distributedtest.Worker(shardWorker)
	if !ok {
		t.Skip("run by TestShardRing as a launched rank")
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
		sh, ok := model.(arch.Sharder)
		if !ok {
			t.Fatalf("%s: the generated model has no Shard", dir)
		}
		if err := sh.Shard(group); err != nil {
			t.Fatalf("%s: shard: %v", dir, err)
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
			t.Fatalf("%s: decode: %v", dir, err)
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

func loadArrays(t *testing.T, path string) map[string]*mlx.Array {
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
