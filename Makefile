# hf2go — the two commands a newcomer needs are `make setup demo` and `make test`.
# Everything else here is what those two are made of. Component makefiles live in mk/*.mk.

# MLX_BACKEND picks the MLX wheel: cpu, cuda12 or cuda13 on Linux, metal on macOS; empty means
# the platform's own (cpu on Linux, metal on macOS), decided by scripts/setup.sh.
MLX_BACKEND ?=
export MLX_BACKEND
GO ?= go
# The race detector is on for tests unless RACE= is given (e.g. for a quick local loop).
RACE ?= -race

.PHONY: setup demo test vet fmt-check check-generated bench bench-runtime clean coverage
.DEFAULT_GOAL := help

help:
	@echo "make setup demo   # set up (.venv with pinned MLX + mlx-lm, .mlx SDK link) and run the demo"
	@echo "make test         # gofmt, go vet, and every test (parity tests run mlx/mlx-lm from .venv)"
	@echo "make bench-runtime # Go vs Python MLX dispatch overhead, side by side"

# setup is idempotent: a second run checks a stamp and returns in well under a second.
setup:
	@./scripts/setup.sh

# CHECKS: extra checks that `make test` runs before the Go tests; each mk/*.mk
# appends its own (e.g. `CHECKS += shellcheck`), so components stay in their files.
CHECKS ?=
include $(wildcard mk/*.mk)

# GO_TEST_TIMEOUT: go test's limit per test binary. Its default (10m) is within
# reach of lm/tokenizer under -race on a loaded 2-core machine (456 s seen);
# 20m still fails a hung test well inside CI's 45 minutes.
GO_TEST_TIMEOUT ?= 20m
# GO_TEST_FIRST: the slowest test packages (without -race, -p 1, load ~15:
# lm/gguf 247 s, lm/tokenizer 192 s, ported/cache 117 s, cmd/mlxlm 110 s; every other
# package under 40 s), named before ./... so that they start first (go test starts
# packages in the order given, -p at a time: GOMAXPROCS) instead of running
# alone at the end; ./... does not run them twice.
GO_TEST_FIRST ?= ./lm/gguf ./lm/tokenizer ./ported/cache ./cmd/mlxlm

# test: formatting, vet, generated code and provenance current, the components'
# CHECKS, then every test (parity tests run MLX / mlx-lm from .venv; their
# references are cached in .cache/parity, parity/README.md).
test: setup fmt-check vet check-generated $(CHECKS)
	$(GO) test $(RACE) -count=1 -timeout $(GO_TEST_TIMEOUT) $(GO_TEST_FIRST) ./...

# check-generated: `go generate ./...` would change nothing, COVERAGE.md is
# current, and every ported/ and generated/ file's provenance header matches
# upstream.lock.
check-generated: setup
	$(GO) run ./cmd/hf2go generate --check
	$(GO) run ./cmd/hf2go coverage --check
	$(GO) run ./cmd/portcheck verify

vet: setup
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf .venv .mlx

