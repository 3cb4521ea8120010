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
	"strconv"
	"strings"
	"time"

	_ "github.com/hf2go/hf2go/generated/models/all" // every generated architecture, as mlxlm has
	"github.com/hf2go/hf2go/lm/generate"
	"github.com/hf2go/hf2go/lm/loader"
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
}

func main() {
	model := flag.String("model", "", "model directory")
	promptFlag := flag.String("prompt-tokens", "", "comma-separated token ids")
	maxTokens := flag.Int("max-tokens", 128, "tokens to generate")
	runs := flag.Int("runs", 2, "generations, each with a fresh cache; the peak is reset before each after the first")
	dtype := flag.String("dtype", "auto", "compute dtype, as mlxlm's --dtype (auto: the checkpoint's on a GPU)")
	flag.Parse()
	if err := probe(*model, *promptFlag, *dtype, *maxTokens, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
}

func probe(dir, promptFlag, dtype string, maxTokens, runs int) error {
	var prompt []int
	for _, s := range strings.Split(promptFlag, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-prompt-tokens: %q: %w", s, err)
		}
		prompt = append(prompt, t)
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
		var r run
		n := 0
		o := generate.StreamOptions{Options: generate.Options{MaxTokens: maxTokens}}
		for resp, err := range generate.Stream(ctx, m, prompt, o) {
			if err != nil {
				return err
			}
			if n == 0 {
				r.AfterPrefill = memNow()
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
