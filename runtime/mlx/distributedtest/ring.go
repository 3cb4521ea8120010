// Package distributedtest runs a test binary as the ranks of an MLX ring
// group on loopback, for tests of mx.distributed and of tensor-parallel
// models: the parent test calls Launch, which starts the test binary once per
// rank with the ring backend's environment (MLX_RANK, MLX_HOSTFILE), running
// one named worker test; the worker test calls Worker to learn its rank and
// where to write its results, and skips when it is not a launched rank.
//
// The hostfile is the one mlx.launch writes for the ring backend: a JSON list
// with one list of "ip:port" addresses per rank, e.g.
// [["127.0.0.1:5000"], ["127.0.0.1:5001"]]; each rank listens on its own
// address and connects to its neighbours'. Ports are picked free by the
// kernel just before the launch.
package distributedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Environment of a launched rank, besides MLX's own variables.
const (
	envWorker = "HF2GO_DIST_WORKER" // the worker test's name, set only in launched ranks
	envOut    = "HF2GO_DIST_OUT"    // the directory a rank writes its results to
)

// Rank is what a launched rank left behind.
type Rank struct {
	Rank   int
	Output []byte // stdout and stderr together
	Err    error  // nil when the rank's test passed
}

// Worker reports whether this process is a launched rank running the worker
// test name, and if so its rank and output directory. A worker test that is
// not launched should skip.
func Worker(name string) (rank int, outDir string, ok bool) {
	if os.Getenv(envWorker) != name {
		return 0, "", false
	}
	r, err := strconv.Atoi(os.Getenv("MLX_RANK"))
	if err != nil {
		return 0, "", false
	}
	return r, os.Getenv(envOut), true
}

// FreePorts returns n TCP ports on 127.0.0.1 that were free a moment ago.
func FreePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// Launch runs the current test binary as n ranks of a ring group on loopback,
// each running only the test named worker (a top-level test), with outDir as
// its output directory (the hostfile is written there too). It waits for all of them, at most until ctx is done;
// when one rank fails the others are killed at once (a ring with a missing
// member would only block). It returns each rank's outcome, and an error
// naming the first rank that failed.
func Launch(ctx context.Context, n int, worker, outDir string, extraEnv ...string) ([]Rank, error) {
	argv := []string{os.Args[0], "-test.run=^" + worker + "$", "-test.count=1", "-test.v"}
	return LaunchCommand(ctx, n, argv, outDir, append([]string{envWorker + "=" + worker}, extraEnv...)...)
}

// LaunchCommand is Launch for any program (a Python script under mlx, for
// instance): argv runs once per rank with MLX_RANK, MLX_HOSTFILE and
// HF2GO_DIST_OUT=outDir added to the environment.
//
// The ports are free when picked but not held, so another process may take
// one before a rank binds it; a launch whose ranks fail with MLX's
// "Couldn't bind socket" is retried, twice at most, with new ports.
func LaunchCommand(ctx context.Context, n int, argv []string, outDir string, extraEnv ...string) ([]Rank, error) {
	for attempt := 0; ; attempt++ {
		ranks, err := launchOnce(ctx, n, argv, outDir, extraEnv)
		if err == nil || attempt == 2 || ctx.Err() != nil || !bindFailed(ranks) {
			return ranks, err
		}
	}
}

func bindFailed(ranks []Rank) bool {
	for _, r := range ranks {
		if bytes.Contains(r.Output, []byte("Couldn't bind socket")) {
			return true
		}
	}
	return false
}

func launchOnce(ctx context.Context, n int, argv []string, outDir string, extraEnv []string) ([]Rank, error) {
	ports, err := FreePorts(n)
	if err != nil {
		return nil, fmt.Errorf("picking ports: %w", err)
	}
	hosts := make([][]string, n)
	for i, p := range ports {
		hosts[i] = []string{fmt.Sprintf("127.0.0.1:%d", p)}
	}
	hb, err := json.Marshal(hosts)
	if err != nil {
		return nil, err
	}
	hostfile := filepath.Join(outDir, "hostfile.json")
	if err := os.WriteFile(hostfile, hb, 0o644); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ranks := make([]Rank, n)
	outs := make([]*bytes.Buffer, n)
	cmds := make([]*exec.Cmd, n)
	for r := range n {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(),
			"MLX_RANK="+strconv.Itoa(r),
			"MLX_HOSTFILE="+hostfile,
			envOut+"="+outDir,
		)
		cmd.Env = append(cmd.Env, extraEnv...)
		outs[r] = &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = outs[r], outs[r]
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGKILL) }
		cmd.WaitDelay = 5 * time.Second
		cmds[r] = cmd
	}
	for r, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			cancel()
			for _, c := range cmds[:r] {
				c.Wait()
			}
			return nil, fmt.Errorf("starting rank %d: %w", r, err)
		}
	}
	var wg sync.WaitGroup
	for r, cmd := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := cmd.Wait()
			if err != nil {
				cancel() // a ring with a dead member only blocks: stop the rest
			}
			ranks[r] = Rank{Rank: r, Err: err}
		}()
	}
	wg.Wait()
	var first error
	for r := range ranks {
		ranks[r].Output = outs[r].Bytes()
		if ranks[r].Err != nil && first == nil {
			first = fmt.Errorf("rank %d: %w", r, ranks[r].Err)
		}
	}
	if first != nil && ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		first = fmt.Errorf("%w (deadline exceeded)", first)
	}
	return ranks, first
}

// Report logs every rank's output on t (on failure, or with -v).
func Report(t testing.TB, ranks []Rank) {
	t.Helper()
	for _, r := range ranks {
		status := "ok"
		if r.Err != nil {
			status = r.Err.Error()
		}
		t.Logf("---- rank %d (%s) ----\n%s", r.Rank, status, r.Output)
	}
}
