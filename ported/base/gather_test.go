package base

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/distributedtest"
)

const gatherWorker = "TestGatherLastAxisRingWorker"

// TestGatherLastAxisRing runs base.gather_last_axis on a two-rank MLX ring on
// loopback, once as mlx-lm 0.32.2 (Python ranks) and once as GatherLastAxis
// (Go ranks fed the Python ranks' inputs): every rank's result must be the
// same bits, and is the concatenation of both ranks' inputs along the last
// axis.
func TestGatherLastAxisRing(t *testing.T) {
	if _, _, ok := distributedtest.Worker(gatherWorker); ok {
		t.Skip("inside a launched rank")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	pyOut, goOut := t.TempDir(), t.TempDir()
	ranks, err := distributedtest.LaunchCommand(ctx, 2, []string{py, filepath.Join("testdata", "gen_gather.py")}, pyOut)
	if err != nil {
		distributedtest.Report(t, ranks)
		t.Fatalf("mlx-lm ranks: %v", err)
	}
	ranks, err = distributedtest.Launch(ctx, 2, gatherWorker, goOut, "HF2GO_GATHER_IN="+pyOut)
	if err != nil {
		distributedtest.Report(t, ranks)
		t.Fatalf("Go ranks: %v", err)
	}
	chk := &paritytest.Checker{T: t}
	var ins [2]*mlx.Tensors
	for r := range 2 {
		ins[r] = paritytest.Load(t, filepath.Join(pyOut, fmt.Sprintf("rank%d.safetensors", r)))
	}
	for r := range 2 {
		got := paritytest.Load(t, filepath.Join(goOut, fmt.Sprintf("rank%d.safetensors", r)))
		for _, name := range []string{"a", "b", "c", "d"} {
			want := paritytest.Get(t, ins[r], name+"/out")
			chk.Close(fmt.Sprintf("rank%d/%s", r, name), paritytest.Get(t, got, name+"/out"), want)
			// What gathering means: both shards, rank order, along the last axis.
			cat := mlx.Concatenate([]*mlx.Array{paritytest.Get(t, ins[0], name+"/x"), paritytest.Get(t, ins[1], name+"/x")}, -1)
			chk.Close(fmt.Sprintf("rank%d/%s/concat", r, name), want, cat)
		}
	}
	chk.Report(16)
}

// TestGatherLastAxisRingWorker is one Go rank of TestGatherLastAxisRing.
func TestGatherLastAxisRingWorker(t *testing.T) {
	rank, out, ok := distributedtest.Worker(gatherWorker)
	if !ok {
		t.Skip("run by TestGatherLastAxisRing as a launched rank")
	}
	group, err := mlx.DistributedInit(true, "ring")
	if err != nil {
		t.Fatal(err)
	}
	in, err := mlx.LoadSafetensors(filepath.Join(os.Getenv("HF2GO_GATHER_IN"), fmt.Sprintf("rank%d.safetensors", rank)))
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]*mlx.Array{}
	for _, name := range []string{"a", "b", "c", "d"} {
		res[name+"/out"] = GatherLastAxis(in.Arrays[name+"/x"], group)
	}
	if err := mlx.SaveSafetensors(filepath.Join(out, fmt.Sprintf("rank%d.safetensors", rank)), res, nil); err != nil {
		t.Fatal(err)
	}
}
