package launch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hf2go/hf2go/lm/launch"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// The test binary is its own rank program: with HF2GO_LAUNCH_ROLE set, TestMain
// runs the role instead of the tests.
func TestMain(m *testing.M) {
	if role := os.Getenv("HF2GO_LAUNCH_ROLE"); role != "" {
		os.Exit(rankMain(role))
	}
	os.Exit(m.Run())
}

func rankMain(role string) int {
	rank := os.Getenv("MLX_RANK")
	switch role {
	case "env":
		// One line per variable, each written whole, so the launcher's line
		// forwarding is what keeps ranks from interleaving.
		for _, k := range []string{"MLX_RANK", "MLX_WORLD_SIZE", "MLX_HOSTFILE", "NCCL_HOST_IP", "NCCL_PORT", "CUDA_VISIBLE_DEVICES", "NCCL_NVLS_ENABLE", "EXTRA"} {
			fmt.Printf("rank=%s %s=%s\n", rank, k, os.Getenv(k))
		}
		if hf := os.Getenv("MLX_HOSTFILE"); hf != "" {
			b, err := os.ReadFile(hf)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			fmt.Printf("rank=%s hostfile=%s\n", rank, b)
		}
		return 0
	case "fail-rank-1":
		if rank == "1" {
			fmt.Fprintln(os.Stderr, "rank 1 gives up")
			return 3
		}
		time.Sleep(time.Minute) // a rank blocked in a collective that will never complete
		return 0
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	case "all_sum":
		// A real MLX ring group over the launcher's environment.
		g, err := mlx.DistributedInit(true, "ring")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		x := mlx.AllSum(mlx.Scalar(float64(g.Rank()+1), mlx.Float32), g)
		v, err := mlx.ToSlice[float32](x)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("rank %d of %d: all_sum = %v\n", g.Rank(), g.Size(), v[0])
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown role", role)
	return 2
}

func self(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// run launches this test binary in a role and returns stdout, stderr and the error.
func run(t *testing.T, ctx context.Context, opts launch.Options, role string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	opts.Stdout, opts.Stderr = &out, &errb
	opts.Env = append(opts.Env, "HF2GO_LAUNCH_ROLE="+role)
	err := launch.Run(ctx, opts, []string{self(t)})
	return out.String(), errb.String(), err
}

func linesOf(out, prefix string) map[string]string {
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			k, v, _ := strings.Cut(rest, "=")
			got[k] = v
		}
	}
	return got
}

// TestRingEnvironment checks what each rank of a ring launch sees: its rank,
// the hostfile mlx.launch would write (one "ip:port" list per rank), and the
// caller's --env, with every output line whole.
func TestRingEnvironment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, stderr, err := run(t, ctx, launch.Options{N: 3, Backend: launch.Ring, StartingPort: 40100, Env: []string{"EXTRA=x"}}, "env")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for r := range 3 {
		got := linesOf(out, fmt.Sprintf("rank=%d ", r))
		if got["MLX_RANK"] != fmt.Sprint(r) || got["EXTRA"] != "x" || got["MLX_WORLD_SIZE"] != "" || got["CUDA_VISIBLE_DEVICES"] != "" {
			t.Errorf("rank %d environment: %v", r, got)
		}
		var hosts [][]string
		if err := json.Unmarshal([]byte(got["hostfile"]), &hosts); err != nil {
			t.Fatalf("rank %d hostfile %q: %v", r, got["hostfile"], err)
		}
		want := [][]string{{"127.0.0.1:40100"}, {"127.0.0.1:40101"}, {"127.0.0.1:40102"}}
		if fmt.Sprint(hosts) != fmt.Sprint(want) {
			t.Errorf("rank %d hostfile %v, want %v", r, hosts, want)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, "rank=") || strings.Count(l, "rank=") != 1 {
			t.Errorf("interleaved or foreign line %q", l)
		}
	}
	if n := strings.Count(out, "\n"); n != 3*9 {
		t.Errorf("%d lines of output, want %d", n, 3*9)
	}
}

// TestNCCLEnvironment checks the variables MLX's NCCL backend reads, as
// mlx.launch sets them for one host: the world size, rank 0's address and
// port, one GPU per rank, and NVLink multicast off unless the caller set it.
func TestNCCLEnvironment(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Setenv("NCCL_NVLS_ENABLE", "")
	out, stderr, err := run(t, ctx, launch.Options{N: 2, Backend: launch.NCCL}, "env")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for r := range 2 {
		got := linesOf(out, fmt.Sprintf("rank=%d ", r))
		want := map[string]string{"MLX_RANK": fmt.Sprint(r), "MLX_WORLD_SIZE": "2", "MLX_HOSTFILE": "", "NCCL_HOST_IP": "127.0.0.1",
			"NCCL_PORT": fmt.Sprint(launch.DefaultNCCLPort), "CUDA_VISIBLE_DEVICES": fmt.Sprint(r), "NCCL_NVLS_ENABLE": "0", "EXTRA": ""}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("rank %d: %s=%q, want %q", r, k, got[k], v)
			}
		}
	}
}

// TestFailingRankStopsTheOthers: when one rank exits non-zero, the others
// (blocked, as in a collective with a dead member) are stopped at once and
// the error names the rank that failed.
func TestFailingRankStopsTheOthers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, stderr, err := run(t, ctx, launch.Options{N: 3, Backend: launch.Ring, Grace: 500 * time.Millisecond}, "fail-rank-1")
	var re *launch.RankError
	if !errors.As(err, &re) || re.Rank != 1 {
		t.Fatalf("error %v, want a RankError for rank 1", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("the launch took %v after rank 1 failed: the other ranks were not stopped", el)
	}
	if !strings.Contains(stderr, "rank 1 gives up") {
		t.Errorf("rank 1's stderr not forwarded: %q", stderr)
	}
}

// TestCancelStopsEveryRank: cancelling the context (Ctrl-C in mlxlm launch)
// ends every rank within the grace period.
func TestCancelStopsEveryRank(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	start := time.Now()
	_, _, err := run(t, ctx, launch.Options{N: 2, Backend: launch.Ring, Grace: 500 * time.Millisecond}, "sleep")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("ranks outlived the cancel by %v", el)
	}
}

func TestBadOptions(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		opts launch.Options
		argv []string
		want string
	}{
		{launch.Options{N: 0, Backend: launch.Ring}, []string{"true"}, "-n must be at least 1"},
		{launch.Options{N: 2, Backend: "mpi"}, []string{"true"}, `backend "mpi"`},
		{launch.Options{N: 2, Backend: launch.Ring, Env: []string{"NOEQUALS"}}, []string{"true"}, "not KEY=VALUE"},
		{launch.Options{N: 2, Backend: launch.Ring}, nil, "no command"},
		{launch.Options{N: 2, Backend: launch.Ring}, []string{"/nonexistent/program"}, "rank 0: starting /nonexistent/program"},
	} {
		err := launch.Run(ctx, c.opts, c.argv)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %v: error %v, want one containing %q", c.opts, c.argv, err, c.want)
		}
	}
}

// TestRingAllSum launches real MLX ranks: two processes form a ring group on
// loopback from the launcher's environment and all_sum 1 + 2.
func TestRingAllSum(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out string
	var err error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken before a rank binds it
		var stderr string
		out, stderr, err = run(t, ctx, launch.Options{N: 2, Backend: launch.Ring}, "all_sum")
		if err == nil || !strings.Contains(stderr, "bind") {
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	sort.Strings(lines)
	want := []string{"rank 0 of 2: all_sum = 3", "rank 1 of 2: all_sum = 3"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("ranks printed %q, want %q", lines, want)
	}
}
