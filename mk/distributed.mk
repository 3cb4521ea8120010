# distributed: tensor parallelism across GPUs (issue 19). On a host with N NVIDIA GPUs
# (CUDA wheel: MLX_BACKEND=cuda13 make setup):
#   make bench-tp                      Qwen3-4B and Llama-3.1-8B shapes, bf16, 2 GPUs over NCCL:
#                                      mlxlm (1 GPU, launch -n 2) vs mlx-lm (1 GPU, mlx.launch -n 2)
#   make bench-tp BENCH_TP_FLAGS="--models tiny --backend ring"   a CPU smoke test of the same script
# The launcher itself (`mlxlm launch`) and the sharded generation are tested on CPU with the
# ring backend by `make test` (lm/launch, cmd/mlxlm TestLaunchShardedGenerate).
BENCH_TP_FLAGS ?=
.PHONY: bench-tp

bench-tp: setup
	@mkdir -p bin && $(GO) build -o bin/mlxlm ./cmd/mlxlm
	@NCCL_NVLS_ENABLE=0 .venv/bin/python scripts/gpu/bench_tp.py $(BENCH_TP_FLAGS)
