"""Reference outputs for ported/switch (mlx-lm 0.32.2): SwitchGLU / SwitchMLP
plain and quantized (affine 4 and 8 bits, mxfp4, nvfp4, mxfp8, and nvfp4 with
0.32's per-expert global scale), with sorting off (indices.size < 64) and on,
biases, and gpt-oss's activation (activations.SwigluOAI since 0.32).
Usage: gen_switch.py OUTDIR.
"""
import copy
import json
import sys

import mlx.core as mx
from mlx.utils import tree_flatten
from mlx_lm.models import activations
from mlx_lm.models.switch_layers import SwitchGLU, SwitchMLP, _gather_sort, _scatter_unsort

out = sys.argv[1]
mx.random.seed(5)
arrays, cases = {}, []
IN, HID, E, K = 64, 128, 8, 2
LAYERS = ("gate_proj", "up_proj", "down_proj", "fc1", "fc2")
# (name, mode, group_size, bits, global_scale); name "0" is unquantized.
QUANTS = [("0", None, 0, 0, False), ("4", "affine", 64, 4, False), ("8", "affine", 64, 8, False),
          ("mxfp4", "mxfp4", 32, 4, False), ("nvfp4", "nvfp4", 16, 4, False), ("mxfp8", "mxfp8", 32, 8, False),
          ("nvfp4g", "nvfp4", 16, 4, True)]


def save_params(prefix, module):
    for k, v in tree_flatten(module.parameters()):
        arrays[f"{prefix}/p/{k}"] = v


for kind in ("glu", "mlp", "glu_gptoss"):
    for bias in (False, True):
        if kind == "glu":
            m = SwitchGLU(IN, HID, E, bias=bias)
        elif kind == "mlp":
            m = SwitchMLP(IN, HID, E, bias=bias)
        else:
            m = SwitchGLU(IN, HID, E, activation=activations.SwigluOAI(), bias=bias)
        if bias:  # random biases, so that adding them is actually checked
            for name in LAYERS:
                if hasattr(m, name):
                    l = getattr(m, name)
                    l.bias = mx.random.normal(l.bias.shape) * 0.1
        for qname, mode, gs, bits, glob in QUANTS:
            if kind != "glu" and qname not in ("0", "4", "8"):
                continue  # the other modes once, on SwitchGLU
            mm = m
            if mode is not None:
                mm = copy.deepcopy(m)
                for name in LAYERS:
                    if hasattr(mm, name):
                        kw = {"global_scale": True} if glob else {}
                        setattr(mm, name, getattr(mm, name).to_quantized(group_size=gs, bits=bits, mode=mode, **kw))
            p = f"{kind}/{int(bias)}/{qname}"
            save_params(p, mm)
            if mode is not None:
                save_params(p + "/float", m)
            for ntok in (3, 40):  # 3*2=6 pairs: no sort; 40*2=80 >= 64: sorted
                x = mx.random.normal((2, ntok // 2, IN)) if ntok > 3 else mx.random.normal((1, 3, IN))
                idx = mx.random.randint(0, E, (*x.shape[:-1], K)).astype(mx.uint32)
                q = f"{p}/{ntok}"
                arrays[q + "/x"], arrays[q + "/idx"] = x, idx
                c = dict(kind=kind, bias=bias, quant=qname, mode=mode or "", group_size=gs, bits=bits,
                         global_scale=glob, ntok=ntok, prefix=q, params=p, sorted=idx.size >= 64)
                try:
                    arrays[q + "/out"] = mm(x, idx)
                    mx.eval(arrays[q + "/out"])
                    c["forward_error"] = ""
                except ValueError as e:  # gather_qmm's global scale is GPU-only in MLX 0.32.4
                    c["forward_error"] = str(e)
                cases.append(c)

# _quantize_experts refuses modes other than nvfp4.
try:
    SwitchGLU(IN, HID, E).up_proj.to_quantized(group_size=64, bits=4, mode="affine", global_scale=True)
    affine_global_error = ""
except ValueError as e:
    affine_global_error = str(e)

x = mx.random.normal((2, 5, 1, 1, 16))
idx = mx.random.randint(0, E, (2, 5, K)).astype(mx.uint32)
xs, isorted, inv = _gather_sort(x, idx)
arrays.update({"gs/x": x, "gs/idx": idx, "gs/xs": xs, "gs/isorted": isorted, "gs/inv": inv,
               "gs/unsort": _scatter_unsort(xs, inv, idx.shape)})
mx.eval(arrays)
mx.save_safetensors(f"{out}/switch.safetensors", arrays)
with open(f"{out}/cases.json", "w") as f:
    json.dump({"cases": cases, "affine_global_error": affine_global_error}, f)
