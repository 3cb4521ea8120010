# For each (model_type, config) on stdin (JSON), build mlx-lm's Model and
# evaluate its quant_predicate on every module path and its cast_predicate on
# every parameter path. Prints JSON {model_type: {"quant": {path: answer} |
# null, "cast": {key: bool} | null}}. Only archs defining one are reported.
import importlib
import json
import sys

import mlx.nn as nn
from mlx.utils import tree_flatten

out = {}
for mt, cfg in json.load(sys.stdin):
    mod = importlib.import_module(f"mlx_lm.models.{mt}")
    model = mod.Model(mod.ModelArgs.from_dict(cfg))
    res = {"quant": None, "cast": None}
    qp = getattr(model, "quant_predicate", None)
    cp = getattr(model, "cast_predicate", None)
    if qp is None and cp is None:
        continue
    if qp is not None:
        res["quant"] = {path: qp(path, m) for path, m in model.named_modules() if path}
    if cp is not None:
        res["cast"] = {k: bool(cp(k)) for k, _ in tree_flatten(model.parameters())}
    out[mt] = res
json.dump(out, sys.stdout)
