"""Reference side of lm/convert's parity test (the pinned mlx-lm, in .venv).

  convert_ref.py make ROOT      writes ROOT/<case>/hf: tiny random-weight Hugging
                                Face-format checkpoints (config.json,
                                model.safetensors in HF naming, a word-level
                                tokenizer, generation_config.json)
  convert_ref.py convert ROOT   runs mlx_lm.convert.convert on each case into
                                ROOT/<case>/py (with the case's options)
  convert_ref.py compare ROOT   loads ROOT/<case>/py and ROOT/<case>/go with
                                mlx_lm.utils.load and prints, as JSON, max |Δ| of
                                the logits, the weight key sets and dtypes, and
                                the config quantization entries
"""
import json
import re
import sys
from pathlib import Path

import mlx.core as mx
from mlx.utils import tree_flatten

CASES = {
    # name: (config, source dtype, convert options)
    "llama-f32-bf16": ("llama", "float32", {"dtype": "bfloat16"}),
    "llama-f32-q4": ("llama", "float32", {"quantize": True, "q_bits": 4, "q_group_size": 64}),
    "qwen3moe-bf16-f32": ("qwen3_moe", "bfloat16", {"dtype": "float32"}),  # CPU gather_mm is float32 only
    "qwen3moe-bf16-q4": ("qwen3_moe", "bfloat16", {"quantize": True, "q_bits": 4, "q_group_size": 64}),
    # cast_predicate: e_score_correction_bias stays float32 under --dtype bfloat16.
    "deepseekv3-f32-bf16-q4": ("deepseek_v3", "float32", {"quantize": True, "dtype": "bfloat16"}),
    # 0.32: no torch_dtype, so the dtype comes from text_config's "dtype".
    "llama-f32-textcfg": ("llama", "float32", {}, {"torch_dtype": None, "text_config": {"dtype": "bfloat16"}}),
}

# llama: intermediate_size 160 is not a multiple of 64, so down_proj stays unquantized
# (quantize_model's weight.shape[-1] % group_size rule).
CONFIGS = {
    "llama": {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 128,
              "num_hidden_layers": 2, "intermediate_size": 160, "num_attention_heads": 4,
              "num_key_value_heads": 2, "rms_norm_eps": 1e-05, "vocab_size": 64,
              "rope_theta": 10000.0, "tie_word_embeddings": False, "max_position_embeddings": 256,
              "_name_or_path": "tiny/llama"},
    "qwen3_moe": {"model_type": "qwen3_moe", "architectures": ["Qwen3MoeForCausalLM"], "hidden_size": 64,
                  "num_hidden_layers": 2, "intermediate_size": 128, "num_attention_heads": 4,
                  "num_key_value_heads": 2, "num_experts": 4, "num_experts_per_tok": 2,
                  "decoder_sparse_step": 1, "mlp_only_layers": [], "moe_intermediate_size": 64,
                  "rms_norm_eps": 1e-06, "vocab_size": 64, "head_dim": 16, "rope_theta": 1000000.0,
                  "tie_word_embeddings": False, "max_position_embeddings": 256, "norm_topk_prob": True},
    "deepseek_v3": {"model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"], "vocab_size": 64,
                    "hidden_size": 64, "intermediate_size": 128, "moe_intermediate_size": 64,
                    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
                    "n_shared_experts": 1, "n_routed_experts": 4, "num_experts_per_tok": 2,
                    "kv_lora_rank": 32, "q_lora_rank": None, "qk_rope_head_dim": 8, "v_head_dim": 16,
                    "qk_nope_head_dim": 16, "norm_topk_prob": True, "first_k_dense_replace": 1,
                    "max_position_embeddings": 256},
}

TOKENS = [1, 5, 9, 17, 33, 2, 63, 40, 12, 7]


def hf_weights(model):
    """The model's parameters in Hugging Face naming: stacked experts split."""
    out = {}
    for k, v in tree_flatten(model.parameters()):
        m = re.match(r"(.*)\.mlp\.switch_mlp\.(\w+)\.weight$", k)
        if m:
            for e in range(v.shape[0]):
                out[f"{m.group(1)}.mlp.experts.{e}.{m.group(2)}.weight"] = v[e]
        else:
            out[k] = v
    return out


