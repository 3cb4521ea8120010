"""Reference outputs of one architecture for the generated-model parity test.

For every tiny config in parity/configs/<arch>.json, the pinned mlx-lm (.venv) builds the
model with random weights (seeded), and this script saves into <out>/<name>/:
  config.json, model.safetensors     the checkpoint the Go model loads
  reference.safetensors              tokens, full-sequence logits (no cache),
                                     and 16 greedy tokens through the KV cache
and the same again 4-bit quantized (mlx-lm's quantization predicate) into
<out>/<name>-q4/. The Go test (parity/modelparity) loads each directory with
the generated package and compares.
"""
import json
import os
import sys

import mlx.core as mx
import mlx.nn as nn
import numpy as np
from mlx.utils import tree_flatten, tree_map
from mlx_lm.models.cache import make_prompt_cache
from mlx_lm.utils import _get_classes

GREEDY_STEPS = 16


def greedy(model, tokens, kv_bits=None, kv_group_size=32):
    """16 greedy steps through the cache; also the last-position logits of
    every step, so the cached path is compared value by value, not only by
    argmax (tiny random models often repeat one token)."""
    cache = make_prompt_cache(model)
    if kv_bits:
        # What generate_step's --kv-bits does from the first token
        # (quantized_kv_start=0): every KVCache becomes a QuantizedKVCache.
        cache = [c.to_quantized(group_size=kv_group_size, bits=kv_bits) if hasattr(c, "to_quantized") else c
                 for c in cache]
    logits = model(tokens, cache=cache)
    step_logits = [logits[:, -1, :]]
    y = mx.argmax(logits[:, -1, :], axis=-1)
    out = [y]
    for _ in range(GREEDY_STEPS - 1):
        logits = model(y[:, None], cache=cache)
        step_logits.append(logits[:, -1, :])
        y = mx.argmax(logits[:, -1, :], axis=-1)
        out.append(y)
    return mx.stack(out, axis=1), mx.concatenate(step_logits, axis=0)


def save(model, config, tokens, out_dir, kv_bits=None):
    os.makedirs(out_dir, exist_ok=True)
    weights = dict(tree_flatten(model.parameters()))
    mx.save_safetensors(os.path.join(out_dir, "model.safetensors"), weights)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    logits = model(tokens).astype(mx.float32)
    gen, step_logits = greedy(model, tokens)
    ref = {"tokens": tokens, "logits": logits, "greedy": gen.astype(mx.int32),
           "greedy_logits": step_logits.astype(mx.float32)}
    if kv_bits:
        qgen, qstep = greedy(model, tokens, kv_bits=kv_bits)
        ref["greedy_qkv"] = qgen.astype(mx.int32)
        ref["greedy_qkv_logits"] = qstep.astype(mx.float32)
    mx.save_safetensors(os.path.join(out_dir, "reference.safetensors"), ref,
                        metadata={"kv_bits": str(kv_bits or 0)})


def main():
    arch, configs_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(configs_path) as f:
        cases = json.load(f)
    for case in cases:
        name, config = case["name"], dict(case["config"])
        mx.random.seed(case.get("seed", 0))
        model_class, args_class = _get_classes(config)
        model = model_class(args_class.from_dict(config))
        # mlx-lm initializes some parameters to zero (router weights and
        # correction biases, attention sinks): random values exercise the
        # code that reads them.
        zero = [k for k, v in tree_flatten(model.parameters())
                if mx.issubdtype(v.dtype, mx.floating) and not mx.any(v).item()]
        if zero:
            fill = {k: mx.random.normal(dict(tree_flatten(model.parameters()))[k].shape) * 0.5 for k in zero}
            model.load_weights(list(fill.items()), strict=False)
        mx.eval(model.parameters())
        rng = np.random.default_rng(case.get("seed", 0))
        L = case.get("prompt_len", 12)
        vocab = config.get("vocab_size") or config["text_config"]["vocab_size"]
        tokens = mx.array(rng.integers(0, vocab, size=(1, L)).astype(np.int32))
        save(model, config, tokens, os.path.join(out, name), kv_bits=case.get("kv_bits"))

        gs = case.get("q_group_size", 32)
        qmodel = model_class(args_class.from_dict(config))
        qmodel.update(model.parameters())
        nn.quantize(
            qmodel,
            group_size=gs,
            bits=4,
            class_predicate=lambda p, m: hasattr(m, "to_quantized") and m.weight.shape[-1] % gs == 0,
        )
        qconfig = dict(config)
        qconfig["quantization"] = {"group_size": gs, "bits": 4}
        save(qmodel, qconfig, tokens, os.path.join(out, name + "-q4"))


if __name__ == "__main__":
    main()
