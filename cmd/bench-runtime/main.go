// Command bench-runtime measures what the Go binding adds per MLX op, against
// MLX's own Python binding on the same libmlx, side by side in one run.
//
// Two workloads, each built as a lazy graph and evaluated per repetition:
//
//   - ops: a chain of 10,000 small element-wise ops (add, multiply) on a [16]
//     array, where dispatch is everything;
//   - decode: a 24-layer transformer-shaped decode step at batch 1 (per layer
//     rms_norm, q/k/v/o projections, rope on q and k, attention over a cache
//     of 128 plus the new token, a SiLU-gated MLP, residual adds).
//
// Python runs as one long-lived process (bench_runtime.py) that times its own
// repetitions; Go and Python repetitions alternate, so both see the same
// machine load. It prints the median build time (graph construction only)
// and total time (build + eval + release) per side, and the ratio Go/Python.
// Go's build time covers what the decode loop does before it evaluates:
// build the graph in a Scope, keep the output, close the scope (releasing
// every intermediate handle, as Python's reference counting does while the
// graph is built, so MLX may free or reuse intermediate buffers during eval).
// -json prints {"workloads":[{"name","go_build_ms","py_build_ms",
// "go_total_ms","py_total_ms"}]} instead of the table. It is a measurement,
// not a test.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

var (
	reps       = flag.Int("reps", 15, "timed repetitions per side and workload")
	warm       = flag.Int("warmup", 3, "untimed repetitions per side and workload")
	nOps       = flag.Int("ops", 10000, "ops in the element-wise chain")
	nLayers    = flag.Int("layers", 24, "layers of the decode step")
	hidden     = flag.Int("hidden", 256, "hidden size")
	nHeads     = flag.Int("heads", 4, "attention heads")
	inter      = flag.Int("inter", 512, "MLP intermediate size")
	cacheLen   = flag.Int("cache", 128, "KV cache length")
	only       = flag.String("only", "", "run only this workload (by name, e.g. ops10k or decode24, or ops or decode)")
	goOnly     = flag.Bool("go-only", false, "skip Python (for profiling the Go side)")
	jsonOut    = flag.Bool("json", false, "print the medians as JSON (see the package comment)")
	bind       = flag.Bool("bind", true, "run the Go side bound to its own context (mlx.Bind), as the decode loop does")
	cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the Go repetitions")
)

type layer struct{ n1, n2, wq, wk, wv, wo, wg, wu, wd, kc, vc *mlx.Array }

type bench struct {
	small, c1, c2, x0, nf *mlx.Array
	layers                []layer
	hd                    int
}

func newBench() *bench {
	if err := mlx.Seed(0); err != nil {
		fail(err)
	}
	normal := func(shape ...int) *mlx.Array { return mlx.Normal(shape, mlx.Float32, 0, 1, nil) }
	w := func(shape ...int) *mlx.Array {
		return mlx.Multiply(normal(shape...), mlx.Float(1/math.Sqrt(float64(shape[len(shape)-1]))))
	}
	b := &bench{small: normal(16), c1: normal(16), c2: normal(16), hd: *hidden / *nHeads}
	all := []*mlx.Array{b.small, b.c1, b.c2}
	for range *nLayers {
		l := layer{
			n1: mlx.Ones(mlx.Float32, *hidden), n2: mlx.Ones(mlx.Float32, *hidden),
			wq: w(*hidden, *hidden), wk: w(*hidden, *hidden), wv: w(*hidden, *hidden), wo: w(*hidden, *hidden),
			wg: w(*inter, *hidden), wu: w(*inter, *hidden), wd: w(*hidden, *inter),
			kc: normal(1, *nHeads, *cacheLen, b.hd), vc: normal(1, *nHeads, *cacheLen, b.hd),
		}
		b.layers = append(b.layers, l)
		all = append(all, l.n1, l.n2, l.wq, l.wk, l.wv, l.wo, l.wg, l.wu, l.wd, l.kc, l.vc)
	}
	b.x0 = normal(1, 1, *hidden)
	b.nf = mlx.Ones(mlx.Float32, *hidden)
	all = append(all, b.x0, b.nf)
	if err := mlx.Eval(all...); err != nil {
		fail(err)
	}
	return b
}

