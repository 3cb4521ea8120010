// Command memprobe is the Go half of scripts/gpu/bench_gpu.py --probe: one
// model in one process, loaded as `mlxlm generate` loads it (loader.Load,
// --dtype auto), then the same generation (a prompt of token ids, N greedy
// tokens, generate.Stream) RUNS times, each with a fresh cache. After the
// load and after each run's prefill and end it records MLX's active, peak and
// cache memory, and each run's prompt and generation tok/s, as one JSON line
// on stdout. The Python half (bench_gpu.py's probe_python) does the same
// with mlx_lm.utils.load_model and stream_generate, so that the two sides'
// memory and first-run costs can be compared stage by stage (issue 15:
// where Go's 512-token prefill and peak memory lose to Python's).
//
//	memprobe -model DIR -prompt-tokens 1,2,3 -max-tokens 128 [-runs 2] [-dtype auto]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/hf2go/hf2go/generated/models/all" // every generated architecture, as mlxlm has
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type mem struct {
	ActiveGB float64 `json:"active_gb"`
	PeakGB   float64 `json:"peak_gb"`
	CacheGB  float64 `json:"cache_gb"`
}

func memNow() mem {
	m := mlx.MemoryStats()
	return mem{float64(m.Active) / 1e9, float64(m.Peak) / 1e9, float64(m.Cache) / 1e9}
}

type run struct {
	PromptTPS     float64 `json:"prompt_tps"`
	GenerationTPS float64 `json:"generation_tps"`
	AfterPrefill  mem     `json:"after_prefill"`
	End           mem     `json:"end"`
	Tokens        []int   `json:"tokens"`
	Loop          string  `json:"loop"`
	// StepMS are the times between consecutive tokens (the first token's
	// prefill excluded), in milliseconds: their median and low percentiles
	// say what a decode step costs when the shared host does not interfere.
	StepMS []float64 `json:"step_ms"`
}

func main() {
	model := flag.String("model", "", "model directory")
	promptFlag := flag.String("prompt-tokens", "", "comma-separated token ids")
	maxTokens := flag.Int("max-tokens", 128, "tokens to generate")
	runs := flag.Int("runs", 2, "generations, each with a fresh cache; the peak is reset before each after the first")
	dtype := flag.String("dtype", "auto", "compute dtype, as mlxlm's --dtype (auto: the checkpoint's on a GPU)")
	loops := flag.String("loops", "ahead", "decode loops the runs cycle through, comma-separated: ahead "+
		"(generate.OverlapOn: lm/generate's decodeAhead), serial (generate.OverlapOff: Python's order)")
	lockMain := flag.Bool("lock-main", false, "keep the main goroutine (every generation's builder) on one OS thread "+
		"for the whole process")
	census := flag.Bool("census", false, "instead: the primitives of the prefill graph (all but the last prompt token) and of one decode step after it")
	flag.Parse()
	if *lockMain {
		runtime.LockOSThread()
	}
	var err error
	if *census {
		err = graphCensus(*model, *promptFlag, *dtype)
	} else {
		err = probe(*model, *promptFlag, *dtype, *maxTokens, *runs, strings.Split(*loops, ","))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
}

func parsePrompt(promptFlag string) ([]int, error) {
	var prompt []int
	for _, s := range strings.Split(promptFlag, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("-prompt-tokens: %q: %w", s, err)
		}
		prompt = append(prompt, t)
	}
	return prompt, nil
}

// graphCensus builds what GenerateStep builds: the prefill forward of all
// but the last prompt token (its graph: the caches' arrays), then, after
// evaluating it, one step on the last token (logits[:, -1, :], log-softmax,
// the greedy sampler); it prints each graph's primitives (mlx.GraphCensus)
// as JSON, so that bench_gpu.py --census can set them beside mlx-lm's.
func graphCensus(dir, promptFlag, dtype string) error {
	prompt, err := parsePrompt(promptFlag)
	if err != nil {
		return err
	}
	if len(prompt) < 2 {
		return fmt.Errorf("-census needs a prompt of at least 2 tokens")
	}
	m, err := loader.Load(context.Background(), dir, loader.Options{Dtype: dtype, NoProgress: true})
	if err != nil {
		return err
	}
	defer m.Free()
	b, err := mlx.Bind()
	if err != nil {
		return err
	}
	defer b.Release()
	caches, err := generate.NewPromptCache(m, 0)
	if err != nil {
		return err
	}
	defer generate.FreeCache(caches)
	handles := func() []*mlx.Array {
		var hs []*mlx.Array
		for _, c := range caches {
			hs = append(hs, c.Handles()...)
		}
		return hs
	}
	p32 := make([]int32, len(prompt))
	for i, t := range prompt {
		p32[i] = int32(t)
	}
	n := len(p32) - 1
	if _, err := m.Forward(mlx.ExpandDims(mlx.FromSlice(p32[:n], n), 0), caches); err != nil {
		return err
	}
	prefill, err := mlx.GraphCensus(handles()...)
	if err != nil {
		return err
	}
	if err := mlx.Eval(handles()...); err != nil {
		return err
	}
	logits, err := m.Forward(mlx.ExpandDims(mlx.FromSlice(p32[n:], 1), 0), caches)
	if err != nil {
		return err
	}
	logits = logits.Index(mlx.Colon, -1, mlx.Colon)
	lp := mlx.Subtract(logits, mlx.Logsumexp(logits, true))
	y := sample.Greedy(lp)
	step, err := mlx.GraphCensus(y, mlx.Squeeze(lp, 0))
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"impl": "go", "prefill": prefill, "step": step})
}

func probe(dir, promptFlag, dtype string, maxTokens, runs int, loops []string) error {
	prompt, err := parsePrompt(promptFlag)
	if err != nil {
		return err
	}
	for _, l := range loops {
		if l != "ahead" && l != "serial" {
			return fmt.Errorf("-loops: %q is neither ahead nor serial", l)
		}
	}
	ctx := context.Background()
	t0 := time.Now()
	m, err := loader.Load(ctx, dir, loader.Options{Dtype: dtype, NoProgress: true})
	if err != nil {
		return err
	}
	defer m.Free()
	out := map[string]any{"impl": "go", "load_s": time.Since(t0).Seconds(), "after_load": memNow(),
		"device_gpu": mlx.OnGPU()}
	var rs []run
	for i := range runs {
		if i > 0 {
			mlx.ResetPeakMemory()
		}
		r := run{Loop: loops[i%len(loops)]}
		n := 0
		o := generate.StreamOptions{Options: generate.Options{MaxTokens: maxTokens}}
		o.Overlap = generate.OverlapOn
		if r.Loop == "serial" {
			o.Overlap = generate.OverlapOff
		}
		for resp, err := range generate.Stream(ctx, m, prompt, o) {
			if err != nil {
				return err
			}
			if n == 0 {
				r.AfterPrefill = memNow()
			} else {
				r.StepMS = append(r.StepMS, float64(resp.Elapsed.Microseconds())/1000)
			}
			n++
			r.Tokens = append(r.Tokens, resp.Token)
			r.PromptTPS, r.GenerationTPS = resp.PromptTPS, resp.GenerationTPS
		}
		r.End = memNow()
		rs = append(rs, r)
	}
	out["runs"] = rs
	return json.NewEncoder(os.Stdout).Encode(out)
}
