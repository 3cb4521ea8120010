"""Reference outputs for ported/rope: runs mlx-lm 0.32.2's initialize_rope.

Usage: gen_rope.py OUTDIR. Writes OUTDIR/cases.json (the configurations, read
by the Go test to build the same layers) and OUTDIR/rope.safetensors (inputs,
custom frequencies and outputs at int and array offsets).
"""
import json
import sys

import mlx.core as mx
from mlx_lm.models.rope_utils import apply_yarn_mscale, initialize_rope

out = sys.argv[1]
mx.random.seed(0)

INT_OFFSETS = [0, 7, 300]
B, H, L = 2, 3, 5

cases = [
    dict(name="default", dims=16, D=16, base=10000.0, traditional=False, scaling=None, max_pos=None),
    dict(name="default_partial_trad", dims=8, D=16, base=10000.0, traditional=True, scaling=None, max_pos=None),
    dict(name="default_explicit", dims=16, D=16, base=1000000.0, traditional=False,
         scaling={"rope_type": "default"}, max_pos=4096),
    dict(name="linear", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "linear", "factor": 4.0}, max_pos=4096),
    dict(name="linear_type_key", dims=16, D=24, base=10000.0, traditional=False,
         scaling={"type": "linear", "factor": 2}, max_pos=4096),
    dict(name="llama3", dims=64, D=64, base=500000.0, traditional=False,
         scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                  "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
         max_pos=131072),
    dict(name="llama3_defaults_trad", dims=32, D=48, base=10000.0, traditional=True,
         scaling={"rope_type": "llama3", "factor": 32}, max_pos=2048),
    dict(name="yarn", dims=32, D=32, base=10000.0, traditional=False,
         scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096},
         max_pos=16384),
    dict(name="yarn_partial", dims=16, D=24, base=1000000.0, traditional=True,
         scaling={"type": "yarn", "factor": 8, "original_max_position_embeddings": 2048,
                  "beta_fast": 16, "beta_slow": 2, "mscale": 1.2, "mscale_all_dim": 0.5},
         max_pos=16384),
    dict(name="deepseek_yarn", dims=16, D=16, base=10000.0, traditional=True,
         scaling={"type": "deepseek_yarn", "factor": 40, "original_max_position_embeddings": 4096,
                  "beta_fast": 32, "beta_slow": 1, "mscale": 0.707, "mscale_all_dim": 0.707},
         max_pos=163840),
    dict(name="yarn_factor_one", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "yarn", "factor": 1.0}, max_pos=4096),
    dict(name="longrope", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"type": "longrope", "original_max_position_embeddings": 4096,
                  "short_factor": [1.0 + 0.1 * i for i in range(8)],
                  "long_factor": [1.5 + 0.25 * i for i in range(8)]},
         max_pos=131072),
    dict(name="longrope_partial_scalar", dims=8, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "longrope", "original_max_position_embeddings": 2048,
                  "short_factor": 1.0, "long_factor": 2.0},
         max_pos=8192),
    dict(name="longrope_no_extension", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "longrope", "original_max_position_embeddings": 4096,
                  "short_factor": [1.0] * 8, "long_factor": [1.0] * 8},
         max_pos=4096),
    dict(name="mrope", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"type": "mrope", "mrope_section": [2, 3, 3]}, max_pos=4096),
    # New in 0.32: dynamic NTK (the base grows past max_pos: offsets 7 and 300
    # pass 8 positions; 0 does not), proportional, telechat3-yarn.
    dict(name="dynamic", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "dynamic", "factor": 2.0}, max_pos=8),
    dict(name="dynamic_int_factor_trad", dims=8, D=16, base=500000.0, traditional=True,
         scaling={"type": "dynamic", "factor": 3}, max_pos=12),
    dict(name="dynamic_long_context", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "dynamic", "factor": 4.0}, max_pos=4096),
    dict(name="proportional", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "proportional", "partial_rotary_factor": 0.5, "factor": 2.0}, max_pos=4096),
    dict(name="proportional_defaults_trad", dims=16, D=24, base=1000000.0, traditional=True,
         scaling={"rope_type": "proportional"}, max_pos=4096),
    dict(name="proportional_odd", dims=24, D=24, base=10000.0, traditional=False,
         scaling={"rope_type": "proportional", "partial_rotary_factor": 0.3}, max_pos=4096),
    dict(name="telechat3_yarn", dims=16, D=16, base=10000.0, traditional=False,
         scaling={"rope_type": "telechat3-yarn", "factor": 4.0, "original_max_position_embeddings": 2048,
                  "mscale": 1.0, "mscale_all_dim": 1.0}, max_pos=8192),
]

