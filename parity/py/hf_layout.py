"""Hugging Face checkpoint layouts, as data: the inverse of what each
architecture's `Model.sanitize` consumes.

mlx-lm's parameters are in MLX layout (stacked `switch_mlp` experts, split
projections, no rotary buffers). Real checkpoints on the Hub are not: they
hold per-expert tensors, fused projections, `rotary_emb.inv_freq`, a tied
`lm_head`, fp8 blocks with `weight_scale_inv`, MXFP4 `_blocks`/`_scales`, ...
and `sanitize` turns them into the MLX layout. A layout in
parity/configs/<arch>.json lists the operations that turn MLX-layout weights
into that checkpoint layout (parity/README.md documents each op). The
reference script applies them, saves the result as the checkpoint both sides
load, and mlx-lm's own `load_model` (strict) proves that `sanitize` accepts it.

Every op matches keys with a Python regular expression (re.fullmatch) whose
named groups feed the `to` format string; an op that matches nothing is an
error (a typo would otherwise test nothing) unless it says "optional": true.
"""
import re

import mlx.core as mx

DTYPES = {
    "float32": mx.float32, "float16": mx.float16, "bfloat16": mx.bfloat16,
    "uint8": mx.uint8, "uint32": mx.uint32, "int32": mx.int32, "int64": mx.int64,
}


class LayoutError(Exception):
    pass


def _fmt(template, groups, **extra):
    values = {k: v for k, v in groups.items() if v is not None}
    values.update(extra)
    values["config"] = _config
    try:
        return template.format(**values)
    except KeyError as e:
        raise LayoutError(f"format {template!r} names {e} which the match does not define") from None


def _mapped(op, groups):
    """Applies op["map"] ({"group": {"old": "new"}}) to the match groups."""
    groups = dict(groups)
    for g, table in op.get("map", {}).items():
        if groups.get(g) in table:
            groups[g] = table[groups[g]]
    return groups


def _matches(op, weights):
    rx = re.compile(op["match"])
    out = [(k, m.groupdict()) for k in list(weights) if (m := rx.fullmatch(k))]
    if not out and not op.get("optional"):
        raise LayoutError(f"op {op['op']!r}: no weight matches {op['match']!r}")
    return out


def _put(weights, key, value, op):
    if key in weights and not op.get("overwrite"):
        raise LayoutError(f"op {op['op']!r}: {key} already exists")
    weights[key] = value


def _interleave(parts, axis):
    """[a, b] along axis -> a0 b0 a1 b1 ... (what v[..., ::2, :] undoes)."""
    nd = parts[0].ndim
    axis = axis % nd
    stacked = mx.stack(parts, axis=axis + 1)
    shape = list(parts[0].shape)
    shape[axis] *= len(parts)
    return stacked.reshape(shape)


