#!/usr/bin/env python3
"""A tiny random-weight model with a real tokenizer, for the server's tests
and benchmark: mlx-lm builds and saves it (save_model, save_config), and the
tokenizer files are copied from a lm/tokenizer/testdata directory.

usage: make_model.py OUT --tokenizer DIR [--arch qwen3|llama] [--hidden 64]
         [--layers 2] [--vocab N] [--seed 0] [--sliding-window N]
         [--config parity/configs/ARCH.json:CASE]
"""
import argparse
import gzip
import json
import shutil
from pathlib import Path

import mlx.core as mx
from mlx.utils import tree_flatten, tree_unflatten


def parser():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--arch", default="qwen3", help="qwen3 or llama (any model_type with --config)")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=0)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=0, help="default: the tokenizer's size")
    ap.add_argument("--eos", type=int, action="append", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sliding-window", type=int, default=0,
                    help="llama: alternate sliding_attention (RotatingKVCache of this size) and full_attention layers")
    ap.add_argument("--config", default=None,
                    help="FILE:CASE: the config of a parity/configs case (any architecture; --arch, --hidden, --layers "
                         "and --heads are then unused, vocab_size is --vocab or the tokenizer's)")
    return ap


def main(argv=None):
    make(parser().parse_args(argv))


def make(args):
    """Writes the model args describes (parser()'s arguments) to args.out."""
    from mlx_lm.utils import _get_classes, save_config, save_model

    src = Path(args.tokenizer)
    tok_json = src / "tokenizer.json"
    data = gzip.open(str(tok_json) + ".gz").read() if not tok_json.exists() else tok_json.read_bytes()
    tj = json.loads(data)
    vocab = args.vocab or (max(list(tj["model"]["vocab"].values()) + [t["id"] for t in tj.get("added_tokens", [])]) + 1)
    config = dict(model_type=args.arch, hidden_size=args.hidden, num_hidden_layers=args.layers,
                  intermediate_size=args.intermediate or 2 * args.hidden, num_attention_heads=args.heads,
                  num_key_value_heads=max(1, args.heads // 2), rms_norm_eps=1e-6, vocab_size=vocab,
                  rope_theta=1000000.0, tie_word_embeddings=True, max_position_embeddings=4096)
    if args.config:
        file, case = args.config.rsplit(":", 1)
        cases = {c["name"]: c for c in json.loads(Path(file).read_text())["cases"]}
        config = dict(cases[case]["config"], vocab_size=vocab)
    elif args.arch == "qwen3":
        config["head_dim"] = args.hidden // args.heads
    if args.sliding_window:
        config["sliding_window"] = args.sliding_window
        config["layer_types"] = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(args.layers)]
    if args.eos:
        config["eos_token_id"] = args.eos if len(args.eos) > 1 else args.eos[0]
    mx.random.seed(args.seed)
    model_class, args_class = _get_classes(config)
    model = model_class(args_class.from_dict(config))
    params = []
    for k, v in tree_flatten(model.parameters()):
        if "norm" in k:
            params.append((k, mx.ones(v.shape)))
        else:
            params.append((k, mx.random.normal(v.shape) * (0.5 if "embed" in k else 0.2)))
    model.update(tree_unflatten(params))
    mx.eval(model.parameters())
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_model(tmp, model, donate_model=False)
    save_config(config, config_path=tmp / "config.json")
    (tmp / "tokenizer.json").write_bytes(data)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        if (src / name).exists():
            shutil.copy(src / name, tmp / name)
        elif (src / (name + ".gz")).exists():
            (tmp / name).write_bytes(gzip.open(str(src / name) + ".gz").read())
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


if __name__ == "__main__":
    main()