# Configurations initialize_rope rejects; the Go port must reject them too.
bad = [
    dict(name="unsupported", scaling={"rope_type": "ntk-by-parts", "factor": 2.0}),
    dict(name="dynamic_no_factor", scaling={"rope_type": "dynamic"}),
    dict(name="proportional_too_many_rotated", scaling={"rope_type": "proportional", "partial_rotary_factor": 1.5}),
    dict(name="mrope_two_sections", scaling={"type": "mrope", "mrope_section": [4, 4]}),
    dict(name="linear_no_factor", scaling={"rope_type": "linear"}),
    dict(name="llama3_no_factor", scaling={"rope_type": "llama3"}),
    dict(name="longrope_no_factors", scaling={"rope_type": "longrope", "original_max_position_embeddings": 4096}),
]
for b in bad:
    try:
        initialize_rope(16, 10000.0, False, b["scaling"], 4096)
        b["python_raises"] = False
    except Exception as e:  # noqa: BLE001 - any exception counts as a rejection
        b["python_raises"] = True
        b["python_error"] = repr(e)

arrays = {}
for c in cases:
    name = c["name"]
    rope = initialize_rope(c["dims"], c["base"], c["traditional"], c["scaling"], c["max_pos"])
    c["class"] = type(rope).__name__
    x = mx.random.normal((B, H, L, c["D"]))
    arrays[f"{name}/x"] = x
    if hasattr(rope, "_freqs"):
        arrays[f"{name}/freqs"] = rope._freqs
    for off in INT_OFFSETS:
        # Python's setitem-based pre-scaling mutates its input; pass a copy.
        arrays[f"{name}/int/{off}"] = rope(mx.array(x), offset=off)
    arrays[f"{name}/arr_scalar"] = rope(mx.array(x), offset=mx.array(13))
    try:
        arrays[f"{name}/arr_batch"] = rope(mx.array(x), offset=mx.array([3, 41]))
        c["batch_raises"] = False
    except ValueError:  # DynamicNTKScalingRoPE: a base from a (B,) offset
        c["batch_raises"] = True
    if c["class"] == "YarnRoPE":  # 0.32's scale and inverse arguments
        y = rope(mx.array(x), offset=7, scale=0.5)
        arrays[f"{name}/scaled"] = y
        arrays[f"{name}/inverse"] = rope(y, offset=7, scale=0.5, inverse=True)
        arrays[f"{name}/inverse_arr"] = rope(mx.array(x), offset=mx.array([3, 41]), inverse=True)
    # Python mutates x in place for the pre-scaled variants; record that the
    # input we saved is the one each call saw (copies above).

# apply_yarn_mscale: the attention-scale half of the yarn correction.
mscale_cases = [
    (0.125, None), (0.125, {}), (0.088, {"rope_type": "yarn", "factor": 40, "mscale_all_dim": 0.707}),
    (0.088, {"type": "deepseek_yarn", "factor": 4.0, "mscale_all_dim": 1.0, "mscale": 0.5}),
    (0.1, {"rope_type": "yarn", "factor": 1.0, "mscale_all_dim": 1.0}),
    (0.1, {"rope_type": "yarn", "factor": 8.0}), (0.1, {"rope_type": "default", "factor": 8.0, "mscale_all_dim": 1.0}),
    (0.1, {"factor": 8.0, "mscale_all_dim": 1.0}), (0.25, {"type": "", "rope_type": "yarn", "factor": 2, "mscale_all_dim": 2}),
]
mscales = [dict(scale=sc, scaling=cfg, out=apply_yarn_mscale(sc, cfg)) for sc, cfg in mscale_cases]

mx.eval(arrays)
mx.save_safetensors(f"{out}/rope.safetensors", arrays)
with open(f"{out}/cases.json", "w") as f:
    json.dump({"int_offsets": INT_OFFSETS, "cases": cases, "bad": bad, "batch_offsets": [3, 41],
               "scalar_offset": 13, "mscale": mscales}, f)
