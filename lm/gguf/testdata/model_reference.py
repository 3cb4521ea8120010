"""mlx-lm on the directory `mlxlm convert --dtype float32` wrote from a GGUF
file (model_test.go): for each prompt, the chat-templated ids (transformers'
apply_chat_template on the converted tokenizer), the full-sequence logits
(float32, no cache) and the greedy continuation of generate_step.

    model_reference.py OUT_DIR MODEL_DIR N_TOKENS
"""
import json
import os
import sys

import mlx.core as mx
from mlx_lm import load
from mlx_lm.generate import generate_step

PROMPTS = ["What is the capital of France?", "Write one sentence about the sea."]


def main():
    out, model_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    model, tok = load(model_dir)
    res = []
    arrays = {}
    for i, p in enumerate(PROMPTS):
        ids = tok.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True)
        arrays[f"logits_{i}"] = model(mx.array([ids]))[0].astype(mx.float32)
        greedy = []
        for (t, _), _ in zip(generate_step(mx.array(ids), model), range(n if i == 0 else 0)):
            greedy.append(int(t))
            if t in tok.eos_token_ids:
                break
        res.append({"prompt": p, "ids": ids, "greedy": greedy, "text": tok.decode(greedy)})
    mx.save_safetensors(os.path.join(out, "logits.safetensors"), arrays)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
