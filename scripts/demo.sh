#!/bin/sh
# make demo: regenerate the generated models (when the generator is there),
# have mlx-lm build a small random-weight Llama with the real Llama 3
# tokenizer, and run `mlxlm generate` on it. The weights are random, so the
# text is gibberish, but every stage runs: config, safetensors, the generated
# llama package, the tokenizer and its chat template, sampling and streaming.
set -eu
cd "$(dirname "$0")/.."
GO="${GO:-go}"
py=.venv/bin/python

if [ -f generated/models/generate.go ]; then
  echo "demo: go generate ./generated/..."
  "$GO" generate ./generated/...
else
  echo "demo: no generator entry point (generated/models/generate.go) yet; using the generated packages as they are"
fi

# The model is cached under .cache/demo, keyed by the script that makes it.
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
key=$(cat scripts/make_model.py lm/tokenizer/testdata/llama3/tokenizer_config.json | sha256 | cut -c1-12)
model=.cache/demo/llama-$key
if [ ! -f "$model/config.json" ]; then
  echo "demo: building a random-weight Llama (4 layers, hidden 256, Llama 3 tokenizer) with mlx-lm -> $model"
  rm -rf .cache/demo
  mkdir -p .cache/demo
  "$py" scripts/make_model.py "$model" --shape demo-llama --dtype bfloat16 --tokenizer lm/tokenizer/testdata/llama3
fi

mkdir -p bin
"$GO" build -o bin/mlxlm ./cmd/mlxlm
prompt="${DEMO_PROMPT:-Write a haiku about the Go programming language.}"
echo "demo: bin/mlxlm generate --model $model --prompt \"$prompt\" --max-tokens 48 --temp 0.8 --top-p 0.95 --seed 7"
bin/mlxlm generate --model "$model" --prompt "$prompt" --max-tokens 48 --temp 0.8 --top-p 0.95 --seed 7
