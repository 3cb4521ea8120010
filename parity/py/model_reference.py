"""Reference outputs of one architecture for the generated-model parity test.

    python model_reference.py <model_type> <parity/configs/<arch>.json> <out>

One process computes every case of the architecture (mlx-lm's import costs
about a second). For every case of the configs file (format: parity/README.md)
mlx-lm at the pinned version builds the model with seeded random weights and
this script writes one checkpoint directory per variant, <out>/<case>/<variant>/:

  f32      the model in float32, MLX layout
  bf16     cast to bfloat16 the way mlx_lm.convert does (the model's
           cast_predicate decides which parameters stay as they are)
  q4       the bf16 model quantized by mlx_lm.utils.quantize_model with the
           model's own quant_predicate (4 bits, the case's q_group_size)
  <layout> every Hugging Face layout the file declares (hf_layouts): the MLX
           weights of a base variant turned into the checkpoint layout that
           Model.sanitize consumes (parity/py/hf_layout.py)

Each directory holds
  config.json, model.safetensors   the checkpoint both sides load
  sanitized.safetensors            Model.sanitize(model.safetensors) in Python
                                   (the weights unchanged when the model has
                                   no sanitize); Go's Sanitize must give the
                                   same dict: keys, shapes, dtypes, values
  reference.safetensors            outputs of the model that mlx_lm's own
                                   load_model (strict) builds from the
                                   directory: tokens, full-sequence logits
                                   (no cache), and the prefill followed by
                                   STEPS greedy decode steps through the cache
                                   (the last-position logits of each of the
                                   1 + STEPS forward calls and the 1 + STEPS
                                   tokens); with kv_bits, the same decoding
                                   through quantized KV caches
  meta.json                        what the Go test needs to know (variant,
                                   logits dtype, steps, kv_bits)
and <out>/coverage.json says which lines of the architecture's sanitize ran.
"""
import copy
import json
import linecache
import os
import re
import sys
import types
from pathlib import Path

import mlx.core as mx
import mlx.nn as nn
import numpy as np
from mlx.utils import tree_flatten, tree_map_with_path

import hf_layout
import mlx_lm
from mlx_lm.models.cache import make_prompt_cache
from mlx_lm.utils import _get_classes, load_model, quantize_model

# Decode steps through the cache after the prefill.
STEPS = 16
BASE_VARIANTS = ("f32", "bf16", "q4")
# Variants a case may ask for with "extra_variants": float16 (the dtype some
# code paths exist for, e.g. gemma3_text's clip_residual).
EXTRA_VARIANTS = ("f16",)