func (b *bench) ops() *mlx.Array {
	x := b.small
	for range *nOps / 2 {
		x = mlx.Add(x, b.c1)
		x = mlx.Multiply(x, b.c2)
	}
	return x
}

// opsEager is ops freeing each intermediate handle as soon as the next op
// holds it, as Python's reference counting does when x is rebound: MLX then
// releases each buffer during eval instead of after it.
func (b *bench) opsEager() *mlx.Array {
	x := b.small
	step := func(y *mlx.Array) {
		if x != b.small {
			x.Free()
		}
		x = y
	}
	for range *nOps / 2 {
		step(mlx.Add(x, b.c1))
		step(mlx.Multiply(x, b.c2))
	}
	return x
}

func (b *bench) heads(y *mlx.Array) *mlx.Array {
	return y.Reshape(1, 1, *nHeads, b.hd).Transpose(0, 2, 1, 3)
}

func (b *bench) decode() *mlx.Array {
	x := b.x0
	scale := float32(math.Pow(float64(b.hd), -0.5))
	ro := mlx.RopeOpts{Dims: b.hd, Base: 10000, Scale: 1}
	for _, l := range b.layers {
		h := mlx.RMSNorm(x, l.n1, 1e-5)
		q := mlx.Rope(b.heads(mlx.Matmul(h, l.wq.T())), ro, *cacheLen)
		k := mlx.Rope(b.heads(mlx.Matmul(h, l.wk.T())), ro, *cacheLen)
		v := b.heads(mlx.Matmul(h, l.wv.T()))
		keys := mlx.Concatenate([]*mlx.Array{l.kc, k}, 2)
		vals := mlx.Concatenate([]*mlx.Array{l.vc, v}, 2)
		o := mlx.ScaledDotProductAttention(q, keys, vals, scale, mlx.NoMask, nil)
		o = o.Transpose(0, 2, 1, 3).Reshape(1, 1, *hidden)
		x = mlx.Add(x, mlx.Matmul(o, l.wo.T()))
		h = mlx.RMSNorm(x, l.n2, 1e-5)
		g := mlx.Matmul(h, l.wg.T())
		x = mlx.Add(x, mlx.Matmul(mlx.Multiply(mlx.Multiply(g, mlx.Sigmoid(g)), mlx.Matmul(h, l.wu.T())), l.wd.T()))
	}
	return mlx.RMSNorm(x, b.nf, 1e-5)
}

// runGo times one Go repetition: build under a scope that keeps only the
// output, eval, release.
// It also returns how much of build the scope's Close took (releasing the
// intermediate handles), for the profile in docs/bench.
func runGo(f func() *mlx.Array) (build, total, closing time.Duration) {
	t0 := time.Now()
	s := mlx.NewScope()
	y := f()
	s.Keep(y)
	tc := time.Now()
	s.Close()
	t1 := time.Now()
	if err := mlx.Eval(y); err != nil {
		fail(err)
	}
	y.Free()
	return t1.Sub(t0), time.Since(t0), t1.Sub(tc)
}

type python struct {
	cmd *exec.Cmd
	in  *bufio.Writer
	out *bufio.Scanner
}

func startPython() *python {
	py, err := pyref.Python()
	if err != nil {
		fail(err)
	}
	script := "cmd/bench-runtime/bench_runtime.py"
	if root, err := pyref.RepoRoot(); err == nil {
		script = filepath.Join(root, script)
	}
	args := []string{script, fmt.Sprintf("ops=%d", *nOps), fmt.Sprintf("layers=%d", *nLayers),
		fmt.Sprintf("hidden=%d", *hidden), fmt.Sprintf("heads=%d", *nHeads), fmt.Sprintf("inter=%d", *inter),
		fmt.Sprintf("cache=%d", *cacheLen)}
	if !mlx.OnGPU() {
		args = append(args, "device=cpu")
	}
	cmd := exec.Command(py, args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		fail(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	p := &python{cmd: cmd, in: bufio.NewWriter(stdin), out: bufio.NewScanner(stdout)}
	if !p.out.Scan() || p.out.Text() != "ready" {
		fail(fmt.Errorf("python did not start: %v", p.out.Err()))
	}
	return p
}

func (p *python) run(work string) (build, total time.Duration) {
	fmt.Fprintln(p.in, work)
	p.in.Flush()
	if !p.out.Scan() {
		fail(fmt.Errorf("python stopped: %v", p.out.Err()))
	}
	f := strings.Fields(p.out.Text())
	ms := func(s string) time.Duration {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			fail(fmt.Errorf("python said %q", p.out.Text()))
		}
		return time.Duration(v * float64(time.Millisecond))
	}
	return ms(f[0]), ms(f[1])
}

func (p *python) close() {
	fmt.Fprintln(p.in, "quit")
	p.in.Flush()
	p.cmd.Wait()
}

func median(d []time.Duration) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return float64(m) / float64(time.Millisecond)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-runtime:", err)
	os.Exit(1)
}

