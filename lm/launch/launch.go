// Package launch starts a program as the ranks of an MLX distributed group on
// this machine, as `mlx.launch` does for Python: one process per rank with the
// environment MLX's backends read (ring: MLX_RANK and MLX_HOSTFILE; nccl:
// MLX_RANK, MLX_WORLD_SIZE, NCCL_HOST_IP, NCCL_PORT and one GPU per rank
// through CUDA_VISIBLE_DEVICES).
//
// Only local ranks are launched (mlx.launch's --hosts 127.0.0.1 -n N, its
// default): starting ranks on other hosts over ssh is not implemented. A rank
// that fails stops the others, since a group with a dead member only blocks in
// its next collective; cancelling the context stops every rank.
package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Backends the launcher knows, as mlx.launch names them.
const (
	Ring = "ring"
	NCCL = "nccl"
)

// Defaults of mlx.launch's flags.
const (
	DefaultStartingPort = 32323 // --starting-port: the ring's first rank listens here, the next on +1, …
	DefaultNCCLPort     = 12345 // --nccl-port: rank 0's rendezvous port
)

// Options says how to launch.
type Options struct {
	// N is the number of ranks (mlx.launch's -n with one host), at least 1.
	N int
	// Backend is Ring or NCCL.
	Backend string
	// StartingPort is the ring's first port; 0 picks free ports (what tests want).
	StartingPort int
	// NCCLPort is rank 0's NCCL rendezvous port; 0 means DefaultNCCLPort.
	NCCLPort int
	// Env is added to every rank's environment ("KEY=VALUE", mlx.launch's --env).
	Env []string
	// Stdout and Stderr receive the ranks' output, whole lines at a time so that
	// two ranks never interleave inside a line. Nil discards.
	Stdout, Stderr io.Writer
	// Grace is how long a rank may take to exit after SIGTERM before SIGKILL
	// when the launch is stopped; 0 means 3 s.
	Grace time.Duration
}

// RankError says which rank failed and how.
type RankError struct {
	Rank int
	Err  error
}

func (e *RankError) Error() string { return fmt.Sprintf("rank %d: %v", e.Rank, e.Err) }
func (e *RankError) Unwrap() error { return e.Err }

// Env returns the environment entries MLX reads for one rank of a launch
// (without the parent's environment), for ranks started some other way.
// hostfile is the ring's hostfile path (ignored for NCCL).
func Env(backend string, rank, n int, hostfile string, ncclPort int) ([]string, error) {
	switch backend {
	case Ring:
		return []string{"MLX_RANK=" + strconv.Itoa(rank), "MLX_HOSTFILE=" + hostfile}, nil
	case NCCL:
		if ncclPort == 0 {
			ncclPort = DefaultNCCLPort
		}
		return []string{
			"MLX_RANK=" + strconv.Itoa(rank),
			"MLX_WORLD_SIZE=" + strconv.Itoa(n),
			"NCCL_HOST_IP=127.0.0.1",
			"NCCL_PORT=" + strconv.Itoa(ncclPort),
			"CUDA_VISIBLE_DEVICES=" + strconv.Itoa(rank),
		}, nil
	}
	return nil, fmt.Errorf("launch: backend %q is not one of %s, %s", backend, Ring, NCCL)
}

// RingHostfile is the hostfile mlx.launch writes for the ring backend with one
// host and n ranks: one "ip:port" list per rank, ports consecutive from start.
func RingHostfile(n, start int) ([]byte, error) {
	hosts := make([][]string, n)
	for r := range n {
		hosts[r] = []string{"127.0.0.1:" + strconv.Itoa(start+r)}
	}
	return json.Marshal(hosts)
}