def _fp8_blocks(w, bs):
    """w (2-D float) -> (fp8 bytes, per-block scale_inv) so that
    from_fp8(bytes) * scale_inv (per bs x bs block) is close to w."""
    m, n = w.shape
    pm, pn = (-m) % bs, (-n) % bs
    wp = mx.pad(w.astype(mx.float32), ((0, pm), (0, pn)))
    blocks = wp.reshape((m + pm) // bs, bs, (n + pn) // bs, bs)
    amax = mx.max(mx.abs(blocks), axis=(1, 3))
    scale_inv = mx.where(amax > 0, amax / 448.0, mx.ones_like(amax))
    q = (blocks / scale_inv[:, None, :, None]).reshape(m + pm, n + pn)[:m, :n]
    return mx.to_fp8(q), scale_inv.astype(mx.float32)


# The checkpoint's config while apply runs: "to" formats may name its
# values, e.g. "model.layers.{config[num_hidden_layers]}.eh_proj.weight".
_config = {}


def apply(weights, ops, seed, config):
    """Applies ops in order to an insertion-ordered dict of arrays (copied);
    seed seeds the random tensors the "add" op creates."""
    global _config
    _config = config
    weights = dict(weights)
    for i, op in enumerate(ops):
        try:
            weights = _apply_one(weights, op, mx.random.key(seed * 1000 + i))
        except LayoutError as e:
            raise LayoutError(f"hf layout op {i} ({op.get('op')}): {e}") from None
    return weights


def _apply_one(weights, op, key):
    kind = op.get("op")
    if kind == "unstack":
        axis = op.get("axis", 0)
        for k, g in _matches(op, weights):
            v = weights.pop(k)
            g = _mapped(op, g)
            for e in range(v.shape[axis]):
                _put(weights, _fmt(op["to"], g, e=e), mx.contiguous(mx.take(v, e, axis=axis)), op)
    elif kind == "rename":
        for k, g in _matches(op, weights):
            v = weights.pop(k)
            _put(weights, _fmt(op["to"], _mapped(op, g)), v, op)
    elif kind == "transpose":
        for k, g in _matches(op, weights):
            weights[k] = mx.contiguous(weights[k].transpose(op["axes"]))
    elif kind == "shift":
        # A constant added (recurrent): Qwen3-Next / Qwen3.5 checkpoints
        # store RMSNorm weights as offsets from 1 (sanitize adds 1.0).
        for k, g in _matches(op, weights):
            v = weights[k]
            weights[k] = (v.astype(mx.float32) + op["by"]).astype(v.dtype)
    elif kind == "reshape":
        for k, g in _matches(op, weights):
            weights[k] = weights[k].reshape(op["shape"])
    elif kind == "view":
        dt = DTYPES[op["dtype"]]
        for k, g in _matches(op, weights):
            v = weights[k].view(dt)
            if "reshape_last" in op:
                last = list(op["reshape_last"])
                v = v.reshape(list(v.shape[:-1]) + last)
            weights[k] = mx.contiguous(v)
    elif kind == "fuse":
        # Keys that differ only in group `part` are joined, in the order of
        # `parts`, along `axis` (concatenated, or interleaved row by row).
        part, parts = op["part"], op["parts"]
        groups = {}
        for k, g in _matches(op, weights):
            rest = tuple(sorted((n, v) for n, v in g.items() if n != part))
            groups.setdefault(rest, {})[g[part]] = k
        for rest, byPart in groups.items():
            missing = [p for p in parts if p not in byPart]
            if missing:
                raise LayoutError(f"fuse: {sorted(byPart.values())} lacks parts {missing}")
            vs = [weights.pop(byPart[p]) for p in parts]
            v = _interleave(vs, op.get("axis", 0)) if op.get("interleave") else mx.concatenate(vs, axis=op.get("axis", 0))
            _put(weights, _fmt(op["to"], dict(rest)), mx.contiguous(v), op)
    elif kind == "split":
        # The inverse of a fuse by concatenation: one key cut into
        # len(parts) equal pieces along `axis`, piece i named with
        # {part} = parts[i] (kimi_k3's q/k/v projections, which sanitize
        # concatenates into qkv_proj).
        parts = op["parts"]
        for k, g in _matches(op, weights):
            v = weights.pop(k)
            pieces = mx.split(v, len(parts), axis=op.get("axis", 0))
            for p, w in zip(parts, pieces):
                _put(weights, _fmt(op["to"], dict(g, part=p)), mx.contiguous(w), op)
    elif kind == "add":
        dt = DTYPES[op.get("dtype", "float32")]
        targets = []
        if "match" in op:
            for k, g in _matches(op, weights):
                targets.append((_fmt(op["to"], g), op.get("shape", list(weights[k].shape))))
        else:
            targets.append((_fmt(op["to"], {}), op["shape"]))
        for t, shape in targets:
            if t in weights and op.get("if_absent"):
                continue
            key, sub = mx.random.split(key)
            _put(weights, t, mx.random.normal(shape, key=sub).astype(dt), op)
    elif kind == "copy":
        src, dst = _fmt(op["from"], {}), _fmt(op["to"], {})
        if src not in weights:
            if op.get("optional"):
                return weights
            raise LayoutError(f"copy: no weight {src}")
        if dst in weights and op.get("if_absent"):
            return weights
        _put(weights, dst, weights[src], op)
    elif kind == "drop":
        for k, g in _matches(op, weights):
            del weights[k]
    elif kind == "cast":
        dt = DTYPES[op["dtype"]]
        for k, g in _matches(op, weights):
            weights[k] = weights[k].astype(dt)
    elif kind == "fp8":
        # DeepSeek-V3-style fp8 (e4m3) with one scale per bs x bs block.
        bs = op.get("block", 128)
        for k, g in _matches(op, weights):
            q, s = _fp8_blocks(weights[k], bs)
            weights[k] = q
            _put(weights, k + "_scale_inv", s, op)
    elif kind == "scale_inv":
        # Per-tensor scale: the checkpoint holds w / s and `<key>_scale_inv` = s.
        s = float(op["scale"])
        dt = DTYPES[op.get("scale_dtype", "float32")]
        for k, g in _matches(op, weights):
            v = weights[k]
            weights[k] = (v.astype(mx.float32) / s).astype(v.dtype)
            _put(weights, k + "_scale_inv", mx.array(s, dtype=dt), op)
    elif kind == "compressed_int4":
        # compressed-tensors' symmetric int4 (pack-quantized): for every layer
        # quantized affine 4-bit, `weight_packed` (the packed words),
        # `weight_scale` and `weight_shape`; the zero point is fixed at 8, so
        # the checkpoint has no biases (sanitize rebuilds them as -8 * scale).
        for k, g in _matches(op, weights):
            base = k[: -len("weight")]
            if base + "scales" not in weights:
                continue
            w = weights.pop(k)
            s = weights.pop(base + "scales")
            weights.pop(base + "biases", None)
            _put(weights, base + "weight_packed", w.view(mx.int32), op)
            _put(weights, base + "weight_scale", s, op)
            shape = [w.shape[-2], w.shape[-1] * 8]
            _put(weights, base + "weight_shape", mx.array(shape, dtype=mx.int64), op)
    elif kind == "mla_kv_b":
        # Multi-head latent attention (deepseek_v3, glm4_moe_lite at 0.32):
        # checkpoints hold kv_b_proj [heads * (nope + v), kv_lora_rank];
        # mlx-lm splits it into embed_q (the nope rows, transposed) and
        # unembed_out. When the model is quantized, kv_b_proj is too (with
        # the group size and bits of embed_q), as sanitize expects.
        heads, nope = _config["num_attention_heads"], _config["qk_nope_head_dim"]
        for k, g in _matches(op, weights):
            p = k[: -len(".embed_q.weight")]
            wk, wv = weights.pop(k), weights.pop(p + ".unembed_out.weight")
            # kv_b_proj can be quantized only where both halves are (sanitize
            # requantizes both with its group size); a half quantized alone
            # (embed_q's last dim, qk_nope_head_dim, smaller than the group)
            # makes an unquantized kv_b_proj, as a checkpoint of such a model has.
            halves = [p + ".embed_q", p + ".unembed_out"]
            quant = [h + ".scales" in weights for h in halves]
            quantized = all(quant)
            # Bits and group size from the shapes, as sanitize infers them
            # (the input dims are qk_nope_head_dim and kv_lora_rank).
            ws, ins = [wk, wv], [nope, _config["kv_lora_rank"]]
            for i, h in enumerate(halves):
                if quant[i]:
                    sc, bi = weights.pop(h + ".scales"), weights.pop(h + ".biases")
                    bits = ws[i].shape[-1] * 32 // ins[i]
                    gs = ins[i] // sc.shape[-1]
                    ws[i] = mx.dequantize(ws[i], sc, bi, group_size=gs, bits=bits)
            wk, wv = ws
            if wk.shape[0] != heads or wk.shape[-1] != nope:  # after dequantization
                raise LayoutError(f"mla_kv_b: {k} is {wk.shape}, want [{heads}, rank, {nope}]")
            v = mx.concatenate([wk.swapaxes(-1, -2), wv], axis=1)
            v = v.reshape(-1, v.shape[-1])
            if quantized:
                w, sc, bi = mx.quantize(v, group_size=gs, bits=bits)
                _put(weights, p + ".kv_b_proj.weight", w, op)
                _put(weights, p + ".kv_b_proj.scales", sc, op)
                _put(weights, p + ".kv_b_proj.biases", bi, op)
            else:
                _put(weights, p + ".kv_b_proj.weight", mx.contiguous(v), op)
    else:
        raise LayoutError(f"unknown op {kind!r}")
    return weights