type result struct {
	Name      string  `json:"name"`
	GoBuildMs float64 `json:"go_build_ms"`
	PyBuildMs float64 `json:"py_build_ms"`
	GoTotalMs float64 `json:"go_total_ms"`
	PyTotalMs float64 `json:"py_total_ms"`
	// GoCloseMs: the part of go_build_ms the scope's Close took (median).
	GoCloseMs float64 `json:"go_close_ms"`
}

func main() {
	flag.Parse()
	if *bind {
		bd, err := mlx.Bind()
		if err != nil {
			fail(err)
		}
		defer bd.Release()
	}
	b := newBench()
	var py *python
	if !*goOnly {
		py = startPython()
		defer py.close()
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	device := "cpu"
	if mlx.OnGPU() {
		device = "gpu"
	}
	say := func(format string, args ...any) {
		if !*jsonOut {
			fmt.Printf(format, args...)
		}
	}
	say("MLX %s on %s, %s/%s, GOMAXPROCS=%d; %d warm-up + %d timed repetitions per side, Go and Python alternating\n",
		mlx.Version(), device, runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), *warm, *reps)
	workloads := []struct {
		name, py, desc string
		f              func() *mlx.Array
	}{
		{fmt.Sprintf("ops%s", short(*nOps)), "ops", fmt.Sprintf("%d element-wise ops on [16]", *nOps), b.ops},
		{fmt.Sprintf("ops%s-eager", short(*nOps)), "ops", "  same, Go frees each intermediate as it goes", b.opsEager},
		{fmt.Sprintf("decode%d", *nLayers), "decode", fmt.Sprintf("%d-layer decode step, hidden %d, cache %d", *nLayers, *hidden, *cacheLen), b.decode},
	}
	say("\n%-44s %12s %12s %8s   %12s %12s %8s\n", "workload (median ms)", "Go build", "Py build", "Go/Py",
		"Go total", "Py total", "Go/Py")
	var results []result
	for _, w := range workloads {
		if *only != "" && *only != w.name && *only != w.py {
			continue
		}
		var gb, gt, gc, pb, pt []time.Duration
		for i := range *warm + *reps {
			b1, t1, c1 := runGo(w.f)
			var b2, t2 time.Duration
			if py != nil {
				b2, t2 = py.run(w.py)
			}
			if i >= *warm {
				gb, gt, gc, pb, pt = append(gb, b1), append(gt, t1), append(gc, c1), append(pb, b2), append(pt, t2)
			}
		}
		results = append(results, result{Name: w.name, GoBuildMs: median(gb), GoTotalMs: median(gt), GoCloseMs: median(gc)})

		if py == nil {
			say("%-44s %12.3f %12s %8s   %12.3f\n", w.desc, median(gb), "-", "-", median(gt))
			continue
		}
		r := &results[len(results)-1]
		r.PyBuildMs, r.PyTotalMs = median(pb), median(pt)
		say("%-44s %12.3f %12.3f %8.2f   %12.3f %12.3f %8.2f\n", w.desc,
			median(gb), median(pb), median(gb)/median(pb), median(gt), median(pt), median(gt)/median(pt))
	}
	for _, r := range results {
		say("  %s: of Go's build, the scope's Close (releasing the intermediates) took %.3f ms\n", r.Name, r.GoCloseMs)
	}
	if *jsonOut {
		out, err := json.Marshal(struct {
			Workloads []result `json:"workloads"`
		}{results})
		if err != nil {
			fail(err)
		}
		fmt.Println(string(out))
	}
}

// short names a count the way the workload names do: 10000 is "10k".
func short(n int) string {
	if n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}