def fail(msg):
    print(f"model_reference: {msg}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------- references

def decode(model, tokens, kv_bits=None, kv_group_size=32, prefill_step=None):
    """The prefill, then STEPS greedy steps through the cache: the tokens and
    the last-position logits of all 1 + STEPS forward calls. With
    prefill_step, the prompt is prefilled as generate_step does with
    prefill_step_size: chunks of at most prefill_step tokens until one is
    left, which the first sampled forward call takes."""
    cache = make_prompt_cache(model)
    if kv_bits:
        # generate_step's --kv-bits with quantized_kv_start=0: every KVCache
        # becomes a QuantizedKVCache before the first token.
        cache = [c.to_quantized(group_size=kv_group_size, bits=kv_bits) if hasattr(c, "to_quantized") else c
                 for c in cache]
    if prefill_step:
        while tokens.shape[1] > 1:
            n = min(prefill_step, tokens.shape[1] - 1)
            model(tokens[:, :n], cache=cache)
            mx.eval([c.state for c in cache])
            tokens = tokens[:, n:]
    logits = model(tokens, cache=cache)
    last = [logits[:, -1, :]]
    y = mx.argmax(logits[:, -1, :], axis=-1)
    out = [y]
    for _ in range(STEPS):
        logits = model(y[:, None], cache=cache)
        last.append(logits[:, -1, :])
        y = mx.argmax(logits[:, -1, :], axis=-1)
        out.append(y)
    return mx.concatenate(out).astype(mx.int32), mx.concatenate(last, axis=0)


def write_reference(d, tokens, kv_bits, variant, extra=None, prefill_step=None):
    """Loads d with mlx-lm's own load_model and writes its outputs."""
    model, _ = load_model(Path(d))
    logits = model(tokens)
    toks, steps = decode(model, tokens)
    ref = {"tokens": tokens, "logits": logits.astype(mx.float32), "decode_tokens": toks,
           "decode_logits": steps.astype(mx.float32)}
    meta = {"variant": variant, "logits_dtype": str(logits.dtype).replace("mlx.core.", ""),
            "steps": STEPS, "prompt_len": int(tokens.shape[1]), "kv_bits": 0}
    meta.update(extra or {})
    if prefill_step:
        # Chunked prefill (recurrent states carried across chunks).
        ct, cs = decode(model, tokens, prefill_step=prefill_step)
        ref["decode_chunked_tokens"] = ct
        ref["decode_chunked_logits"] = cs.astype(mx.float32)
        meta["prefill_step"] = prefill_step
    if kv_bits:
        qt, qs = decode(model, tokens, kv_bits=kv_bits)
        ref["decode_qkv_tokens"] = qt
        ref["decode_qkv_logits"] = qs.astype(mx.float32)
        meta["kv_bits"] = kv_bits
    mx.save_safetensors(os.path.join(d, "reference.safetensors"), ref)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    return model


def save_checkpoint(d, weights, config, model_class, args_class, coverage):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=1, sort_keys=True)
    mx.save_safetensors(os.path.join(d, "model.safetensors"), weights, metadata={"format": "mlx"})
    # What Model.sanitize makes of exactly the bytes on disk, on a fresh
    # model (sanitize may change the model, e.g. gemma3_text drops lm_head).
    loaded = mx.load(os.path.join(d, "model.safetensors"))
    model = model_class(args_class.from_dict(config))
    if hasattr(model, "sanitize"):
        sanitized = coverage.run(model, dict(loaded))
    else:
        sanitized = loaded
    mx.save_safetensors(os.path.join(d, "sanitized.safetensors"), dict(sanitized))


# ------------------------------------------------------------ reach checks

class Reach:
    """Wraps a function the model calls ("swiglu", "mx.tanh", ...) and
    records the range of one argument, so a case can assert that a clamp or
    softcap is really reached (a clamp at 7 that no value exceeds is a
    branch the test does not exercise)."""

    def __init__(self, model, spec):
        self.spec = spec
        modname = spec.get("module") or type(model).__module__
        mod = sys.modules.get(modname)
        if mod is None:
            fail(f"reach: module {modname} is not loaded")
        parts = spec["call"].split(".")
        parent = mod
        for p in parts[:-1]:
            parent = getattr(parent, p)
        self.parent, self.name = parent, parts[-1]
        self.orig = getattr(parent, self.name)
        self.lo, self.hi, self.calls = float("inf"), float("-inf"), 0

    def __enter__(self):
        orig, arg = self.orig, self.spec.get("arg", 0)

        def wrapper(*a, **kw):
            v = a[arg] if isinstance(arg, int) and arg < len(a) else kw.get(arg)
            if isinstance(v, mx.array):
                v32 = v.astype(mx.float32)
                self.lo = min(self.lo, mx.min(v32).item())
                self.hi = max(self.hi, mx.max(v32).item())
                self.calls += 1
            return orig(*a, **kw)

        setattr(self.parent, self.name, wrapper)
        return self

    def __exit__(self, *exc):
        setattr(self.parent, self.name, self.orig)

    def check(self, case):
        s = self.spec
        what = f"case {case}: reach {s['call']} arg {s.get('arg', 0)}"
        if self.calls == 0:
            fail(f"{what}: never called")
        if "max_above" in s and not self.hi > s["max_above"]:
            fail(f"{what}: max {self.hi:.4g} does not exceed {s['max_above']} (scale the weights up)")
        if "min_below" in s and not self.lo < s["min_below"]:
            fail(f"{what}: min {self.lo:.4g} is not below {s['min_below']} (scale the weights up)")
        return {"call": s["call"], "arg": s.get("arg", 0), "min": self.lo, "max": self.hi}


