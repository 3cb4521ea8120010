"""One rank of ported/base's gather_last_axis ring test (mlx-lm 0.32.2).

Run once per rank with the ring backend's environment (MLX_RANK, MLX_HOSTFILE)
and HF2GO_DIST_OUT, as the Go test launches it: each rank draws its own shard
of a few arrays and writes them with base.gather_last_axis's result to
$HF2GO_DIST_OUT/rank<r>.safetensors.
"""
import os

import mlx.core as mx
from mlx_lm.models.base import gather_last_axis

group = mx.distributed.init(strict=True, backend="ring")
rank = group.rank()
mx.random.seed(10 + rank)
res = {}
for name, shape in (("a", (3, 5)), ("b", (2, 4, 6)), ("c", (7,)), ("d", (1, 1, 2, 3))):
    x = mx.random.normal(shape)
    res[name + "/x"] = x
    res[name + "/out"] = gather_last_axis(x, group)
mx.eval(res)
mx.save_safetensors(os.path.join(os.environ["HF2GO_DIST_OUT"], f"rank{rank}.safetensors"), res)
