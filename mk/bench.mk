# bench-runtime: Go vs Python MLX dispatch overhead on the same libmlx, side by
# side in one run (cmd/bench-runtime; a measurement, not a test).
# BENCH_RUNTIME_FLAGS passes flags through, e.g. BENCH_RUNTIME_FLAGS="-reps 31".
BENCH_RUNTIME_FLAGS ?=

bench-runtime: setup
	$(GO) run ./cmd/bench-runtime $(BENCH_RUNTIME_FLAGS)