// Run starts argv once per rank and waits for all of them. It returns nil when
// every rank exits 0, else a *RankError for the first rank that failed (the
// others were stopped because of it, or failed too).
func Run(ctx context.Context, opts Options, argv []string) error {
	if len(argv) == 0 {
		return errors.New("launch: no command to run")
	}
	if opts.N < 1 {
		return fmt.Errorf("launch: -n must be at least 1, got %d", opts.N)
	}
	for _, e := range opts.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return fmt.Errorf("launch: --env %q is not KEY=VALUE", e)
		}
	}
	if _, err := Env(opts.Backend, 0, opts.N, "", 0); err != nil {
		return err
	}
	grace := opts.Grace
	if grace == 0 {
		grace = 3 * time.Second
	}

	var hostfile string
	if opts.Backend == Ring {
		dir, err := os.MkdirTemp("", "mlxlm-launch-")
		if err != nil {
			return fmt.Errorf("launch: %w", err)
		}
		defer os.RemoveAll(dir)
		start := opts.StartingPort
		var hb []byte
		if start == 0 {
			hb, err = freeHostfile(opts.N)
		} else {
			hb, err = RingHostfile(opts.N, start)
		}
		if err != nil {
			return fmt.Errorf("launch: %w", err)
		}
		hostfile = filepath.Join(dir, "hostfile.json")
		if err := os.WriteFile(hostfile, hb, 0o600); err != nil {
			return fmt.Errorf("launch: %w", err)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stdout := &lineWriter{w: opts.Stdout}
	stderr := &lineWriter{w: opts.Stderr}
	cmds := make([]*exec.Cmd, opts.N)
	for r := range opts.N {
		env, _ := Env(opts.Backend, r, opts.N, hostfile, opts.NCCLPort)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), env...)
		if opts.Backend == NCCL && os.Getenv("NCCL_NVLS_ENABLE") == "" {
			// NVLink multicast can take a shared host's GPUs out of service; MLX needs none of it.
			cmd.Env = append(cmd.Env, "NCCL_NVLS_ENABLE=0")
		}
		cmd.Env = append(cmd.Env, opts.Env...)
		cmd.Stdout, cmd.Stderr = stdout.rank(), stderr.rank()
		cmds[r] = cmd
	}

	errs := make([]error, opts.N)
	done := make(chan int, opts.N)
	started := 0
	for r, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			errs[r] = fmt.Errorf("starting %s: %w", argv[0], err)
			break
		}
		started++
		go func() {
			errs[r] = cmd.Wait()
			done <- r
		}()
	}
	stopping := started < opts.N
	if stopping {
		stop(cmds[:started], grace)
	}
	first := -1
	if stopping {
		first = started
	}
	for range started {
		select {
		case r := <-done:
			if errs[r] != nil && !stopping {
				first, stopping = r, true
				stop(cmds, grace)
			}
		case <-ctx.Done():
			if !stopping {
				stopping = true
				stop(cmds, grace)
			}
			r := <-done
			if errs[r] != nil && first < 0 && ctx.Err() == nil {
				first = r
			}
		}
	}
	stdout.flush()
	stderr.flush()
	if first >= 0 {
		return &RankError{Rank: first, Err: errs[first]}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	return nil
}

// stop sends SIGTERM to every running rank and SIGKILL to those still running
// after grace.
func stop(cmds []*exec.Cmd, grace time.Duration) {
	for _, c := range cmds {
		if c.Process != nil {
			_ = c.Process.Signal(syscall.SIGTERM)
		}
	}
	go func() {
		time.Sleep(grace)
		for _, c := range cmds {
			if c.Process != nil {
				_ = c.Process.Kill() // os.ErrProcessDone for a rank that already exited
			}
		}
	}()
}

// freeHostfile is a ring hostfile on ports that were free a moment ago.
func freeHostfile(n int) ([]byte, error) {
	hosts := make([][]string, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for r := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		hosts[r] = []string{l.Addr().String()}
	}
	return json.Marshal(hosts)
}

// lineWriter forwards the output of several ranks to one writer, a whole line
// at a time.
type lineWriter struct {
	mu   sync.Mutex
	w    io.Writer
	bufs []*rankBuf
}

type rankBuf struct {
	lw  *lineWriter
	buf []byte
}

func (lw *lineWriter) rank() io.Writer {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	b := &rankBuf{lw: lw}
	lw.bufs = append(lw.bufs, b)
	return b
}

func (b *rankBuf) Write(p []byte) (int, error) {
	b.lw.mu.Lock()
	defer b.lw.mu.Unlock()
	b.buf = append(b.buf, p...)
	if i := strings.LastIndexByte(string(b.buf), '\n'); i >= 0 {
		if b.lw.w != nil {
			_, _ = b.lw.w.Write(b.buf[:i+1])
		}
		b.buf = append(b.buf[:0], b.buf[i+1:]...)
	}
	return len(p), nil
}

func (lw *lineWriter) flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	for _, b := range lw.bufs {
		if len(b.buf) > 0 && lw.w != nil {
			_, _ = lw.w.Write(b.buf)
		}
		b.buf = nil
	}
}
