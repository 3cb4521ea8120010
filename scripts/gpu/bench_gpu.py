#!/usr/bin/env python3
"""GPU benchmark: mlx-lm (Python) vs mlxlm (Go) on the same MLX-CUDA, same GPU.

The protocol is make bench's (scripts/bench_lm.py), on realistic shapes for a
GPU: random-weight Llama-3.2-1B and Qwen3-4B, bf16 and 4-bit (group 64), built
by mlx-lm itself into --models-dir (default /tmp/hf2go-gpu/models; 4B bf16 is
8 GB, so not under the repository). Each implementation runs in its own
process: load, a --prompt-tokens prompt of random ids, --gen-tokens greedy
tokens. Python's timings are mlx_lm.generate.stream_generate's (prompt tok/s
= prompt tokens / time to the first token, generation tok/s = tokens / time
after it); Go's come from `mlxlm generate --prompt-tokens --json`, computed
the same way. Python and Go alternate, one warm-up pair per model is not
counted (it fills MLX's PTX cache, /tmp/mlx/<version>/ptx, and the page
cache), and the median of --reps is reported with the Go/Python ratios.

Memory-bandwidth bound: a decode step reads every weight once (the tied
embedding is read as the LM head; the KV cache of <= 640 positions is
negligible next to >= 0.7 GB of weights), so tok/s <= bandwidth / weight
bytes. Two bandwidths are reported: a device-to-device copy measured through
MLX on this GPU (bytes read + written per second) and the card's datasheet
figure (--datasheet-gbs, H200 HBM3e: 4800 GB/s; H100 SXM5: 3350). For the MoE shape
the bound counts the weights a token reads: everything but the unused experts
(8 of 128 per layer), i.e. the active bytes.

usage: bench_gpu.py [--models llama-3.2-1b:bf16,...] [--reps 3] [--prompt-tokens 512]
                    [--gen-tokens 128] [--mlxlm bin/mlxlm] [--json-out FILE]
"""
import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ALL = ["llama-3.2-1b:bf16", "llama-3.2-1b:q4", "qwen3-4b:bf16", "qwen3-4b:q4"]

