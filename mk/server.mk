# mlxlm server (issue 16): the benchmark against mlx_lm.server.
.PHONY: bench-server

BENCH_SERVER_MODEL ?= .bench/server-qwen3
BENCH_SERVER_ARGS ?=
# The interpreter whose mlx_lm.server is measured (the venv's, at the pin).
BENCH_SERVER_PYTHON ?= .venv/bin/python

$(BENCH_SERVER_MODEL): lm/server/testdata/make_model.py
	.venv/bin/python lm/server/testdata/make_model.py $@ --tokenizer lm/tokenizer/testdata/qwen3 \
		--hidden 256 --layers 4 --heads 4 --intermediate 768

# bench-server: both servers on the same random-weight qwen3 (Qwen3 tokenizer), 1/4/16 clients.
bench-server: setup $(BENCH_SERVER_MODEL)
	$(GO) build -o .bench/mlxlm ./cmd/mlxlm
	.venv/bin/python scripts/bench_server.py --mlxlm .bench/mlxlm --model $(BENCH_SERVER_MODEL) \
		--python $(BENCH_SERVER_PYTHON) $(BENCH_SERVER_ARGS)
