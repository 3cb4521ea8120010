#!/usr/bin/env python3
"""make bench-server: `mlxlm server` against `mlx_lm.server` (from the venv)
on the same model and machine, alternating which goes first, at 1, 4 and 16
concurrent clients. Each client streams chat completions (temperature 0,
distinct prompts so the prompt cache gives neither an edge); the numbers are
aggregate generated tokens per second over the wall time of a round, and the
p50/p95 time to first token. Each client is a process of its own (--threads:
threads of this one, whose shared GIL caps what a round can measure). For
mlxlm it also prints the scheduler's wall time by phase (its /metrics).

usage: bench_server.py --mlxlm BIN --model DIR [--tokens 48] [--rounds 2]
                       [--clients 1,4,16] [--requests 2] [--only mlxlm|mlx_lm]
                       [--base-mlxlm BIN] [--go-args "--pprof 127.0.0.1:6060"]

--base-mlxlm adds a third server, another mlxlm binary (e.g. main's), measured
in the same alternating rounds: a side-by-side of two Go builds against the
same mlx_lm.server. --only measures one server alone (for profiling).
"""
import argparse
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

try:
    import httpx2 as httpx
except ImportError:  # a machine without the venv (scripts/gpu/round3.sh on the GPU host) has httpx itself
    import httpx


def wait_ready(url, proc, timeout=300):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before it was ready")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not ready after {timeout}s")


def one_request(url, i, tokens):
    body = dict(model="default_model", stream=True, max_tokens=tokens, temperature=0,
                stream_options=dict(include_usage=True),
                messages=[dict(role="user", content=f"Request {i}: write about the number {i * 7919 % 1000}.")])
    t0 = time.perf_counter()
    ttft, n = None, 0
    with httpx.stream("POST", url + "/v1/chat/completions", json=body, timeout=300) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                n = chunk["usage"]["completion_tokens"]
            for c in chunk.get("choices", []):
                if ttft is None and (c.get("delta", {}).get("content") or c.get("finish_reason")):
                    ttft = time.perf_counter() - t0
    return ttft, n


def _client(url, c, requests, tokens, base, go, out):
    """One client process: waits for go, then its requests in sequence."""
    go.wait()
    res = []
    for k in range(requests):
        try:
            res.append(one_request(url, base + c * requests + k, tokens))
        except Exception as e:  # noqa: BLE001 - reported by run_round
            res.append(repr(e))
    out.put(res)


def run_round(url, clients, requests, tokens, base, procs=True):
    """Each client in its own process (procs, the default): 16 threads of one
    Python process parsing SSE share one GIL and cap the rate the round can
    measure. The processes are started before the clock and released together."""
    ttfts, counts, errors = [], [], []
    if procs:
        ctx = multiprocessing.get_context("fork")
        go, out = ctx.Event(), ctx.Queue()
        ps = [ctx.Process(target=_client, args=(url, c, requests, tokens, base, go, out)) for c in range(clients)]
        for p in ps:
            p.start()
        time.sleep(0.2)
        t0 = time.perf_counter()
        go.set()
        results = [out.get() for _ in ps]
        wall = time.perf_counter() - t0
        for p in ps:
            p.join()
        for res in results:
            for r in res:
                if isinstance(r, str):
                    errors.append(r)
                else:
                    ttfts.append(r[0])
                    counts.append(r[1])
    else:
        def worker(c):
            for k in range(requests):
                try:
                    t, n = one_request(url, base + c * requests + k, tokens)
                    ttfts.append(t)
                    counts.append(n)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"{url}: {len(errors)} requests failed: {errors[:3]}")
    return sum(counts) / wall, ttfts


