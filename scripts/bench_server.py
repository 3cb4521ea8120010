#!/usr/bin/env python3
"""make bench-server: `mlxlm server` against `mlx_lm.server` (from the venv)
on the same model and machine, alternating which goes first, at 1, 4 and 16
concurrent clients. Each client streams chat completions (temperature 0,
distinct prompts so the prompt cache gives neither an edge); the numbers are
aggregate generated tokens per second over the wall time of a round, and the
p50/p95 time to first token.

usage: bench_server.py --mlxlm BIN --model DIR [--tokens 48] [--rounds 2]
                       [--clients 1,4,16] [--requests 2]
"""
import argparse
import json
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


def run_round(url, clients, requests, tokens, base):
    ttfts, counts, errors = [], [], []

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
    args = ap.parse_args()

    # a SIGTERM (timeout(1)) runs the finally below, which stops both servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    go = subprocess.Popen([args.mlxlm, "server", "--model", args.model, "--port", str(args.go_port), "--log-level", "ERROR"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    py = subprocess.Popen([args.python, "-m", "mlx_lm", "server", "--model", args.model, "--port", str(args.py_port),
                           "--log-level", "ERROR"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    servers = {"mlxlm": f"http://127.0.0.1:{args.go_port}", "mlx_lm": f"http://127.0.0.1:{args.py_port}"}
    try:
        wait_ready(servers["mlxlm"], go)
        wait_ready(servers["mlx_lm"], py)
        for url in servers.values():  # warm up both
            one_request(url, 10**6, 8)
        version = subprocess.run([args.python, "-c", "import mlx_lm; print(mlx_lm.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        print(f"mlxlm server vs mlx_lm.server {version} on {args.model}; {args.tokens} tokens per request, "
              f"{args.requests} requests per client, {args.rounds} alternating rounds (machine shared: numbers are noisy)")
        print(f"{'clients':>7} {'server':>7} {'tok/s':>9} {'TTFT p50':>9} {'TTFT p95':>9}")
        base = 0
        summary = []
        for clients in [int(c) for c in args.clients.split(",")]:
            res = {name: ([], []) for name in servers}
            for rnd in range(args.rounds):
                order = list(servers) if rnd % 2 == 0 else list(reversed(servers))
                for name in order:
                    base += 1000
                    tps, ttfts = run_round(servers[name], clients, args.requests, args.tokens, base)
                    res[name][0].append(tps)
                    res[name][1].extend(ttfts)
            row = {}
            for name, (tps, ttfts) in res.items():
                row[name] = (statistics.mean(tps), pct(ttfts, 50), pct(ttfts, 95))
                print(f"{clients:>7} {name:>7} {row[name][0]:>9.1f} {row[name][1] * 1000:>7.0f}ms {row[name][2] * 1000:>7.0f}ms")
            summary.append((clients, row))
        print()
        print("ratios (mlxlm / mlx_lm for tok/s; mlx_lm / mlxlm for TTFT: > 1 means mlxlm is better)")
        for clients, row in summary:
            g, p = row["mlxlm"], row["mlx_lm"]
            print(f"  {clients:>2} clients: tok/s {g[0] / p[0]:.2f}x   TTFT p50 {p[1] / g[1]:.2f}x   TTFT p95 {p[2] / g[2]:.2f}x")
    finally:
        for p in (go, py):
            p.terminate()
        for p in (go, py):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
