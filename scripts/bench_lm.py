#!/usr/bin/env python3
"""make bench: mlx-lm (Python) and mlxlm (Go) side by side on the same
random-weight models, same prompt, same machine, alternating runs.

For each model (SHAPE:VARIANT with VARIANT bf16, f32, q4 (4-bit, group 64,
from bf16) or q4f32 (4-bit from float32, float32 scales and norms); built
once by scripts/make_model.py under .cache/bench/), each implementation runs
in its own process: load, then a 512-token prompt and 128 greedy tokens.
Both compute in the checkpoint's dtype (Go gets --dtype native: its CPU
default would move bf16 to float32 and compare different arithmetic).
Python's timings are those of mlx_lm.generate.stream_generate (prompt tok/s =
prompt tokens / time to the first token, generation tok/s = tokens / time
after it), Go's come from `mlxlm generate --prompt-tokens --json`, which
computes them the same way. Reported: the median over the repetitions, the
Go/Python ratios, MLX's peak memory of each side (and its ratio), and
generation tok/s as a fraction of the memory-bandwidth bound (bytes of
weights read per token / bandwidth of a plain copy). --json-out writes the
rows as JSON.

The default matrix (Qwen3-0.6B and Llama-3.2-1B, bf16 and 4-bit, and the small
Qwen3-Next- and Nemotron-H-shaped hybrids in bf16) takes
hours on a small CPU machine (MLX's CPU bf16 matmuls are slow); the CPU size
is `make bench-cpu` (mk/bench-lm.mk: the demo model's Llama shape, float32
and 4-bit, 64-token prompt, 32 tokens, 2 repetitions: minutes on 2 cores); the
hybrids' CPU size is `make bench-hybrid` (float32 and 4-bit).

An architecture the Go binary does not have is reported as skipped.

usage: bench_lm.py [--models qwen3-0.6b:bf16,llama-3.2-1b:q4 ...] [--reps 3]
                   [--prompt-tokens 512] [--gen-tokens 128] [--json-out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
ALL = ["qwen3-0.6b:bf16", "qwen3-0.6b:q4", "llama-3.2-1b:bf16", "llama-3.2-1b:q4",
       # the hybrid shapes (recurrent state + attention; make bench-hybrid is their CPU size)
       "qwen3-next-small:bf16", "nemotron-h-small:bf16"]


def run_python(model, prompt, gen):
    """Child process: mlx-lm's stream_generate on token ids, as JSON."""
    import mlx.core as mx
    from mlx_lm.generate import stream_generate
    from mlx_lm.tokenizer_utils import TokenizerWrapper
    from mlx_lm.utils import load_model

    class NoTokenizer:  # stream_generate needs a tokenizer; the text is not used
        eos_token_id = None
        bos_token = None
        chat_template = None

        def get_vocab(self):
            return {}

        def apply_chat_template(self, *args, **kwargs):  # mlx-lm >= 0.32 inspects it; never called
            raise NotImplementedError

    model, _ = load_model(Path(model))
    tok = TokenizerWrapper(NoTokenizer(), detokenizer_class=lambda _: _NullDetok(), eos_token_ids=[])
    last = None
    toks = []
    for r in stream_generate(model, tok, mx.array(prompt), max_tokens=gen):
        last = r
        toks.append(r.token)
    print(json.dumps(dict(tokens=toks, prompt_tps=last.prompt_tps, generation_tps=last.generation_tps,
                          peak_memory_gb=last.peak_memory)))


class _NullDetok:
    last_segment = ""

    def reset(self):
        pass

    def add_token(self, t):
        pass

    def finalize(self):
        pass


def copy_bandwidth():
    """GB/s of a plain memcpy (bytes read + bytes written per second), best of 5."""
    import numpy as np
    n = 256 << 20
    src = np.ones(n, dtype=np.uint8)
    dst = np.empty_like(src)
    best = 0.0
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = max(best, 2 * n / (time.perf_counter() - t) / 1e9)
    return best


def ensure_model(name):
    shape, q = name.split(":")
    d = ROOT / ".cache" / "bench" / f"{shape}-{q}"
    if (d / "config.json").exists():
        return d
    dtype = "float32" if q in ("f32", "q4f32") else "bfloat16"
    if q not in ("bf16", "f32", "q4", "q4f32"):
        raise SystemExit(f"bench: {name}: variant {q!r} is not one of bf16, f32, q4, q4f32")
    args = [PY, str(ROOT / "scripts" / "make_model.py"), str(d), "--shape", shape, "--dtype", dtype, "--no-eos"]
    if q.startswith("q4"):
        args += ["--q-bits", "4", "--q-group-size", "64"]
    print(f"bench: building {name} with mlx-lm -> {d}", file=sys.stderr, flush=True)
    subprocess.run(args, check=True)
    return d