def write_tokenizer(d):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for i in range(3, 64):
        vocab[f"w{i}"] = i
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", bos_token="<s>",
                            eos_token="</s>").save_pretrained(str(d))


def make(root):
    from mlx_lm.utils import _get_classes

    for i, (name, (arch, dtype, _, *extra)) in enumerate(sorted(CASES.items())):
        d = Path(root) / name / "hf"
        d.mkdir(parents=True)
        config = dict(CONFIGS[arch], torch_dtype=dtype)
        for over in extra:  # config overrides; None drops the key
            config.update(over)
        config = {k: v for k, v in config.items() if v is not None}
        mx.random.seed(100 + i)
        model_class, args_class = _get_classes(config)
        model = model_class(args_class.from_dict(config))
        w = {k: (mx.random.normal(v.shape) * 0.05).astype(getattr(mx, dtype))
             for k, v in hf_weights(model).items()}
        w = {k: (v.astype(getattr(mx, dtype)) if k.endswith("norm.weight") else v) for k, v in w.items()}
        mx.save_safetensors(str(d / "model.safetensors"), w, metadata={"format": "pt"})
        (d / "config.json").write_text(json.dumps(config, indent=2))
        (d / "generation_config.json").write_text(json.dumps({"eos_token_id": 2}))
        write_tokenizer(d)


def convert(root):
    from mlx_lm.convert import convert as mlx_convert

    for name, (_, _, opts, *_) in sorted(CASES.items()):
        mlx_convert(hf_path=str(Path(root) / name / "hf"), mlx_path=str(Path(root) / name / "py"), **opts)


def compare(root):
    from mlx_lm.utils import load

    out = {}
    for name in sorted(CASES):
        res = {}
        logits, weights, configs = {}, {}, {}
        for side in ["py", "go"]:
            d = Path(root) / name / side
            model, _, config = load(str(d), return_config=True)
            logits[side] = model(mx.array([TOKENS])).astype(mx.float32)
            weights[side] = {k: str(v.dtype) for k, v in tree_flatten(model.parameters())}
            configs[side] = config
            raw = {}
            for f in sorted(d.glob("*.safetensors")):
                for k, v in mx.load(str(f)).items():
                    raw[k] = v
            weights[side + "_file"] = raw
            res[side + "_files"] = sorted(p.name for p in d.iterdir())
            index = json.loads((d / "model.safetensors.index.json").read_text())
            res[side + "_index_metadata"] = index["metadata"]
            res[side + "_index_sorted"] = list(index["weight_map"]) == sorted(index["weight_map"])
        res["max_abs_diff"] = mx.max(mx.abs(logits["py"] - logits["go"])).item()
        res["keys_equal"] = weights["py"] == weights["go"]
        pf, gf = weights["py_file"], weights["go_file"]
        res["file_keys_equal"] = sorted(pf) == sorted(gf)
        res["file_arrays_equal"] = res["file_keys_equal"] and all(
            pf[k].dtype == gf[k].dtype and pf[k].shape == gf[k].shape and mx.array_equal(pf[k], gf[k]).item()
            for k in pf)
        res["go_float32_keys"] = sorted(k for k, v in gf.items() if v.dtype == mx.float32)
        res["quantization_equal"] = configs["py"].get("quantization") == configs["go"].get("quantization")
        res["quantization_config_equal"] = configs["py"].get("quantization_config") == configs["go"].get("quantization_config")
        res["quantization"] = configs["go"].get("quantization")
        res["config_equal"] = configs["py"] == configs["go"]
        res["metadata"] = {s: mx.load(str(Path(root) / name / s / "model.safetensors"), return_metadata=True)[1]
                           for s in ["py", "go"]}
        out[name] = res
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    {"make": make, "convert": convert, "compare": compare}[sys.argv[1]](sys.argv[2])
