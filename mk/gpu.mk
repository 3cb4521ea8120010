# GPU (MLX-CUDA) parity tests and benchmark; see docs/bench/gpu-h100-mlx-cuda.md.
#
# On a Linux machine with an NVIDIA GPU (CUDA 13 driver), Go and PyPI access,
# in a fresh checkout (a venv set up for the CPU would then hold both
# mlx-cpu and mlx-cuda-13, which ship the same mlx/lib/libmlx.so):
#   make gpu-test    # MLX_BACKEND=cuda13 setup, then runtime, ported and generated parity on the GPU
#   make gpu-bench   # mlx-lm vs mlxlm: Llama-3.2-1B and Qwen3-4B shapes, bf16 and 4-bit
# For a GPU machine without registry access or Go, `make gpu-pack` here and
# scripts/gpu/device.sh there (stage 1, stage 2, install, test, bench).
GPU_BENCH_FLAGS ?=

.PHONY: gpu-setup gpu-test gpu-bench gpu-pack

gpu-setup:
	@MLX_BACKEND=cuda13 ./scripts/setup.sh

gpu-test: gpu-setup
	$(GO) test -count=1 ./runtime/... ./ported/... ./generated/...

gpu-bench: gpu-setup
	@mkdir -p bin && $(GO) build -o bin/mlxlm ./cmd/mlxlm
	@.venv/bin/python scripts/gpu/bench_gpu.py $(GPU_BENCH_FLAGS)

gpu-pack:
	@./scripts/gpu/pack.sh