# ------------------------------------------------------- sanitize coverage

class Coverage:
    """Which lines of the architecture's sanitize (the model class's, every
    other sanitize it calls, e.g. gemma3's language_model.sanitize, and the
    functions nested in them) ran, over every checkpoint of every case. A
    sanitize of a wrapped model that the outer one never calls (pixtral's
    inner llama) does not count."""

    def __init__(self):
        self.codes = {}      # code object -> (file, set of lines)
        self.ran = set()     # (file, line)

    def _register(self, code):
        stack = [code]
        while stack:
            c = stack.pop()
            if c not in self.codes:
                self.codes[c] = (c.co_filename, {l for _, _, l in c.co_lines() if l is not None})
                stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))

    def run(self, model, weights):
        fn = getattr(type(model), "sanitize", None)
        if isinstance(fn, types.FunctionType):
            self._register(fn.__code__)
        codes = self.codes

        def local(frame, event, arg):
            if event == "line":
                self.ran.add((frame.f_code.co_filename, frame.f_lineno))
            return local

        def glob(frame, event, arg):
            code = frame.f_code
            if code not in codes and code.co_name == "sanitize" and "mlx_lm" in code.co_filename:
                self._register(code)
            if code in codes:
                self.ran.add((code.co_filename, code.co_firstlineno))
                return local
            return None

        sys.settrace(glob)
        try:
            return model.sanitize(weights)
        finally:
            sys.settrace(None)

    def report(self):
        lines = {}
        for f, ls in self.codes.values():
            lines.setdefault(f, set()).update(ls)
        # The def line of the outermost sanitize counts as run once it is called.
        total = sorted((f, l) for f, ls in lines.items() for l in ls)
        missing = [{"file": os.path.basename(f), "line": l, "text": linecache.getline(f, l).strip()}
                   for f, l in total if (f, l) not in self.ran]
        return {"has_sanitize": bool(total), "lines": len(total), "lines_run": len(total) - len(missing),
                "missing": missing}


# ------------------------------------------------------------------ variants

def build(case, config):
    model_class, args_class = _get_classes(config)
    mx.random.seed(case.get("seed", 0))
    model = model_class(args_class.from_dict(config))
    params = dict(tree_flatten(model.parameters()))
    # mlx-lm initializes some parameters to zero (router weights, correction
    # biases, attention sinks): random values exercise the code that reads them.
    zero = {k: mx.random.normal(v.shape) * 0.5 for k, v in params.items()
            if mx.issubdtype(v.dtype, mx.floating) and not mx.any(v).item()}
    if zero:
        model.load_weights(list(zero.items()), strict=False)
    # "scale": [{"match": regex, "factor": f}] multiplies parameters so that
    # range-dependent branches (clamps, softcaps) are reached.
    for s in case.get("scale", []):
        rx = re.compile(s["match"])
        hit = {k: v * s["factor"] for k, v in tree_flatten(model.parameters()) if rx.fullmatch(k)}
        if not hit:
            fail(f"case {case['name']}: scale {s['match']!r} matches no parameter")
        model.load_weights(list(hit.items()), strict=False)
    mx.eval(model.parameters())
    return model, model_class, args_class


