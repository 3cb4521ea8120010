#!/usr/bin/env python3
"""Tensor-parallel benchmark on several NVIDIA GPUs of one host (issue 19).

For each model shape (random weights built by mlx-lm, bf16): greedy generation of
--gen-tokens after a --prompt-tokens prompt of random ids, four ways, alternating:

  go-1     mlxlm generate --json                       one GPU
  go-tp    mlxlm launch -n N --backend nccl -- generate  N GPUs, the generated Shard
  py-1     mlx-lm stream_generate                        one GPU
  py-tp    mlx.launch --backend nccl -n N  (this file --run-python, Model.shard)

and prints prompt / generation tok/s, the Go/Python ratios and the speed-up of
N GPUs over one, as a markdown table (--json-out for the raw runs). NVLink
multicast stays off (NCCL_NVLS_ENABLE=0): on shared hosts it can take the GPUs
out of service.

usage: bench_tp.py [--n 2] [--models qwen3-4b,llama-3.1-8b] [--reps 3]
                   [--prompt-tokens 512] [--gen-tokens 128] [--mlxlm bin/mlxlm]
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Hugging Face configs of Qwen/Qwen3-4B and meta-llama/Llama-3.1-8B, eos dropped.
SHAPES = {
    "qwen3-4b": dict(model_type="qwen3", hidden_size=2560, num_hidden_layers=36, intermediate_size=9728,
                     num_attention_heads=32, num_key_value_heads=8, head_dim=128, rms_norm_eps=1e-6,
                     vocab_size=151936, rope_theta=1000000.0, tie_word_embeddings=True,
                     max_position_embeddings=40960),
    # A smoke-test shape for CPUs (--backend ring --models tiny).
    "tiny": dict(model_type="llama", hidden_size=64, num_hidden_layers=2, intermediate_size=128,
                 num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, vocab_size=2048),
    "llama-3.1-8b": dict(model_type="llama", hidden_size=4096, num_hidden_layers=32, intermediate_size=14336,
                         num_attention_heads=32, num_key_value_heads=8, rms_norm_eps=1e-5, vocab_size=128256,
                         rope_theta=500000.0, tie_word_embeddings=False, max_position_embeddings=131072,
                         rope_scaling={"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                       "original_max_position_embeddings": 8192, "rope_type": "llama3"}),
}


def build_model(shape, out):
    import mlx.core as mx
    from mlx.utils import tree_flatten, tree_unflatten
    from mlx_lm.utils import _get_classes, save_config, save_model

    config = dict(SHAPES[shape])
    mx.random.seed(0)
    model_class, args_class = _get_classes(config)
    model = model_class(args_class.from_dict(config))
    params = [(k, mx.ones(v.shape, mx.bfloat16) if "norm" in k else (mx.random.normal(v.shape) * 0.02).astype(mx.bfloat16))
              for k, v in tree_flatten(model.parameters())]
    model.update(tree_unflatten(params))
    mx.eval(model.parameters())
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_model(tmp, model, donate_model=False)
    save_config(config, config_path=tmp / "config.json")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


def run_python(model_dir, prompt, gen, shard):
    """Child process (a rank under mlx.launch when shard): prints one JSON line on rank 0."""
    import mlx.core as mx
    from mlx_lm.generate import stream_generate
    from mlx_lm.tokenizer_utils import TokenizerWrapper
    from mlx_lm.utils import load_model

    class NoTokenizer:
        eos_token_id = None
        bos_token = None
        chat_template = None

        def get_vocab(self):
            return {}

    class NullDetok:
        last_segment = ""

        def reset(self):
            pass

        def add_token(self, t):
            pass

        def finalize(self):
            pass

    group = mx.distributed.init() if shard else None
    model, _ = load_model(Path(model_dir), lazy=True, strict=False)
    if shard:
        model.shard(group)  # mlx_lm.utils.sharded_load's tensor-parallel path
    mx.eval(model.parameters())
    if shard:
        mx.eval(mx.distributed.all_sum(mx.array(1.0), stream=mx.cpu))
    tok = TokenizerWrapper(NoTokenizer(), detokenizer_class=lambda _: NullDetok(), eos_token_ids=[])
    last, toks = None, []
    for r in stream_generate(model, tok, mx.array(prompt), max_tokens=gen):
        last = r
        toks.append(r.token)
    if group is None or group.rank() == 0:
        print(json.dumps(dict(tokens=toks, prompt_tps=last.prompt_tps, generation_tps=last.generation_tps,
                              peak_memory_gb=last.peak_memory)), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2)
    ap.add_argument("--models", default="qwen3-4b,llama-3.1-8b")
    ap.add_argument("--backend", default="nccl", help="nccl (GPUs) or ring (CPU smoke test)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--gen-tokens", type=int, default=128)
    ap.add_argument("--mlxlm", default=str(ROOT / "bin" / "mlxlm"))
    ap.add_argument("--mlx-launch", default=str(Path(sys.executable).with_name("mlx.launch")))
    ap.add_argument("--models-dir", default="/tmp/hf2go-gpu/models")
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--run-python", nargs=4, metavar=("MODEL", "PROMPT", "GEN", "SHARD"), help=argparse.SUPPRESS)
    ap.add_argument("--build", nargs=2, metavar=("SHAPE", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run_python:
        m, p, g, s = a.run_python
        return run_python(m, [int(x) for x in p.split(",")], int(g), s == "1")
    if a.build:
        return build_model(a.build[0], Path(a.build[1]))

    os.environ.setdefault("NCCL_NVLS_ENABLE", "0")
    rows = []
    for name in a.models.split(","):
        d = Path(a.models_dir) / f"{name}-bf16"
        if not (d / "config.json").exists():
            subprocess.run([sys.executable, __file__, "--build", name, str(d)], check=True)
        cfg = json.loads((d / "config.json").read_text())
        rng = random.Random(0)
        prompt = ",".join(str(rng.randrange(1000, cfg["vocab_size"])) for _ in range(a.prompt_tokens))
        gen = ["generate", "--model", str(d), "--prompt-tokens", prompt, "--max-tokens", str(a.gen_tokens),
               "--temp", "0", "--json"]
        py = [sys.executable, __file__, "--run-python", str(d), prompt, str(a.gen_tokens)]
        cmds = {
            "go-1": [a.mlxlm] + gen,
            "go-tp": [a.mlxlm, "launch", "-n", str(a.n), "--backend", a.backend, "--"] + gen,
            "py-1": py + ["0"],
            "py-tp": [a.mlx_launch, "--backend", a.backend, "-n", str(a.n), "--"] + py + ["1"],
        }
        res = {k: [] for k in cmds}
        for rep in range(a.reps + 1):
            for k, cmd in cmds.items():
                p = subprocess.run(cmd, capture_output=True, text=True)
                lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
                if p.returncode != 0 or len(lines) != 1:
                    raise SystemExit(f"bench-tp: {k} on {name} failed (exit {p.returncode}):\n{p.stderr[-4000:]}")
                r = json.loads(lines[0])
                print(f"bench-tp: {name} {'warm-up' if rep == 0 else f'rep {rep}'} {k:5s}: prompt "
                      f"{r['prompt_tps']:9.1f} tok/s, generation {r['generation_tps']:7.2f} tok/s", file=sys.stderr)
                if rep > 0:
                    res[k].append(r)
        med = {k: {f: statistics.median(r[f] for r in v) for f in ("prompt_tps", "generation_tps")}
               for k, v in res.items()}
        same = res["go-tp"][0]["tokens"] == res["py-tp"][0]["tokens"]
        rows.append(dict(model=name, median=med, runs=res, tp_tokens_equal=same))

    print(f"\n{a.n} GPUs, {a.prompt_tokens}-token prompt, {a.gen_tokens} greedy tokens, median of {a.reps}\n")
    print("| model | gen tok/s Go 1 / TP | gen tok/s Py 1 / TP | Go/Py TP | TP speed-up Go / Py "
          "| prompt tok/s Go TP / Py TP | TP greedy tokens Go = Py |")
    print("|---|---|---|---:|---|---|---|")
    for r in rows:
        m = r["median"]
        g1, gt, p1, pt = (m[k]["generation_tps"] for k in ("go-1", "go-tp", "py-1", "py-tp"))
        print(f"| {r['model']} | {g1:.1f} / {gt:.1f} | {p1:.1f} / {pt:.1f} | {gt / pt:.2f} | {gt / g1:.2f} / {pt / p1:.2f} "
              f"| {m['go-tp']['prompt_tps']:.0f} / {m['py-tp']['prompt_tps']:.0f} | {r['tp_tokens_equal']} |")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
