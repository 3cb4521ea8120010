"""Safetensors round trip between the Go binding and MLX in Python
(safetensors_parity_test.go).

Given <dir>:
  1. reads <dir>/go.safetensors (written by Go) with
     mx.load(path, return_metadata=True) and reports what it saw in
     <dir>/go_seen.json: per tensor its dtype, shape and raw little-endian
     bytes (hex), plus the metadata;
  2. writes <dir>/py.safetensors with mx.save_safetensors (several dtypes,
     metadata) and describes it the same way in <dir>/py.json, for Go to read.
"""
import json
import sys

import mlx.core as mx
import numpy as np

d = sys.argv[1]


def describe(a):
    name = str(a.dtype).removeprefix("mlx.core.")
    if a.dtype == mx.bfloat16:
        raw = np.array(a.view(mx.uint16)).tobytes()
    else:
        raw = np.array(a).tobytes()
    return {"dtype": name, "shape": list(a.shape), "hex": raw.hex()}


arrays, meta = mx.load(f"{d}/go.safetensors", return_metadata=True)
with open(f"{d}/go_seen.json", "w") as f:
    json.dump({"arrays": {k: describe(v) for k, v in arrays.items()}, "metadata": meta}, f)

rng = np.random.default_rng(99)
x = rng.standard_normal((3, 5)).astype(np.float32)
py = {
    "f32": mx.array(x),
    "f16": mx.array(x).astype(mx.float16),
    "bf16": mx.array(x).astype(mx.bfloat16),
    "u32": mx.array(rng.integers(0, 2**32, size=(4, 2), dtype=np.uint64).astype(np.uint32)),
    "i64": mx.array(np.array([-(2**40), -1, 0, 2**40], dtype=np.int64)),
    "i8": mx.array(np.array([-128, -1, 0, 127], dtype=np.int8)),
    "u8": mx.array(np.arange(6, dtype=np.uint8).reshape(2, 3)),
    "i16": mx.array(np.array([-32768, 7, 32767], dtype=np.int16)),
    "u16": mx.array(np.array([0, 65535], dtype=np.uint16)),
    "i32": mx.array(np.array([[-5, 6, 7]], dtype=np.int32)),
    "u64": mx.array(np.array([2**63 + 5], dtype=np.uint64)),
    "bool": mx.array(np.array([[True, False], [False, True]])),
    "scalar": mx.array(2.5, dtype=mx.float32),
    "layers.0.mlp.gate_proj.weight": mx.array(x[:2]),
}
meta = {"format": "mlx", "note": "written by Python", "unicode": "héllo ✓"}
mx.save_safetensors(f"{d}/py.safetensors", py, metadata=meta)
with open(f"{d}/py.json", "w") as f:
    json.dump({"arrays": {k: describe(v) for k, v in py.items()}, "metadata": meta}, f)
