package server

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hf2go/hf2go/lm/engine"
)

// metrics are the server's Prometheus series, written in the text
// exposition format (version 0.0.4) without a client library: counters,
// gauges read from the engine at scrape time, and cumulative histograms.
type metrics struct {
	mu        sync.Mutex
	http      map[[2]string]uint64 // (route, status) -> count
	finishes  map[string]uint64
	cancels   uint64
	rejects   map[string]uint64
	promptT   uint64
	genT      uint64
	cachedT   uint64
	ttftH     *histogram
	itlH      *histogram
	queueH    *histogram
	startedAt time.Time
}

type histogram struct {
	bounds []float64
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newHistogram(bounds ...float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

func newMetrics() *metrics {
	return &metrics{
		http: map[[2]string]uint64{}, finishes: map[string]uint64{}, rejects: map[string]uint64{},
		ttftH:     newHistogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
		itlH:      newHistogram(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
		queueH:    newHistogram(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60),
		startedAt: time.Now(),
	}
}

func (m *metrics) observeHTTP(route string, status int) {
	m.mu.Lock()
	m.http[[2]string{route, fmt.Sprint(status)}]++
	m.mu.Unlock()
}

func (m *metrics) ttft(d time.Duration) { m.mu.Lock(); m.ttftH.observe(d.Seconds()); m.mu.Unlock() }
func (m *metrics) itl(d time.Duration)  { m.mu.Lock(); m.itlH.observe(d.Seconds()); m.mu.Unlock() }
func (m *metrics) queueWait(d time.Duration) {
	m.mu.Lock()
	m.queueH.observe(d.Seconds())
	m.mu.Unlock()
}
func (m *metrics) cancelled() { m.mu.Lock(); m.cancels++; m.mu.Unlock() }

func (m *metrics) rejected(err error) {
	reason := "invalid"
	switch {
	case errors.Is(err, engine.ErrQueueFull):
		reason = "queue_full"
	case errors.Is(err, engine.ErrClosed):
		reason = "shutting_down"
	}
	m.mu.Lock()
	m.rejects[reason]++
	m.mu.Unlock()
}

func (m *metrics) finished(reason string, prompt, completion, cached int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.finishes[reason]++
	m.promptT += uint64(prompt)
	m.genT += uint64(completion)
	if cached > 0 {
		m.cachedT += uint64(cached)
	}
}

func promFloat(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return fmt.Sprint(v)
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if !methodOnly(w, r, http.MethodGet) {
		return
	}
	m := s.metrics
	st := s.eng.Stats()
	var b strings.Builder
	head := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	m.mu.Lock()
	head("mlxlm_http_requests_total", "counter", "HTTP requests by route and status code.")
	keys := make([][2]string, 0, len(m.http))
	for k := range m.http {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "mlxlm_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.http[k])
	}
	head("mlxlm_requests_finished_total", "counter", "Completed generations by finish reason.")
	for _, reason := range []string{"stop", "length", "tool_calls"} {
		fmt.Fprintf(&b, "mlxlm_requests_finished_total{reason=%q} %d\n", reason, m.finishes[reason])
	}
	head("mlxlm_requests_cancelled_total", "counter", "Generations cancelled because the client went away.")
	fmt.Fprintf(&b, "mlxlm_requests_cancelled_total %d\n", m.cancels)
	head("mlxlm_requests_rejected_total", "counter", "Requests refused before generation, by reason.")
	for _, reason := range []string{"queue_full", "shutting_down", "invalid"} {
		fmt.Fprintf(&b, "mlxlm_requests_rejected_total{reason=%q} %d\n", reason, m.rejects[reason])
	}
	head("mlxlm_prompt_tokens_total", "counter", "Prompt tokens of completed requests.")
	fmt.Fprintf(&b, "mlxlm_prompt_tokens_total %d\n", m.promptT)
	head("mlxlm_generation_tokens_total", "counter", "Tokens generated for completed requests.")
	fmt.Fprintf(&b, "mlxlm_generation_tokens_total %d\n", m.genT)
	head("mlxlm_prompt_cached_tokens_total", "counter", "Prompt tokens served from the prompt cache.")
	fmt.Fprintf(&b, "mlxlm_prompt_cached_tokens_total %d\n", m.cachedT)
	hist := func(name, help string, h *histogram) {
		head(name, "histogram", help)
		var cum uint64
		for i, bound := range append(append([]float64{}, h.bounds...), math.Inf(1)) {
			cum += h.counts[i]
			fmt.Fprintf(&b, "%s_bucket{le=%q} %d\n", name, promFloat(bound), cum)
		}
		fmt.Fprintf(&b, "%s_sum %v\n%s_count %d\n", name, h.sum, name, h.n)
	}
	hist("mlxlm_time_to_first_token_seconds", "Time from the request's arrival to its first token.", m.ttftH)
	hist("mlxlm_inter_token_latency_seconds", "Time between consecutive tokens of a request.", m.itlH)
	hist("mlxlm_queue_wait_seconds", "Time from arrival until the request got a batch slot.", m.queueH)
	m.mu.Unlock()
	head("mlxlm_queue_depth", "gauge", "Requests waiting for a batch slot.")
	fmt.Fprintf(&b, "mlxlm_queue_depth %d\n", st.Waiting)
	head("mlxlm_prefilling_requests", "gauge", "Requests whose prompt is being processed.")
	fmt.Fprintf(&b, "mlxlm_prefilling_requests %d\n", st.Prefilling)
	head("mlxlm_batch_size", "gauge", "Requests being decoded.")
	fmt.Fprintf(&b, "mlxlm_batch_size %d\n", st.Decoding)
	head("mlxlm_decode_steps_total", "counter", "Decode steps of the scheduler.")
	fmt.Fprintf(&b, "mlxlm_decode_steps_total %d\n", st.DecodeSteps)
	head("mlxlm_scheduler_seconds_total", "counter", "Scheduler wall time by phase (fold is part of prefill).")
	for _, ph := range slices.Sorted(maps.Keys(st.Phases)) {
		fmt.Fprintf(&b, "mlxlm_scheduler_seconds_total{phase=%q} %s\n", ph, promFloat(st.Phases[ph]))
	}
	head("mlxlm_engine_generated_tokens_total", "counter", "Tokens the scheduler generated (including cancelled requests).")
	fmt.Fprintf(&b, "mlxlm_engine_generated_tokens_total %d\n", st.GeneratedTokens)
	head("mlxlm_prompt_cache_entries", "gauge", "KV caches held by the prompt cache.")
	fmt.Fprintf(&b, "mlxlm_prompt_cache_entries %d\n", st.PromptCacheEntries)
	head("mlxlm_prompt_cache_bytes", "gauge", "Bytes held by the prompt cache.")
	fmt.Fprintf(&b, "mlxlm_prompt_cache_bytes %d\n", st.PromptCacheBytes)
	healthy := 0
	if s.eng.Healthy() {
		healthy = 1
	}
	head("mlxlm_up", "gauge", "1 while the scheduler runs.")
	fmt.Fprintf(&b, "mlxlm_up %d\n", healthy)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
