package mlx

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hf2go/hf2go/runtime/mlx/distributedtest"
)

func TestDistributedSingleton(t *testing.T) {
	if _, _, ok := distributedtest.Worker("TestDistributedRingWorker"); ok {
		t.Skip("inside a launched rank")
	}
	if !DistributedIsAvailable("ring") {
		t.Fatal("libmlx has no ring backend")
	}
	// Without MLX_RANK/MLX_HOSTFILE the ring cannot start: strict init is an
	// error (not an abort), non-strict init the singleton group.
	t.Setenv("MLX_RANK", "")
	t.Setenv("MLX_HOSTFILE", "")
	os.Unsetenv("MLX_RANK")
	os.Unsetenv("MLX_HOSTFILE")
	if _, err := DistributedInit(true, "ring"); err == nil || !strings.Contains(err.Error(), "MLX_RANK") {
		t.Fatalf("strict ring init without environment: err = %v, want one naming MLX_RANK", err)
	}
	if _, err := DistributedInit(true, "no-such-backend"); err == nil {
		t.Fatal("strict init of an unknown backend succeeded")
	}
	g, err := DistributedInit(false, "ring")
	if err != nil {
		t.Fatal(err)
	}
	if g.Rank() != 0 || g.Size() != 1 {
		t.Fatalf("singleton group: rank %d size %d", g.Rank(), g.Size())
	}
	x := FromSlice([]float32{1, 2, 3}, 3)
	for name, y := range map[string]*Array{"all_sum": AllSum(x, g), "all_gather": AllGather(x, g),
		"all_max": AllMax(x, g), "all_min": AllMin(x, g)} {
		got, err := ToSlice[float32](y)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fmt.Sprint(got) != "[1 2 3]" {
			t.Errorf("%s on the singleton group = %v, want [1 2 3]", name, got)
		}
	}
	// Errors are sticky, not aborts.
	if err := AllSum(Errorf("x", "boom"), g).Err(); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("AllSum of an error array: %v", err)
	}
	if err := Eval(Send(x, 1, g)); err == nil {
		t.Error("send to rank 1 of a singleton group succeeded")
	} else {
		t.Logf("send on a singleton group: %v", err)
	}
	if _, err := (*Group)(nil).Split(0, -1); err == nil {
		t.Error("Split of a nil group succeeded")
	}
}

// TestDistributedRing runs TestDistributedRingWorker as two processes that
// form a ring group on loopback and exercise every op.
func TestDistributedRing(t *testing.T) {
	if _, _, ok := distributedtest.Worker("TestDistributedRingWorker"); ok {
		t.Skip("inside a launched rank")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	ranks, err := distributedtest.Launch(ctx, 2, "TestDistributedRingWorker", t.TempDir())
	if err != nil || testing.Verbose() {
		distributedtest.Report(t, ranks)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ranks {
		if !strings.Contains(string(r.Output), "--- PASS: TestDistributedRingWorker") {
			t.Fatalf("rank %d did not run the worker test:\n%s", r.Rank, r.Output)
		}
	}
	t.Logf("2 ranks ran in %.1fs", time.Since(start).Seconds())
}

func TestDistributedRingWorker(t *testing.T) {
	rank, _, ok := distributedtest.Worker("TestDistributedRingWorker")
	if !ok {
		t.Skip("run by TestDistributedRing as a launched rank")
	}
	g, err := DistributedInit(true, "ring")
	if err != nil {
		t.Fatal(err)
	}
	if g.Rank() != rank || g.Size() != 2 {
		t.Fatalf("group: rank %d size %d, want rank %d size 2", g.Rank(), g.Size(), rank)
	}
	// The global group (nil) is the one init made.
	r := float32(rank)
	x := FromSlice([]float32{1 + r, 10 * (1 + r)}, 1, 2)
	check := func(name string, a *Array, want string) {
		t.Helper()
		if err := Eval(a); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := ToSlice[float32](a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s := fmt.Sprint(a.Shape(), got); s != want {
			t.Errorf("%s = %s, want %s", name, s, want)
		}
	}
	check("all_sum", AllSum(x, g), "[1 2] [3 30]")
	check("all_sum (global group)", AllSum(x, nil), "[1 2] [3 30]")
	check("all_gather", AllGather(x, g), "[2 2] [1 10 2 20]")
	check("all_max", AllMax(x, g), "[1 2] [2 20]")
	check("all_min", AllMin(x, g), "[1 2] [1 10]")
	// MLX's ring backend has no sum_scatter (mlx 0.32.4): an error, not an abort.
	if err := Eval(SumScatter(FromSlice([]float32{1 + r, 2 + r}, 2), g)); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("sum_scatter on the ring: err = %v, want MLX's \"not supported\"", err)
	}
	// Point to point: rank 0 sends, rank 1 receives (twice, by shape and like).
	if rank == 0 {
		if err := Eval(Send(FromSlice([]float32{7, 8, 9}, 3), 1, g)); err != nil {
			t.Fatalf("send: %v", err)
		}
		if err := Eval(Send(FromSlice([]int32{4, 5}, 2), 1, g)); err != nil {
			t.Fatalf("send: %v", err)
		}
	} else {
		check("recv", Recv([]int{3}, Float32, 0, g), "[3] [7 8 9]")
		y := RecvLike(Zeros(Int32, 2), 0, g)
		if err := Eval(y); err != nil {
			t.Fatalf("recv_like: %v", err)
		}
		if got, _ := ToSlice[int32](y); fmt.Sprint(got) != "[4 5]" {
			t.Errorf("recv_like = %v, want [4 5]", got)
		}
	}
	// A bad peer is an error, not an abort.
	if err := Eval(Send(x, 5, g)); err == nil {
		t.Error("send to rank 5 of a group of 2 succeeded")
	} else {
		t.Logf("send to rank 5: %v", err)
	}
	// MLX's ring backend cannot split groups (mlx 0.32.4): an error, not an abort.
	if _, err := g.Split(rank, -1); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("split on the ring: err = %v, want MLX's \"not supported\"", err)
	}
}
