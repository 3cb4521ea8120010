# bench: mlx-lm (Python) vs mlxlm (Go) on random-weight Qwen3-0.6B and
# Llama-3.2-1B shapes, bf16 and 4-bit, alternating in one run (a measurement,
# not a test). Models are cached in .cache/bench/. Architectures not generated
# yet are reported as skipped. BENCH_LM_FLAGS passes flags, e.g.
# BENCH_LM_FLAGS="--models llama-3.2-1b:q4 --reps 1".
BENCH_LM_FLAGS ?=

bench: setup
	@mkdir -p bin && $(GO) build -o bin/mlxlm ./cmd/mlxlm
	@.venv/bin/python scripts/bench_lm.py $(BENCH_LM_FLAGS)

# bench-cpu: make bench sized for a small, shared CPU machine (minutes on 2
# cores): a 4-layer, 256-wide Llama with Llama-3's 128k vocabulary (the demo
# model's shape), float32 and 4-bit (from float32), 64-token prompt, 32 greedy
# tokens, 2 repetitions. BENCH_CPU_FLAGS="--models smollm2-135m:f32,..." runs
# SmolLM2-135M's shape instead (~10x longer). Figures: docs/bench/cpu.md.
BENCH_CPU_FLAGS ?= --models demo-llama:f32,demo-llama:q4f32 --prompt-tokens 64 --gen-tokens 32 --reps 2

.PHONY: bench-cpu
bench-cpu: setup
	@mkdir -p bin && $(GO) build -o bin/mlxlm ./cmd/mlxlm
	@.venv/bin/python scripts/bench_lm.py $(BENCH_CPU_FLAGS) $(BENCH_LM_FLAGS)

# bench-hybrid: make bench on the hybrid shapes (scripts/make_model.py qwen3-next-small: gated delta-net layers
# with an attention layer every 4th and a sparse MoE; nemotron-h-small: Mamba-2, attention and MLP layers), sized
# for a small shared CPU: float32 and 4-bit (from float32), 128-token prompt, 32 greedy tokens, 2 repetitions.
# Figures: docs/bench/cpu-hybrid.md.
BENCH_HYBRID_FLAGS ?= --models qwen3-next-small:f32,qwen3-next-small:q4f32,nemotron-h-small:f32,nemotron-h-small:q4f32 \
	--prompt-tokens 128 --gen-tokens 32 --reps 2

.PHONY: bench-hybrid
bench-hybrid: setup
	@mkdir -p bin && $(GO) build -o bin/mlxlm ./cmd/mlxlm
	@.venv/bin/python scripts/bench_lm.py $(BENCH_HYBRID_FLAGS) $(BENCH_LM_FLAGS)
