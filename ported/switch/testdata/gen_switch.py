"""Reference outputs for ported/switch: SwitchGLU / SwitchMLP plain and
quantized (4 and 8 bits), with sorting off (indices.size < 64) and on, biases,
gpt-oss's clipped SwiGLU. Usage: gen_switch.py OUTDIR.
"""
import json
import sys

import mlx.core as mx
from mlx_lm.models import gpt_oss
from mlx_lm.models.switch_layers import SwitchGLU, SwitchMLP, _gather_sort, _scatter_unsort

out = sys.argv[1]
mx.random.seed(5)
arrays, cases = {}, []
IN, HID, E, K = 64, 128, 8, 2


def save_params(prefix, module):
    from mlx.utils import tree_flatten
    for k, v in tree_flatten(module.parameters()):
        arrays[f"{prefix}/p/{k}"] = v


for kind in ("glu", "mlp", "glu_gptoss"):
    for bias in (False, True):
        if kind == "glu":
            m = SwitchGLU(IN, HID, E, bias=bias)
        elif kind == "mlp":
            m = SwitchMLP(IN, HID, E, bias=bias)
        else:
            m = SwitchGLU(IN, HID, E, activation=gpt_oss.SwiGLU(), bias=bias)
        if bias:  # random biases, so that adding them is actually checked
            for name in ("gate_proj", "up_proj", "down_proj", "fc1", "fc2"):
                if hasattr(m, name):
                    l = getattr(m, name)
                    l.bias = mx.random.normal(l.bias.shape) * 0.1
        for bits in (None, 4, 8):
            mm = m
            if bits is not None:
                import copy
                mm = copy.deepcopy(m)
                for name in ("gate_proj", "up_proj", "down_proj", "fc1", "fc2"):
                    if hasattr(mm, name):
                        setattr(mm, name, getattr(mm, name).to_quantized(group_size=64, bits=bits))
            p = f"{kind}/{int(bias)}/{bits or 0}"
            save_params(p, mm)
            if bits is not None:
                save_params(p + "/float", m)
            for ntok in (3, 40):  # 3*2=6 pairs: no sort; 40*2=80 >= 64: sorted
                x = mx.random.normal((2, ntok // 2 if ntok > 3 else 1, IN)) if ntok > 3 else mx.random.normal((1, 3, IN))
                idx = mx.random.randint(0, E, (*x.shape[:-1], K)).astype(mx.uint32)
                q = f"{p}/{ntok}"
                arrays[q + "/x"], arrays[q + "/idx"], arrays[q + "/out"] = x, idx, mm(x, idx)
                cases.append(dict(kind=kind, bias=bias, bits=bits or 0, ntok=ntok, prefix=q, params=p,
                                  sorted=idx.size >= 64))

x = mx.random.normal((2, 5, 1, 1, 16))
idx = mx.random.randint(0, E, (2, 5, K)).astype(mx.uint32)
xs, isorted, inv = _gather_sort(x, idx)
arrays.update({"gs/x": x, "gs/idx": idx, "gs/xs": xs, "gs/isorted": isorted, "gs/inv": inv,
               "gs/unsort": _scatter_unsort(xs, inv, idx.shape)})
a, b = mx.random.normal((4, 33)) * 6, mx.random.normal((4, 33)) * 6
arrays.update({"clip/a": a, "clip/b": b, "clip/out": gpt_oss.swiglu(a, b)})
mx.eval(arrays)
mx.save_safetensors(f"{out}/switch.safetensors", arrays)
with open(f"{out}/cases.json", "w") as f:
    json.dump(cases, f)
