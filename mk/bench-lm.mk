# bench: mlx-lm (Python) vs mlxlm (Go) on random-weight Qwen3-0.6B and
# Llama-3.2-1B shapes, bf16 and 4-bit, alternating in one run (a measurement,
# not a test). Models are cached in .cache/bench/. Architectures not generated
# yet are reported as skipped. BENCH_LM_FLAGS passes flags, e.g.
# BENCH_LM_FLAGS="--models llama-3.2-1b:q4 --reps 1".
BENCH_LM_FLAGS ?=

bench: setup
	@mkdir -p bin && $(GO) build -o bin/mlxlm ./cmd/mlxlm
	@.venv/bin/python scripts/bench_lm.py $(BENCH_LM_FLAGS)
