"""What MLX's own loader makes of each file in a directory
(safetensors_hostile_test.go).

Given <dir>: for every <dir>/*.safetensors, in a forked child (a file that
crashes MLX must not take the others with it), mx.load(path,
return_metadata=True) and mx.eval of every array; writes <dir>/verdicts.json:
{file: {"arrays": {name: {dtype, shape, hex}}, "metadata": {...}}} when MLX
loads it, {"error": "<message>"} when it raises, {"crash": "<signal or exit
code>"} when the child dies.
"""
import glob
import json
import os
import sys

import mlx.core as mx
import numpy as np


def describe(a):
    name = str(a.dtype).removeprefix("mlx.core.")
    try:
        if a.dtype == mx.bfloat16:
            raw = np.array(a.view(mx.uint16)).tobytes()
        else:
            raw = np.array(a).tobytes()
        h = raw.hex()
    except Exception as e:  # shapes numpy refuses (negative dimensions)
        h = f"<{type(e).__name__}>"
    return {"dtype": name, "shape": list(a.shape), "hex": h}


def verdict(path):
    try:
        arrays, meta = mx.load(path, return_metadata=True)
        mx.eval(list(arrays.values()))
        return {"arrays": {k: describe(v) for k, v in arrays.items()}, "metadata": meta}
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"[:300]}


out = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.safetensors"))):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            data = json.dumps(verdict(path)).encode()
        except Exception as e:
            data = json.dumps({"error": f"describe: {e}"}).encode()
        with os.fdopen(w, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    name = os.path.basename(path)
    if os.WIFSIGNALED(status):
        out[name] = {"crash": f"signal {os.WTERMSIG(status)}"}
    elif os.WEXITSTATUS(status) != 0 or not data:
        out[name] = {"crash": f"exit {os.WEXITSTATUS(status)}"}
    else:
        out[name] = json.loads(data)
json.dump(out, open(os.path.join(sys.argv[1], "verdicts.json"), "w"), indent=1)
