"""Reference outputs for ported/mla (mlx-lm 0.32.2's mla.py): MultiLinear
with and without transpose, to_quantized in each mode MLX has on the CPU,
and the quantized layer's forward. Usage: gen_mla.py OUTDIR.
"""
import json
import sys

import mlx.core as mx
from mlx_lm.models.mla import MultiLinear

out = sys.argv[1]
mx.random.seed(3)
arrays, cases = {}, []
H, IN, OUT = 4, 64, 32
for qname, mode, gs, bits in [("0", None, 0, 0), ("affine4", "affine", 64, 4), ("affine8", "affine", 32, 8),
                              ("mxfp4", "mxfp4", 32, 4), ("nvfp4", "nvfp4", 16, 4), ("mxfp8", "mxfp8", 32, 8)]:
    m = MultiLinear(IN, OUT, H)
    arrays[f"{qname}/float/weight"] = m.weight
    if mode is not None:
        m = m.to_quantized(gs, bits, mode=mode)
        for k in ("weight", "scales", "biases"):
            if m.get(k) is not None:
                arrays[f"{qname}/q/{k}"] = m[k]
    x = mx.random.normal((2, H, 3, IN))          # transpose=True: (B, H, L, in) -> (B, H, L, out)
    xt = mx.random.normal((2, H, 3, OUT))        # transpose=False: (B, H, L, out) -> (B, H, L, in)
    arrays[f"{qname}/x"], arrays[f"{qname}/xt"] = x, xt
    arrays[f"{qname}/out"] = m(x)
    arrays[f"{qname}/out_nt"] = m(xt, transpose=False)
    cases.append(dict(name=qname, mode=mode or "", group_size=gs, bits=bits))
mx.eval(arrays)
mx.save_safetensors(f"{out}/mla.safetensors", arrays)
with open(f"{out}/cases.json", "w") as f:
    json.dump(cases, f)
