package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hf2go/hf2go/lm/engine"
)

// BenchmarkScheduler measures the engine's own cost per decode step: the
// toy model (2 layers, hidden 64, vocabulary 512) is so small that a step's
// time is mostly host work (graph build, cgo, cache merge/split, events).
// Each iteration is one wave of `clients` concurrent greedy requests
// arriving together, 32 tokens each; it reports generated tok/s, decode
// steps/s and the scheduler's phases per step.
func BenchmarkScheduler(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			m := randomToy(b, 512)
			e := newEngine(b, m, engine.Options{PromptCacheSize: -1})
			ps := prompts(clients, 512)
			wave := func() int {
				var wg sync.WaitGroup
				counts := make([]int, clients)
				for i := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						res := run(context.Background(), e, engine.Request{Prompt: ps[i], MaxTokens: 32})
						if res.err != nil {
							b.Error(res.err)
						}
						counts[i] = len(res.tokens)
					}()
				}
				wg.Wait()
				n := 0
				for _, c := range counts {
					n += c
				}
				return n
			}
			wave() // warm up
			st0 := e.Stats()
			b.ResetTimer()
			t0 := time.Now()
			tokens := 0
			for range b.N {
				tokens += wave()
			}
			wall := time.Since(t0)
			st := e.Stats()
			steps := float64(st.DecodeSteps - st0.DecodeSteps)
			b.ReportMetric(float64(tokens)/wall.Seconds(), "tok/s")
			b.ReportMetric(steps/wall.Seconds(), "steps/s")
			for _, ph := range []string{"build", "launch", "wait", "emit", "retire", "prefill", "fold", "admit", "drain"} {
				b.ReportMetric((st.Phases[ph]-st0.Phases[ph])*1e3/steps, ph+"-ms/step")
			}
		})
	}
}