def weight_bytes(d):
    return sum(f.stat().st_size for f in d.glob("model*.safetensors"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=",".join(ALL))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--gen-tokens", type=int, default=128)
    ap.add_argument("--mlxlm", default=str(ROOT / "bin" / "mlxlm"))
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--run-python", nargs=3, metavar=("MODEL", "PROMPT", "GEN"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run_python:
        m, p, g = a.run_python
        return run_python(m, [int(x) for x in p.split(",")], int(g))

    import random
    bw = copy_bandwidth()
    print(f"bench: copy bandwidth {bw:.1f} GB/s (read+write), {os.cpu_count()} CPUs; "
          f"{a.prompt_tokens}-token prompt, {a.gen_tokens} greedy tokens, median of {a.reps}", flush=True)
    rows, skipped = [], []
    for name in a.models.split(","):
        d = ensure_model(name)
        cfg = json.loads((d / "config.json").read_text())
        rng = random.Random(0)
        prompt = ",".join(str(rng.randrange(min(1000, cfg["vocab_size"] // 2), cfg["vocab_size"])) for _ in range(a.prompt_tokens))
        res = {"python": [], "go": []}
        skip = None
        for rep in range(a.reps):
            for impl in ("python", "go"):
                if impl == "python":
                    cmd = [PY, __file__, "--run-python", str(d), prompt, str(a.gen_tokens)]
                else:
                    cmd = [a.mlxlm, "generate", "--model", str(d), "--dtype", "native", "--prompt-tokens", prompt,
                           "--max-tokens", str(a.gen_tokens), "--temp", "0", "--json"]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    if impl == "go" and "not supported" in p.stderr:
                        skip = f"{name}: skipped, {cfg['model_type']} is not a generated architecture ({p.stderr.strip()})"
                        break
                    raise SystemExit(f"bench: {impl} on {name} failed:\n{p.stderr}")
                r = json.loads(p.stdout.strip().splitlines()[-1])
                if len(r["tokens"]) != a.gen_tokens:
                    raise SystemExit(f"bench: {impl} on {name} generated {len(r['tokens'])} tokens, not {a.gen_tokens}")
                res[impl].append(r)
                print(f"bench: {name} rep {rep + 1} {impl:6s}: prompt {r['prompt_tps']:8.1f} tok/s, "
                      f"generation {r['generation_tps']:7.2f} tok/s, peak {r['peak_memory_gb']:.3f} GB",
                      file=sys.stderr, flush=True)
            if skip:
                break
        if skip:
            skipped.append(skip)
            continue
        same = res["python"][0]["tokens"] == res["go"][0]["tokens"]
        med = {k: {f: statistics.median(r[f] for r in v) for f in ("prompt_tps", "generation_tps", "peak_memory_gb")}
               for k, v in res.items()}
        wb = weight_bytes(d)
        bound = bw * 1e9 / wb
        rows.append((name, med, wb, bound, same))

    hdr = (f"{'model':18s} {'weights':>8s} | {'prompt tok/s':>21s} {'Go/Py':>6s} | {'generation tok/s':>17s} {'Go/Py':>6s} "
           f"| {'peak GB':>13s} {'Go/Py':>6s} | {'bound':>6s} {'Py %bw':>6s} {'Go %bw':>6s} | tokens")
    print(hdr)
    print(f"{'':18s} {'':8s} | {'Python':>10s} {'Go':>10s} {'':6s} | {'Python':>8s} {'Go':>8s} {'':6s} "
          f"| {'Python':>6s} {'Go':>6s} {'':6s} | {'tok/s':>6s}")
    out = []
    for name, med, wb, bound, same in rows:
        py, go = med["python"], med["go"]
        print(f"{name:18s} {wb / 1e9:7.2f}G | {py['prompt_tps']:10.1f} {go['prompt_tps']:10.1f} "
              f"{go['prompt_tps'] / py['prompt_tps']:6.2f} | {py['generation_tps']:8.2f} {go['generation_tps']:8.2f} "
              f"{go['generation_tps'] / py['generation_tps']:6.2f} "
              f"| {py['peak_memory_gb']:6.3f} {go['peak_memory_gb']:6.3f} {go['peak_memory_gb'] / py['peak_memory_gb']:6.2f} "
              f"| {bound:6.1f} {100 * py['generation_tps'] / bound:5.1f}% "
              f"{100 * go['generation_tps'] / bound:5.1f}% | {'equal' if same else 'DIFFER'}")
        out.append(dict(model=name, weight_bytes=wb, python=py, go=go, bound_tps=bound, tokens_equal=same))
    for s in skipped:
        print(s)
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(dict(copy_gbs=bw, reps=a.reps, prompt_tokens=a.prompt_tokens,
                                                    gen_tokens=a.gen_tokens, rows=out, skipped=skipped), indent=1))


if __name__ == "__main__":
    main()