def cpu_float32_only(model):
    """Parameter prefixes that must stay float32 on the CPU: MLX's CPU
    GatherMM (the unquantized SwitchLinear of every MoE) supports only
    float32 ("[GatherMM::eval] Currently only supports float32"), so a
    bfloat16 expert cannot run there at all. Elsewhere, none."""
    if mx.default_device() != mx.cpu:
        return []
    return [p + "." for p, m in model.named_modules() if type(m).__name__ == "SwitchLinear"]


def cast(model, dtype=mx.bfloat16):
    """mlx_lm.convert's dtype cast, with the model's cast_predicate (and the
    CPU's float32-only experts left as they are)."""
    pred = getattr(model, "cast_predicate", lambda _: True)
    keep = cpu_float32_only(model)

    def set_dtype(k, v):
        if pred(k) and mx.issubdtype(v.dtype, mx.floating) and not any(k.startswith(p) for p in keep):
            return v.astype(dtype)
        return v

    model.update(tree_map_with_path(set_dtype, model.parameters()))
    return model, keep


def fresh(model_class, args_class, config, params):
    m = model_class(args_class.from_dict(config))
    m.update(params)
    return m


def layout_base(case, config, layout, variants, model_class, args_class):
    """The (weights, config) a layout starts from: a base variant, optionally
    with some layers quantized in another mode first (MXFP4 experts)."""
    src = layout.get("from", "bf16")
    if isinstance(src, str):
        src = {"variant": src}
    weights, cfg, params = variants[src["variant"]]
    cfg = copy.deepcopy(cfg)
    if "quantize" in src:
        q = src["quantize"]
        rx = re.compile(q["match"])
        m = fresh(model_class, args_class, cfg, params)
        nn.quantize(m, group_size=q.get("group_size", 32), bits=q.get("bits", 4), mode=q.get("mode", "affine"),
                    class_predicate=lambda p, mod: hasattr(mod, "to_quantized") and bool(rx.fullmatch(p)))
        weights = dict(tree_flatten(m.parameters()))
    return dict(weights), cfg


def layer_params_predicate(case, configs_path):
    """The case's "q4_layer_params": [{"match": regex over module paths,
    "params": {...}}] as quantize_model's quant_predicate: a matching layer
    gets those to_quantized keywords (recorded per layer in config.json, as
    quantize_model does for any dict), every other one True. None without
    the field (the model's own quant_predicate then decides)."""
    rules = case.get("q4_layer_params")
    if rules is None:
        return None
    compiled = []
    for r in rules:
        if set(r) != {"match", "params"} or not isinstance(r["params"], dict):
            fail(f"{configs_path}: case {case['name']}: q4_layer_params entries are {{match, params}}")
        compiled.append((re.compile(r["match"]), dict(r["params"])))

    def predicate(path, module):
        for rx, params in compiled:
            if rx.search(path):
                return dict(params)
        return True

    return predicate


