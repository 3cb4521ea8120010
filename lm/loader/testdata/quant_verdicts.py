"""Which (mode, group_size, bits) mx.quantize accepts (guard_test.go).

Given <out.json> and the grid as JSON on argv[2]: for each [mode, gs, bits],
quantizes a (4, 256) float32 array in a forked child (group size 0 is a
SIGFPE in MLX) and writes {"mode/gs/bits": "ok" | "error: ..." | "crash"}.
"""
import json
import os
import sys

import mlx.core as mx

out = {}
for mode, gs, bits in json.loads(sys.argv[2]):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            q = mx.quantize(mx.ones((4, 256)), gs, bits, mode=mode)
            mx.eval(q)
            msg = "ok"
        except Exception as e:
            msg = "error: " + str(e)[:120]
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read().decode()
    _, status = os.waitpid(pid, 0)
    out[f"{mode}/{gs}/{bits}"] = data if os.WIFEXITED(status) and data else "crash"
json.dump(out, open(sys.argv[1], "w"), indent=1)
