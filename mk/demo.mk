# demo: regenerate models, build a small random-weight Llama with mlx-lm (real
# Llama 3 tokenizer, cached under .cache/demo) and run `mlxlm generate` on it.
demo: setup
	@GO=$(GO) ./scripts/demo.sh
