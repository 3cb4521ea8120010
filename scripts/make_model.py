#!/usr/bin/env python3
"""Build a random-weight model directory with the pinned mlx-lm, for tests, the
demo and the benchmark: config.json + model.safetensors (saved with
mlx_lm.utils.save_model/save_config, quantized with mlx_lm.utils.quantize_model
when asked), optionally with a tokenizer copied in, and optionally with the
reference outputs of mlx-lm for a token sequence.

usage: make_model.py OUT --shape tiny-llama|llama-3.2-1b|qwen3-0.6b|tiny-qwen3|smollm2-135m|qwen3-next-small|nemotron-h-small
         [--dtype float32|bfloat16] [--q-bits 4] [--q-group-size 64]
         [--tokenizer DIR] [--reference 1,2,3 --greedy 16] [--seed 0]

--reference writes OUT/reference.safetensors: "logits" (float32 [L, vocab],
one forward pass without cache) and "greedy" (the first --greedy tokens of
mlx_lm.generate.generate_step at temp 0).
"""
import argparse
import gzip
import json
import shutil
import sys
from pathlib import Path

import mlx.core as mx
from mlx.utils import tree_flatten, tree_unflatten

SHAPES = {
    "tiny-llama": dict(model_type="llama", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                       num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=256,
                       rope_theta=10000.0, tie_word_embeddings=False, max_position_embeddings=2048),
    "demo-llama": dict(model_type="llama", hidden_size=256, num_hidden_layers=4, intermediate_size=512,
                       num_attention_heads=8, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=128256,
                       rope_theta=500000.0, tie_word_embeddings=True, max_position_embeddings=8192,
                       bos_token_id=128000, eos_token_id=[128001, 128008, 128009]),
    "llama-3.2-1b": dict(model_type="llama", hidden_size=2048, num_hidden_layers=16, intermediate_size=8192,
                         num_attention_heads=32, num_key_value_heads=8, head_dim=64, rms_norm_eps=1e-5,
                         vocab_size=128256, rope_theta=500000.0, tie_word_embeddings=True,
                         max_position_embeddings=131072,
                         rope_scaling={"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                       "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                         bos_token_id=128000, eos_token_id=[128001, 128008, 128009]),
    # HuggingFaceTB/SmolLM2-135M's shape: make bench's CPU size (scripts/bench_lm.py).
    "smollm2-135m": dict(model_type="llama", hidden_size=576, num_hidden_layers=30, intermediate_size=1536,
                         num_attention_heads=9, num_key_value_heads=3, head_dim=64, rms_norm_eps=1e-5,
                         vocab_size=49152, rope_theta=100000.0, tie_word_embeddings=True,
                         max_position_embeddings=8192),
    "tiny-qwen3": dict(model_type="qwen3", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                       num_attention_heads=4, num_key_value_heads=2, head_dim=32, rms_norm_eps=1e-6,
                       vocab_size=256, rope_theta=1000000.0, tie_word_embeddings=True,
                       max_position_embeddings=4096),
    # Hybrid shapes for make bench / make bench-hybrid (sized for a 2-core CPU): Qwen3-Next's layout (gated
    # delta-net linear attention with an attention layer every 4th, sparse MoE + shared expert, partial RoPE)
    # and Nemotron-H's (Mamba-2 mixers, attention and relu2 MLP layers by hybrid_override_pattern).
    "qwen3-next-small": dict(model_type="qwen3_next", hidden_size=512, num_hidden_layers=8, intermediate_size=1024,
                             num_attention_heads=8, num_key_value_heads=2, head_dim=64, linear_num_value_heads=8,
                             linear_num_key_heads=4, linear_key_head_dim=64, linear_value_head_dim=64,
                             linear_conv_kernel_dim=4, num_experts=8, num_experts_per_tok=2, decoder_sparse_step=1,
                             shared_expert_intermediate_size=256, mlp_only_layers=[], moe_intermediate_size=256,
                             norm_topk_prob=True, rms_norm_eps=1e-6, vocab_size=16384, rope_theta=10000000.0,
                             partial_rotary_factor=0.25, max_position_embeddings=4096, full_attention_interval=4,
                             tie_word_embeddings=True),
    "nemotron-h-small": dict(model_type="nemotron_h", vocab_size=16384, hidden_size=512, intermediate_size=1536,
                             max_position_embeddings=4096, num_attention_heads=8, num_key_value_heads=2, head_dim=64,
                             attention_bias=False, mamba_num_heads=16, mamba_head_dim=64, mamba_proj_bias=False,
                             ssm_state_size=64, conv_kernel=4, n_groups=2, mlp_bias=False, layer_norm_epsilon=1e-5,
                             use_bias=False, use_conv_bias=True, hybrid_override_pattern="M-M*-M-M-",
                             time_step_limit=[0.0, 100.0]),
    "qwen3-0.6b": dict(model_type="qwen3", hidden_size=1024, num_hidden_layers=28, intermediate_size=3072,
                       num_attention_heads=16, num_key_value_heads=8, head_dim=128, rms_norm_eps=1e-6,
                       vocab_size=151936, rope_theta=1000000.0, tie_word_embeddings=True,
                       max_position_embeddings=40960, eos_token_id=151645),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--shape", required=True, choices=sorted(SHAPES))
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    ap.add_argument("--q-bits", type=int, default=0)
    ap.add_argument("--q-group-size", type=int, default=64)
    ap.add_argument("--tokenizer", default=None, help="directory with tokenizer.json[.gz] and tokenizer_config.json")
    ap.add_argument("--reference", default=None, help="comma-separated token ids")
    ap.add_argument("--greedy", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-eos", action="store_true", help="drop eos_token_id (benchmarks generate a fixed count)")
    args = ap.parse_args()

    from mlx_lm.utils import _get_classes, quantize_model, save_config, save_model

    config = dict(SHAPES[args.shape])
    if args.no_eos:
        config.pop("eos_token_id", None)
    mx.random.seed(args.seed)
    model_class, args_class = _get_classes(config)
    model = model_class(args_class.from_dict(config))
    dt = getattr(mx, args.dtype)
    # Random weights: normal * 0.02-ish like an initialised checkpoint, norms at 1.
    params = []
    for k, v in tree_flatten(model.parameters()):
        if "norm" in k:
            params.append((k, mx.ones(v.shape, dt)))
        else:
            params.append((k, (mx.random.normal(v.shape) * (0.3 if v.ndim == 2 and v.shape[-1] <= 256 else 0.05)).astype(dt)))
    model.update(tree_unflatten(params))
    mx.eval(model.parameters())
    if args.q_bits:
        model, config = quantize_model(model, config, args.q_group_size, args.q_bits)
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_model(tmp, model, donate_model=False)
    save_config(config, config_path=tmp / "config.json")
    if args.tokenizer:
        src = Path(args.tokenizer)
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            if (src / name).exists():
                shutil.copy(src / name, tmp / name)
            elif (src / (name + ".gz")).exists():
                with gzip.open(src / (name + ".gz"), "rb") as f, open(tmp / name, "wb") as g:
                    shutil.copyfileobj(f, g)
    if args.reference:
        from mlx_lm.generate import generate_step
        from mlx_lm.utils import load_model
        model, _ = load_model(tmp)
        toks = [int(t) for t in args.reference.split(",")]
        logits = model(mx.array(toks)[None])[0].astype(mx.float32)
        greedy = [t for t, _ in generate_step(mx.array(toks), model, max_tokens=args.greedy)]
        mx.save_safetensors(str(tmp / "reference.safetensors"),
                            {"logits": logits, "greedy": mx.array(greedy, dtype=mx.int32)})
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


if __name__ == "__main__":
    main()
