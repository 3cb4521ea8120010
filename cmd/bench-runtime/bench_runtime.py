"""The Python half of `make bench-runtime` (see main.go): the same two
workloads with MLX in Python, on the same libmlx.

It reads one command per line on stdin and answers one line on stdout, so the
Go driver can alternate Go and Python repetitions in one run:
  "<workload>"  -> "<build_ms> <total_ms>"  (one repetition, timed here)
  "quit"        -> exits
Workloads: "ops" (a chain of small element-wise ops on a [16] array) and
"decode" (a 24-layer transformer-shaped decode step at batch 1).
"""
import math
import sys
import time

import mlx.core as mx

args = dict(a.split("=", 1) for a in sys.argv[1:])
if args.get("device") == "cpu":
    mx.set_default_device(mx.cpu)
N_OPS = int(args.get("ops", "10000"))
LAYERS = int(args.get("layers", "24"))
HIDDEN = int(args.get("hidden", "256"))
HEADS = int(args.get("heads", "4"))
INTER = int(args.get("inter", "512"))
CACHE = int(args.get("cache", "128"))
HD = HIDDEN // HEADS

# Inputs and weights: values do not matter for dispatch, shapes and ops do.
mx.random.seed(0)
small = mx.random.normal((16,))
c1, c2 = mx.random.normal((16,)), mx.random.normal((16,))


def w(*shape):
    return mx.random.normal(shape) * (1 / math.sqrt(shape[-1]))


layers = []
for _ in range(LAYERS):
    layers.append(dict(
        n1=mx.ones((HIDDEN,)), n2=mx.ones((HIDDEN,)),
        wq=w(HIDDEN, HIDDEN), wk=w(HIDDEN, HIDDEN), wv=w(HIDDEN, HIDDEN), wo=w(HIDDEN, HIDDEN),
        wg=w(INTER, HIDDEN), wu=w(INTER, HIDDEN), wd=w(HIDDEN, INTER),
        kc=mx.random.normal((1, HEADS, CACHE, HD)), vc=mx.random.normal((1, HEADS, CACHE, HD)),
    ))
x0 = mx.random.normal((1, 1, HIDDEN))
nf = mx.ones((HIDDEN,))
mx.eval(small, c1, c2, x0, nf, layers)
scale = HD ** -0.5


def ops():
    x = small
    for i in range(N_OPS // 2):
        x = x + c1
        x = x * c2
    return x


def heads(y):
    return y.reshape(1, 1, HEADS, HD).transpose(0, 2, 1, 3)


def decode():
    x = x0
    for l in layers:
        h = mx.fast.rms_norm(x, l["n1"], 1e-5)
        q = mx.fast.rope(heads(h @ l["wq"].T), HD, traditional=False, base=10000.0, scale=1.0, offset=CACHE)
        k = mx.fast.rope(heads(h @ l["wk"].T), HD, traditional=False, base=10000.0, scale=1.0, offset=CACHE)
        v = heads(h @ l["wv"].T)
        keys = mx.concatenate([l["kc"], k], axis=2)
        vals = mx.concatenate([l["vc"], v], axis=2)
        o = mx.fast.scaled_dot_product_attention(q, keys, vals, scale=scale)
        o = o.transpose(0, 2, 1, 3).reshape(1, 1, HIDDEN)
        x = x + o @ l["wo"].T
        h = mx.fast.rms_norm(x, l["n2"], 1e-5)
        g = h @ l["wg"].T
        x = x + ((g * mx.sigmoid(g)) * (h @ l["wu"].T)) @ l["wd"].T
    return mx.fast.rms_norm(x, nf, 1e-5)


work = {"ops": ops, "decode": decode}
print("ready", flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "quit":
        break
    t0 = time.perf_counter()
    y = work[cmd]()
    t1 = time.perf_counter()
    mx.eval(y)
    t2 = time.perf_counter()
    del y
    t3 = time.perf_counter()
    print(f"{(t1 - t0) * 1e3:.4f} {(t3 - t0) * 1e3:.4f}", flush=True)