def main():
    arch, configs_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(configs_path) as f:
        spec = json.load(f)
    if isinstance(spec, list):
        spec = {"cases": spec}
    cases, layouts = spec.get("cases", []), spec.get("hf_layouts")
    if not cases:
        fail(f"{configs_path}: no cases")
    coverage = Coverage()
    names = set()
    summary = {"mlx_lm": mlx_lm.__version__, "mlx": mx.__version__, "cases": [], "reach": []}
    for case in cases:
        name = case["name"]
        if name in names or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            fail(f"{configs_path}: case name {name!r} is repeated or not a plain file name")
        names.add(name)
        config = dict(case["config"])
        model, model_class, args_class = build(case, config)
        rng = np.random.default_rng(case.get("seed", 0))
        vocab = config.get("vocab_size") or config["text_config"]["vocab_size"]
        tokens = mx.array(rng.integers(0, vocab, size=(1, case.get("prompt_len", 12))).astype(np.int32))
        wanted = case.get("variants")
        gs = case.get("q_group_size", 32)

        variants = {}  # name -> (weights, config, params)
        f32 = dict(tree_flatten(model.parameters()))
        variants["f32"] = (f32, config, model.parameters())
        bf, kept_f32 = cast(fresh(model_class, args_class, config, model.parameters()))
        variants["bf16"] = (dict(tree_flatten(bf.parameters())), config, bf.parameters())
        # q4 is quantized from the bf16 model (what mlx_lm.convert -q makes of a
        # bf16 checkpoint); "q4_from": "f32" quantizes the float32 one instead.
        qbase = {"bf16": bf.parameters(), "f32": model.parameters()}[case.get("q4_from", "bf16")]
        qm, qconfig = quantize_model(fresh(model_class, args_class, config, qbase), config, gs, 4,
                                     quant_predicate=layer_params_predicate(case, configs_path))
        variants["q4"] = (dict(tree_flatten(qm.parameters())), qconfig, qm.parameters())

        extra_variants = case.get("extra_variants", [])
        for v in extra_variants:
            if v != "f16":
                fail(f"{configs_path}: case {name}: unknown extra variant {v!r} (known: f16)")
            h, _ = cast(fresh(model_class, args_class, config, model.parameters()), mx.float16)
            variants["f16"] = (dict(tree_flatten(h.parameters())), config, h.parameters())
        for v in BASE_VARIANTS + tuple(extra_variants):
            if wanted and v not in wanted:
                continue
            weights, cfg, _ = variants[v]
            d = os.path.join(out, name, v)
            save_checkpoint(d, weights, cfg, model_class, args_class, coverage)
            extra = {"kept_float32": kept_f32} if v != "f32" and kept_f32 else None
            loaded = write_reference(d, tokens, case.get("kv_bits") if v == "f32" else None, v, extra,
                                     case.get("prefill_step"))
            if v == "f32":
                for r in case.get("reach", []):
                    mx.disable_compile()
                    try:
                        with Reach(loaded, r) as probe:
                            mx.eval(loaded(tokens))
                    finally:
                        mx.enable_compile()
                    summary["reach"].append(dict(case=name, **probe.check(name)))

        for layout in layouts or []:
            ln = layout["name"]
            if ln in BASE_VARIANTS + EXTRA_VARIANTS or not re.fullmatch(r"[A-Za-z0-9_.-]+", ln):
                fail(f"{configs_path}: layout name {ln!r} clashes with a base variant or is not a plain name")
            if "cases" in layout and name not in layout["cases"]:
                continue
            if wanted and ln not in wanted:
                continue
            weights, cfg = layout_base(case, config, layout, variants, model_class, args_class)
            for k in layout.get("config_drop", []):
                cfg.pop(k, None)
            cfg.update(copy.deepcopy(layout.get("config", {})))
            try:
                weights = hf_layout.apply(weights, layout["ops"], case.get("seed", 0), cfg)
            except hf_layout.LayoutError as e:
                fail(f"{configs_path}: case {name}, layout {ln}: {e}")
            d = os.path.join(out, name, ln)
            save_checkpoint(d, weights, cfg, model_class, args_class, coverage)
            try:
                write_reference(d, tokens, None, ln, {"kept_float32": kept_f32} if kept_f32 else None,
                                case.get("prefill_step"))
            except Exception as e:  # mlx-lm itself refused the layout
                fail(f"{configs_path}: case {name}, layout {ln}: mlx-lm's load_model rejects it: {e}")
        summary["cases"].append(name)

    cov = coverage.report()
    if cov["has_sanitize"] and not layouts:
        cov["error"] = (f"{os.path.basename(configs_path)} declares no hf_layouts, but the model has a sanitize "
                        "method: add the checkpoint layouts it consumes (parity/README.md)")
    elif not cov["has_sanitize"] and layouts is None:
        cov["error"] = (f"{os.path.basename(configs_path)} declares no hf_layouts: the model has no sanitize, so "
                        "write \"hf_layouts\": [] with \"hf_layouts_note\" saying so (parity/README.md)")
    summary["coverage"] = cov
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
