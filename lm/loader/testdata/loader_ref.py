"""Reference side of lm/loader's parity test (mlx-lm 0.32.2's load_model).

Usage: loader_ref.py OUTDIR. Writes one model directory per case under OUTDIR
(config.json, model.safetensors, maybe hf_quant_config.json), loads each with
mlx_lm.utils.load_model and records its logits on TOKENS in
OUTDIR/<case>/reference.safetensors, or the error it raised in
OUTDIR/<case>/error.txt. OUTDIR/cases.json lists the cases.
"""
import json
import sys
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_map
from mlx_lm.utils import _get_classes, load_model

out = Path(sys.argv[1])
TOKENS = mx.array([[1, 5, 9, 17, 33, 2, 63, 40, 12, 7]])
BASE = {"model_type": "llama", "hidden_size": 128, "num_hidden_layers": 2, "intermediate_size": 256,
        "num_attention_heads": 4, "num_key_value_heads": 2, "rms_norm_eps": 1e-05, "vocab_size": 64,
        "rope_theta": 10000.0, "tie_word_embeddings": False, "max_position_embeddings": 256}


def build(name, quant, config_over=None, extra_files=None, seed=0):
    """quant(path) -> None or (group_size, bits, mode) picks each layer's packing."""
    d = out / name
    d.mkdir(parents=True)
    config = dict(BASE)
    mx.random.seed(seed)
    model_class, args_class = _get_classes(config)
    model = model_class(args_class.from_dict(config))
    model.update(tree_map(lambda p: mx.random.normal(p.shape) * 0.05, model.parameters()))

    def pred(path, m):
        q = quant(path)
        if q is None or not hasattr(m, "to_quantized"):
            return False
        return {"group_size": q[0], "bits": q[1], "mode": q[2]}

    nn.quantize(model, class_predicate=pred)
    mx.save_safetensors(str(d / "model.safetensors"), dict(tree_flatten(model.parameters())))
    config.update(config_over or {})
    config = {k: v for k, v in config.items() if v is not None}
    (d / "config.json").write_text(json.dumps(config))
    for fname, content in (extra_files or {}).items():
        (d / fname).write_text(json.dumps(content))


cases = []

# The global "quantization" says 4-bit affine; q_proj is 8-bit gs 32 and the
# MLPs mxfp4, with no per-layer entries: 0.32 infers each from the shapes.
build("inferred", lambda p: (32, 8, "affine") if p.endswith("q_proj") else
      ((32, 4, "mxfp4") if ".mlp." in p else (64, 4, "affine")),
      {"quantization": {"group_size": 64, "bits": 4}})
# No quantization in config.json: text_config's quantization_config (mxfp8).
build("text-config-mxfp8", lambda p: None if p == "lm_head" else (32, 8, "mxfp8"),
      {"text_config": {"quantization_config": {"quant_method": "mxfp8"}}}, seed=1)
# NVIDIA ModelOpt: hf_quant_config.json beside config.json (nvfp4).
build("modelopt-nvfp4", lambda p: None if p in ("lm_head", "model.embed_tokens") else (16, 4, "nvfp4"), {},
      {"hf_quant_config.json": {"producer": {"name": "modelopt"}, "quant_method": "modelopt",
                                "quantization": {"quant_algo": "NVFP4", "group_size": 16}}}, seed=2)
# fp8 with power-of-two scales over 32x32 blocks is mxfp8.
build("fp8-ue8m0", lambda p: None if p == "lm_head" else (32, 8, "mxfp8"),
      {"quantization_config": {"quant_method": "fp8", "scale_fmt": "ue8m0", "weight_block_size": [32, 32]}}, seed=3)
# compressed-tensors: a format MLX has, and one it refuses.
build("compressed-nvfp4", lambda p: None if p == "lm_head" else (16, 4, "nvfp4"),
      {"quantization_config": {"quant_method": "compressed-tensors", "format": "nvfp4-pack-quantized"}}, seed=4)
build("compressed-fp8", lambda p: None,
      {"quantization_config": {"quant_method": "compressed-tensors", "format": "float-quantized"}}, seed=5)
# A non-finite float tagged by transformers decodes to a float.
build("tagged-float", lambda p: None, {"rope_scaling": None, "unused_limit": {"__float__": "Infinity"}}, seed=6)

for d in sorted(p for p in out.iterdir() if p.is_dir()):
    try:
        model, config = load_model(d)
        logits = model(TOKENS).astype(mx.float32)
        mx.save_safetensors(str(d / "reference.safetensors"), {"logits": logits, "tokens": TOKENS})
        cases.append({"name": d.name, "error": "", "quantization": config.get("quantization"),
                      "unused_limit": repr(config.get("unused_limit"))})
    except ValueError as e:
        cases.append({"name": d.name, "error": str(e)})
(out / "cases.json").write_text(json.dumps(cases))