def sched_phases(url):
    """mlxlm's scheduler seconds by phase and its decode steps (from /metrics); {} for mlx_lm."""
    try:
        text = httpx.get(url + "/metrics", timeout=10).text
    except httpx.HTTPError:
        return {}
    out = {}
    for line in text.splitlines():
        if line.startswith("mlxlm_scheduler_seconds_total{phase="):
            name = line.split('"')[1]
            out[name] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("mlxlm_decode_steps_total "):
            out["steps"] = float(line.rsplit(" ", 1)[1])
    return out if "steps" in out and "build" in out else {}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlxlm", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--requests", type=int, default=2, help="requests per client per round")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--go-port", type=int, default=18601)
    ap.add_argument("--py-port", type=int, default=18602)
    ap.add_argument("--python", default=sys.executable, help="the interpreter whose mlx_lm.server is measured")
    ap.add_argument("--base-mlxlm", default=None, help="a second mlxlm binary measured beside --mlxlm")
    ap.add_argument("--base-port", type=int, default=18603)
    ap.add_argument("--only", choices=["mlxlm", "mlx_lm"], default=None)
    ap.add_argument("--go-args", default="", help="extra arguments for --mlxlm's server (space-separated)")
    ap.add_argument("--threads", action="store_true", help="clients as threads of this process (the old protocol)")
    args = ap.parse_args()

    # a SIGTERM (timeout(1)) runs the finally below, which stops both servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    procs, servers = {}, {}
    if args.only in (None, "mlxlm"):
        procs["mlxlm"] = subprocess.Popen([args.mlxlm, "server", "--model", args.model, "--port", str(args.go_port),
                                           "--log-level", "ERROR"] + args.go_args.split(),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        servers["mlxlm"] = f"http://127.0.0.1:{args.go_port}"
    if args.base_mlxlm and args.only is None:
        procs["base"] = subprocess.Popen([args.base_mlxlm, "server", "--model", args.model, "--port", str(args.base_port),
                                          "--log-level", "ERROR"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         env=env)
        servers["base"] = f"http://127.0.0.1:{args.base_port}"
    if args.only in (None, "mlx_lm"):
        procs["mlx_lm"] = subprocess.Popen([args.python, "-m", "mlx_lm", "server", "--model", args.model, "--port",
                                            str(args.py_port), "--log-level", "ERROR"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        servers["mlx_lm"] = f"http://127.0.0.1:{args.py_port}"
    try:
        for name, url in servers.items():
            wait_ready(url, procs[name])
        for url in servers.values():  # warm up each
            one_request(url, 10**6, 8)
        version = subprocess.run([args.python, "-c", "import mlx_lm; print(mlx_lm.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        print(f"mlxlm server vs mlx_lm.server {version} on {args.model}; {args.tokens} tokens per request, "
              f"{args.requests} requests per client, {args.rounds} alternating rounds, clients as "
              f"{'threads' if args.threads else 'processes'} (machine shared: numbers are noisy)")
        print(f"{'clients':>7} {'server':>7} {'tok/s':>9} {'TTFT p50':>9} {'TTFT p95':>9}")
        base = 0
        summary = []
        breakdown = []
        for clients in [int(c) for c in args.clients.split(",")]:
            res = {name: ([], []) for name in servers}
            ph0 = {name: sched_phases(url) for name, url in servers.items()}
            for rnd in range(args.rounds):
                order = list(servers) if rnd % 2 == 0 else list(reversed(servers))
                for name in order:
                    base += 1000
                    tps, ttfts = run_round(servers[name], clients, args.requests, args.tokens, base, not args.threads)
                    res[name][0].append(tps)
                    res[name][1].extend(ttfts)
            for name, url in servers.items():
                ph1 = sched_phases(url)
                if ph0[name] and ph1:
                    d = {k: ph1[k] - ph0[name].get(k, 0) for k in ph1}
                    steps = max(d.pop("steps"), 1)
                    per = "  ".join(f"{k} {d.get(k, 0) * 1000 / steps:.2f}" for k in
                                    ("build", "launch", "wait", "emit", "retire", "drain", "prefill", "fold", "admit", "idle"))
                    breakdown.append(f"  {clients:>2} clients {name:>5}: {steps:.0f} steps; ms per step: {per}")
            row = {}
            for name, (tps, ttfts) in res.items():
                row[name] = (statistics.mean(tps), pct(ttfts, 50), pct(ttfts, 95))
                print(f"{clients:>7} {name:>7} {row[name][0]:>9.1f} {row[name][1] * 1000:>7.0f}ms {row[name][2] * 1000:>7.0f}ms")
            summary.append((clients, row))
        if breakdown:
            print()
            print("mlxlm scheduler wall time by phase (from /metrics; prefill includes fold):")
            print("\n".join(breakdown))
        if "mlx_lm" not in servers:
            return
        print()
        print("ratios (X / mlx_lm for tok/s; mlx_lm / X for TTFT: > 1 means X is better)")
        for clients, row in summary:
            p = row["mlx_lm"]
            for name in [n for n in servers if n != "mlx_lm"]:
                g = row[name]
                print(f"  {clients:>2} clients {name:>5}: tok/s {g[0] / p[0]:.2f}x   TTFT p50 {p[1] / g[1]:.2f}x   "
                      f"TTFT p95 {p[2] / g[2]:.2f}x")
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