# Hugging Face configs of meta-llama/Llama-3.2-1B and Qwen/Qwen3-4B, eos dropped:
# a benchmark generates a fixed number of tokens.
SHAPES = {
    "llama-3.2-1b": dict(model_type="llama", hidden_size=2048, num_hidden_layers=16, intermediate_size=8192,
                         num_attention_heads=32, num_key_value_heads=8, head_dim=64, rms_norm_eps=1e-5,
                         vocab_size=128256, rope_theta=500000.0, tie_word_embeddings=True,
                         max_position_embeddings=131072,
                         rope_scaling={"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                       "original_max_position_embeddings": 8192, "rope_type": "llama3"}),
    "qwen3-4b": dict(model_type="qwen3", hidden_size=2560, num_hidden_layers=36, intermediate_size=9728,
                     num_attention_heads=32, num_key_value_heads=8, head_dim=128, rms_norm_eps=1e-6,
                     vocab_size=151936, rope_theta=1000000.0, tie_word_embeddings=True,
                     max_position_embeddings=40960),
    # Qwen/Qwen3-30B-A3B: 48 layers of 128 experts (8 active, 768 wide), ~3B parameters active per token.
    "qwen3-30b-a3b": dict(model_type="qwen3_moe", hidden_size=2048, num_hidden_layers=48, intermediate_size=6144,
                          moe_intermediate_size=768, num_experts=128, num_experts_per_tok=8, norm_topk_prob=True,
                          decoder_sparse_step=1, mlp_only_layers=[], num_attention_heads=32, num_key_value_heads=4,
                          head_dim=128, rms_norm_eps=1e-6, vocab_size=151936, rope_theta=1000000.0,
                          tie_word_embeddings=False, max_position_embeddings=40960),
    # dry runs of the scripts on a CPU (scripts/gpu/round3.sh with LOCAL=1): the same code paths, tiny
    "tiny-llama": dict(model_type="llama", hidden_size=128, num_hidden_layers=2, intermediate_size=256,
                       num_attention_heads=4, num_key_value_heads=2, head_dim=32, rms_norm_eps=1e-5,
                       vocab_size=1024, rope_theta=10000.0, tie_word_embeddings=True, max_position_embeddings=4096),
    "tiny-moe": dict(model_type="qwen3_moe", hidden_size=128, num_hidden_layers=2, intermediate_size=256,
                     moe_intermediate_size=64, num_experts=8, num_experts_per_tok=2, norm_topk_prob=True,
                     decoder_sparse_step=1, mlp_only_layers=[], num_attention_heads=4, num_key_value_heads=2,
                     head_dim=32, rms_norm_eps=1e-6, vocab_size=1024, rope_theta=1000000.0,
                     tie_word_embeddings=False, max_position_embeddings=4096),
}


def build_model(shape, q, out):
    """Random-weight checkpoint saved by mlx-lm (as scripts/make_model.py does)."""
    import mlx.core as mx
    from mlx.utils import tree_flatten, tree_unflatten
    from mlx_lm.utils import _get_classes, quantize_model, save_config, save_model

    config = dict(SHAPES[shape])
    mx.random.seed(0)
    model_class, args_class = _get_classes(config)
    model = model_class(args_class.from_dict(config))
    params = []
    for k, v in tree_flatten(model.parameters()):
        if "norm" in k:
            params.append((k, mx.ones(v.shape, mx.bfloat16)))
        else:
            params.append((k, (mx.random.normal(v.shape) * 0.05).astype(mx.bfloat16)))
        mx.eval(params[-1][1])  # one at a time: the 30B MoE's float32 draws would not fit at once
    model.update(tree_unflatten(params))
    mx.eval(model.parameters())
    if q == "q4":
        model, config = quantize_model(model, config, 64, 4)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_model(tmp, model, donate_model=False)
    save_config(config, config_path=tmp / "config.json")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


class _NullDetok:
    last_segment = ""

    def reset(self):
        pass

    def add_token(self, t):
        pass

    def finalize(self):
        pass


def run_python(model_dir, prompt, gen):
    """Child process: mlx-lm's stream_generate on token ids; prints one JSON line."""
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

    model, _ = load_model(Path(model_dir))
    tok = TokenizerWrapper(NoTokenizer(), detokenizer_class=lambda _: _NullDetok(), eos_token_ids=[])
    last, toks = None, []
    for r in stream_generate(model, tok, mx.array(prompt), max_tokens=gen):
        last = r
        toks.append(r.token)
    print(json.dumps(dict(tokens=toks, prompt_tps=last.prompt_tps, generation_tps=last.generation_tps,
                          peak_memory_gb=last.peak_memory, device=str(mx.default_device()))))


def probe_python(model_dir, prompt, gen, runs):
    """Child process, the Python half of --probe (scripts/gpu/memprobe is the
    Go half): load_model, then `runs` stream_generate calls on one model, MLX's
    active/peak/cache memory after the load and after each run's prefill and
    end (the peak is reset before each run after the first); one JSON line."""
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

        def apply_chat_template(self, *args, **kwargs):
            raise NotImplementedError

    def mem():
        return dict(active_gb=mx.get_active_memory() / 1e9, peak_gb=mx.get_peak_memory() / 1e9,
                    cache_gb=mx.get_cache_memory() / 1e9)

    t = time.perf_counter()
    model, _ = load_model(Path(model_dir))
    out = dict(impl="python", load_s=time.perf_counter() - t, after_load=mem(), runs=[])
    tok = TokenizerWrapper(NoTokenizer(), detokenizer_class=lambda _: _NullDetok(), eos_token_ids=[])
    for i in range(runs):
        if i > 0:
            mx.reset_peak_memory()
        r = dict(tokens=[], step_ms=[])
        last = None
        for n, resp in enumerate(stream_generate(model, tok, mx.array(prompt), max_tokens=gen)):
            now = time.perf_counter()
            if n == 0:
                r["after_prefill"] = mem()
            else:
                r["step_ms"].append((now - last) * 1000)
            last = now
            r["tokens"].append(resp.token)
            r["prompt_tps"], r["generation_tps"] = resp.prompt_tps, resp.generation_tps
        r["end"] = mem()
        out["runs"].append(r)
    print(json.dumps(out))


def probe(a):
    """--probe: per model, Python's and Go's probe processes (alternating,
    --reps pairs), both printed and written to --json-out."""
    memprobe = a.memprobe
    res = []
    for name in a.models.split(","):
        shape, q = name.split(":")
        d = Path(a.models_dir) / f"{shape}-{q}"
        if not (d / "config.json").exists():
            subprocess.run([sys.executable, __file__, "--build", shape, q, str(d)], check=True)
        cfg = json.loads((d / "config.json").read_text())
        rng = random.Random(0)
        prompt = ",".join(str(rng.randrange(1000, cfg["vocab_size"])) for _ in range(a.prompt_tokens))
        for rep in range(a.reps):
            for impl in ("python", "go"):
                if impl == "python":
                    cmd = [sys.executable, __file__, "--probe-python", str(d), prompt, str(a.gen_tokens), str(a.probe_runs)]
                else:
                    cmd = [memprobe, "-model", str(d), "-prompt-tokens", prompt, "-max-tokens", str(a.gen_tokens),
                           "-runs", str(a.probe_runs), "-dtype", a.probe_dtype, "-loops", a.probe_loops] + a.probe_go_flags.split()
                p = subprocess.run(a.taskset + cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    raise SystemExit(f"bench-gpu: probe {impl} on {name} failed:\n{p.stderr[-4000:]}")
                r = json.loads(p.stdout.strip().splitlines()[-1])
                r.update(model=name, rep=rep)
                res.append(r)
                runs = "; ".join(
                    f"run {i + 1}: prompt {x['prompt_tps']:.0f} tok/s, gen {x['generation_tps']:.1f} tok/s, "
                    f"peak after prefill {x['after_prefill']['peak_gb']:.3f} GB, peak {x['end']['peak_gb']:.3f} GB, "
                    f"active at end {x['end']['active_gb']:.3f} GB" for i, x in enumerate(r["runs"]))
                print(f"bench-gpu: probe {name} {impl:6s}: load {r['load_s']:.2f}s, after load active "
                      f"{r['after_load']['active_gb']:.3f} GB peak {r['after_load']['peak_gb']:.3f} GB; {runs}",
                      flush=True)
                if a.json_out:
                    Path(a.json_out).write_text(json.dumps(res, indent=1))
        probe_summary(name, [r for r in res if r["model"] == name])


def probe_summary(name, res):
    """Medians over every warm run (all but each process's first, which pays the process's one-time costs) and
    over processes: generation and prompt tok/s and peak per side (Go's per decode loop), and Go/Python."""
    warm = {}
    for r in res:
        for x in r["runs"][1:]:
            k = "python" if r["impl"] == "python" else f"go-{x.get('loop', 'ahead')}"
            warm.setdefault(k, []).append(x)
    if "python" not in warm:
        return
    def pct(v, q):  # the q-quantile of every step of the runs v
        steps = sorted(t for x in v for t in x.get("step_ms", []))
        return steps[min(len(steps) - 1, int(q * len(steps)))] if steps else float("nan")
    med = {k: {f: statistics.median(x[f] for x in v) for f in ("generation_tps", "prompt_tps")} |
           {"peak_gb": statistics.median(x["end"]["peak_gb"] for x in v), "n": len(v),
            "p10": pct(v, 0.1), "p50": pct(v, 0.5)} for k, v in warm.items()}
    py = med["python"]
    for k, m in sorted(med.items()):
        print(f"bench-gpu: probe {name} warm {k:10s} ({m['n']} runs): generation {m['generation_tps']:7.1f} tok/s "
              f"({m['generation_tps'] / py['generation_tps']:.2f} of Python), prompt {m['prompt_tps']:8.0f} tok/s "
              f"({m['prompt_tps'] / py['prompt_tps']:.2f}), peak {m['peak_gb']:.3f} GB ({m['peak_gb'] / py['peak_gb']:.2f}); "
              f"step p50 {m['p50']:.3f} ms ({py['p50'] / m['p50']:.2f}), p10 {m['p10']:.3f} ms ({py['p10'] / m['p10']:.2f})",
              flush=True)


def _dot_census(arrays):
    """Primitive name -> count of the unevaluated graph below arrays (mx.export_to_dot's rectangles)."""
    import collections
    import os
    import re
    import tempfile

    import mlx.core as mx
    fd, path = tempfile.mkstemp(suffix=".dot")
    os.close(fd)
    try:
        mx.export_to_dot(path, *arrays)
        text = Path(path).read_text()
    finally:
        os.unlink(path)
    return collections.Counter(re.findall(r'label ="([^"]+)", shape=rectangle', text))


def census_python(model_dir, prompt):
    """Child process, the Python half of --census: generate_step's prefill graph
    (all but the last prompt token; what mx.eval([c.state ...]) runs) and one step
    after it (logits[:, -1, :], log-softmax, greedy), as primitive counts."""
    import mlx.core as mx
    from mlx_lm.models.cache import make_prompt_cache
    from mlx_lm.utils import load_model

    model, _ = load_model(Path(model_dir))
    cache = make_prompt_cache(model)
    p = mx.array(prompt)
    model(p[:-1][None], cache=cache)
    states = [a for c in cache for a in c.state if isinstance(a, mx.array)]
    prefill = _dot_census(states)
    mx.eval(states)
    logits = model(p[-1:][None], cache=cache)[:, -1, :]
    lp = logits - mx.logsumexp(logits, keepdims=True)
    y = mx.argmax(lp, axis=-1)
    step = _dot_census([y, lp.squeeze(0)])
    print(json.dumps(dict(impl="python", prefill=prefill, step=step)))


def census(a):
    """--census: per model, the primitives of Python's and Go's prefill and decode-step graphs, side by side."""
    out = []
    for name in a.models.split(","):
        shape, q = name.split(":")
        d = Path(a.models_dir) / f"{shape}-{q}"
        if not (d / "config.json").exists():
            subprocess.run([sys.executable, __file__, "--build", shape, q, str(d)], check=True)
        cfg = json.loads((d / "config.json").read_text())
        rng = random.Random(0)
        prompt = ",".join(str(rng.randrange(1000, cfg["vocab_size"])) for _ in range(a.prompt_tokens))
        res = {}
        for impl, cmd in (("python", [sys.executable, __file__, "--census-python", str(d), prompt]),
                          ("go", [a.memprobe, "-census", "-model", str(d), "-prompt-tokens", prompt,
                                  "-dtype", a.probe_dtype])):
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit(f"bench-gpu: census {impl} on {name} failed:\n{p.stderr[-4000:]}")
            r = json.loads(p.stdout.strip().splitlines()[-1])
            if impl == "go":  # "name count" lines
                r = {k: dict((ln.rsplit(" ", 1)[0], int(ln.rsplit(" ", 1)[1])) for ln in r[k].splitlines())
                     for k in ("prefill", "step")}
            res[impl] = r
        for g in ("prefill", "step"):
            py, go = res["python"][g], res["go"][g]
            diff = {k: (py.get(k, 0), go.get(k, 0)) for k in sorted(set(py) | set(go)) if py.get(k, 0) != go.get(k, 0)}
            print(f"bench-gpu: census {name} {g}: python {sum(py.values())} primitives, go {sum(go.values())}; "
                  f"differing (python, go): {diff if diff else 'none'}", flush=True)
            out.append(dict(model=name, graph=g, python=py, go=go))
        if a.json_out:
            Path(a.json_out).write_text(json.dumps(out, indent=1))


def copy_bandwidth(gib=4.0):
    """GB/s of a device-to-device copy through MLX (bytes read + written), best of 20."""
    import mlx.core as mx
    n = int(gib * (1 << 28))  # gib GiB of float32
    a = mx.ones((n,), mx.float32)
    mx.eval(a)
    best = 0.0
    for i in range(23):
        mx.synchronize()
        t = time.perf_counter()
        b = a + 1.0
        mx.eval(b)
        mx.synchronize()
        dt = time.perf_counter() - t
        del b
        if i >= 3:
            best = max(best, 2 * 4 * n / dt / 1e9)
    return best


def active_bytes(d, cfg):
    """Weight bytes one token reads in an MoE checkpoint: every tensor, but of
    the stacked expert tensors (switch_mlp.*) only top_k of num_experts."""
    import mlx.core as mx
    total = 0
    for f in d.glob("model*.safetensors"):
        for k, v in mx.load(str(f)).items():
            n = v.nbytes
            if ".switch_mlp." in k:
                n = n * cfg["num_experts_per_tok"] // cfg["num_experts"]
            total += n
    return total


def gpu_info():
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = "unknown (nvidia-smi failed)"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default=",".join(ALL))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1, help="untimed Python+Go pairs per model first")
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--gen-tokens", type=int, default=128)
    ap.add_argument("--mlxlm", default=str(ROOT / "bin" / "mlxlm"))
    ap.add_argument("--alt", default="",
                    help="NAME=PATH[,NAME=PATH...]: other mlxlm binaries (e.g. an older commit) run in each rep after "
                         "Go, reported beside it, for an A/B in one run")
    ap.add_argument("--models-dir", default="/tmp/hf2go-gpu/models")
    ap.add_argument("--datasheet-gbs", type=float, default=4800.0)
    ap.add_argument("--json-out", default=None, help="written after each model, so a cut run keeps what finished")
    ap.add_argument("--copy-gib", type=float, default=4.0, help="size of the copy that measures the bandwidth")
    ap.add_argument("--run-python", nargs=3, metavar=("MODEL", "PROMPT", "GEN"), help=argparse.SUPPRESS)
    ap.add_argument("--build", nargs=3, metavar=("SHAPE", "Q", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--probe", action="store_true",
                    help="stage-by-stage memory and first-run costs (probe_python vs scripts/gpu/memprobe), not the table")
    ap.add_argument("--census", action="store_true",
                    help="the primitives of each side's prefill and decode-step graphs (memprobe -census), not the table")
    ap.add_argument("--census-python", nargs=2, metavar=("MODEL", "PROMPT"), help=argparse.SUPPRESS)
    ap.add_argument("--probe-runs", type=int, default=2, help="generations per probe process")
    ap.add_argument("--probe-loops", default="ahead", help="memprobe's -loops: Go's decode loops the runs cycle through")
    ap.add_argument("--probe-go-flags", default="", help="more memprobe flags (e.g. -lock-main)")
    ap.add_argument("--taskset", default="", help="CPU list: run every timed child process under taskset -c (both sides)")
    ap.add_argument("--memprobe", default=str(ROOT / "bin" / "memprobe"))
    ap.add_argument("--probe-dtype", default="auto", help="memprobe's -dtype (native on a CPU, to compare like with like)")
    ap.add_argument("--probe-python", nargs=4, metavar=("MODEL", "PROMPT", "GEN", "RUNS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.taskset = ["taskset", "-c", a.taskset] if a.taskset else []
    if a.run_python:
        m, p, g = a.run_python
        return run_python(m, [int(x) for x in p.split(",")], int(g))
    if a.build:
        return build_model(a.build[0], a.build[1], Path(a.build[2]))
    if a.probe_python:
        m, p, g, n = a.probe_python
        return probe_python(m, [int(x) for x in p.split(",")], int(g), int(n))
    if a.probe:
        return probe(a)
    if a.census_python:
        return census_python(a.census_python[0], [int(x) for x in a.census_python[1].split(",")])
    if a.census:
        return census(a)

    import mlx.core as mx
    import mlx_lm
    info = dict(gpu=gpu_info(), mlx=mx.__version__, mlx_lm=mlx_lm.__version__, device=str(mx.default_device()))
    bw = copy_bandwidth(a.copy_gib)
    info.update(copy_gbs=bw, datasheet_gbs=a.datasheet_gbs, prompt_tokens=a.prompt_tokens,
                gen_tokens=a.gen_tokens, reps=a.reps)
    print(f"bench-gpu: {info['gpu']}; mlx {info['mlx']} ({info['device']}), mlx-lm {info['mlx_lm']}; "
          f"MLX device copy {bw:.0f} GB/s (read+write), datasheet {a.datasheet_gbs:.0f} GB/s; "
          f"{a.prompt_tokens}-token prompt, {a.gen_tokens} greedy tokens, median of {a.reps} after {a.warmup} warm-up",
          flush=True)
    rows = []
    for name in a.models.split(","):
        shape, q = name.split(":")
        d = Path(a.models_dir) / f"{shape}-{q}"
        if not (d / "config.json").exists():
            t = time.time()
            subprocess.run([sys.executable, __file__, "--build", shape, q, str(d)], check=True)
            print(f"bench-gpu: built {name} with mlx-lm in {time.time() - t:.0f}s -> {d}", file=sys.stderr, flush=True)
        cfg = json.loads((d / "config.json").read_text())
        rng = random.Random(0)
        prompt = ",".join(str(rng.randrange(1000, cfg["vocab_size"])) for _ in range(a.prompt_tokens))
        alts = dict(x.split("=", 1) for x in a.alt.split(",") if x)
        res = {"python": [], "go": [], **{k: [] for k in alts}}
        for rep in range(1 - a.warmup, a.reps + 1):
            for impl in res:
                if impl == "python":
                    cmd = [sys.executable, __file__, "--run-python", str(d), prompt, str(a.gen_tokens)]
                else:
                    cmd = [alts.get(impl, a.mlxlm), "generate", "--model", str(d), "--prompt-tokens", prompt,
                           "--max-tokens", str(a.gen_tokens), "--temp", "0", "--json"]
                t = time.time()
                p = subprocess.run(cmd, capture_output=True, text=True)
                wall = time.time() - t
                if p.returncode != 0:
                    raise SystemExit(f"bench-gpu: {impl} on {name} failed:\n{p.stderr[-4000:]}")
                r = json.loads(p.stdout.strip().splitlines()[-1])
                r["wall_s"] = wall
                if len(r["tokens"]) != a.gen_tokens:
                    raise SystemExit(f"bench-gpu: {impl} on {name} generated {len(r['tokens'])} tokens, "
                                     f"not {a.gen_tokens}")
                tag = "warm-up" if rep <= 0 else f"rep {rep}"
                print(f"bench-gpu: {name} {tag} {impl:6s}: prompt {r['prompt_tps']:9.1f} tok/s, generation "
                      f"{r['generation_tps']:7.2f} tok/s, peak {r['peak_memory_gb']:.2f} GB, process {wall:.1f}s",
                      file=sys.stderr, flush=True)
                if rep > 0:
                    res[impl].append(r)
        first = {k: v[0]["tokens"] for k, v in res.items()}
        match = sum(1 for x, y in zip(first["python"], first["go"]) if x == y)
        prefix = next((i for i, (x, y) in enumerate(zip(first["python"], first["go"])) if x != y), a.gen_tokens)
        med = {k: {f: statistics.median(r[f] for r in v) for f in ("prompt_tps", "generation_tps", "peak_memory_gb")}
               for k, v in res.items()}
        wb = sum(f.stat().st_size for f in d.glob("model*.safetensors"))
        if cfg.get("num_experts"):
            # bytes a decoded token reads: all but the experts it does not route to
            wb = active_bytes(d, cfg)
        # run-to-run repeatability of each side's greedy tokens (GPU kernels need not be deterministic)
        repeat = {k: all(r["tokens"] == v[0]["tokens"] for r in v) for k, v in res.items()}
        for k in alts:
            pairs = [g["generation_tps"] / p["generation_tps"] for p, g in zip(res["python"], res[k])]
            print(f"bench-gpu: {name} alt {k}: generation median {med[k]['generation_tps']:.1f} tok/s, "
                  f"/Python {med[k]['generation_tps'] / med['python']['generation_tps']:.2f}, /Go "
                  f"{med[k]['generation_tps'] / med['go']['generation_tps']:.2f}; per-rep /Python "
                  f"{' '.join(f'{x:.2f}' for x in pairs)}; prompt /Python "
                  f"{med[k]['prompt_tps'] / med['python']['prompt_tps']:.2f}; peak /Python "
                  f"{med[k]['peak_memory_gb'] / med['python']['peak_memory_gb']:.2f}", flush=True)
        rows.append(dict(model=name, weight_bytes=wb, python=med["python"], go=med["go"], repeatable=repeat,
                         alts={k: med[k] for k in alts},
                         runs={k: [(r["prompt_tps"], r["generation_tps"]) for r in v] for k, v in res.items()},
                         bound_copy=bw * 1e9 / wb, bound_datasheet=a.datasheet_gbs * 1e9 / wb,
                         tokens_equal_prefix=prefix, tokens_equal=match))
        if a.json_out:
            Path(a.json_out).write_text(json.dumps(dict(info=info, rows=rows), indent=1))

    print()
    print(f"| model | weights | prompt tok/s Python | prompt tok/s Go | Go/Py | gen tok/s Python | gen tok/s Go | Go/Py "
          f"| peak GB Python | peak GB Go | Go/Py | bound (copy / datasheet) tok/s | Py % of bound | Go % of bound "
          f"| greedy tokens equal |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        py, go = r["python"], r["go"]
        print(f"| {r['model']} | {r['weight_bytes'] / 1e9:.2f} GB | {py['prompt_tps']:.0f} | {go['prompt_tps']:.0f} | "
              f"{go['prompt_tps'] / py['prompt_tps']:.2f} | {py['generation_tps']:.1f} | {go['generation_tps']:.1f} | "
              f"{go['generation_tps'] / py['generation_tps']:.2f} | {py['peak_memory_gb']:.2f} | {go['peak_memory_gb']:.2f} | "
              f"{go['peak_memory_gb'] / py['peak_memory_gb']:.2f} | {r['bound_copy']:.0f} / {r['bound_datasheet']:.0f} | "
              f"{100 * py['generation_tps'] / r['bound_copy']:.0f}% / {100 * py['generation_tps'] / r['bound_datasheet']:.0f}% | "
              f"{100 * go['generation_tps'] / r['bound_copy']:.0f}% / {100 * go['generation_tps'] / r['bound_datasheet']:.0f}% | "
              f"first {r['tokens_equal_prefix']} of {a.gen_tokens} (same position: {r['tokens_equal']}; "
              f"repeatable over reps: Py {r['repeatable']['python']}, Go {r['repeatable']['go']}) |")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(dict(info=info, rows=rows), indent=1))


if __name__ == "__main__":
    main()
