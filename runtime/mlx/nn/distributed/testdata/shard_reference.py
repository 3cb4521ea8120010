"""mlx's own _shard (mlx/nn/layers/distributed.py, mlx 0.32.4) on small
parameter trees, for shard_test.go: for every case of shard_cases.json and
both ranks of a group of 2 (a stand-in object with size() and rank(), which
is all _shard asks of a group), it saves the inputs and each rank's shards to
<out>/shards.safetensors as "<case>.in.<param>" and "<case>.r<rank>.<param>".
"""
import json
import os
import sys

import mlx.core as mx
from mlx.nn.layers.distributed import _all_to_sharded, _shard, _sharded_to_all


class Group:
    def __init__(self, rank, size):
        self._rank, self._size = rank, size

    def rank(self):
        return self._rank

    def size(self):
        return self._size


def main():
    cases_path, out = sys.argv[1], sys.argv[2]
    with open(cases_path) as f:
        cases = json.load(f)
    mx.random.seed(7)
    arrays = {}
    for case in cases:
        name = case["name"]
        params = {k: mx.random.normal(tuple(s)) for k, s in case["params"].items()}
        if "quantize" in case:
            w = mx.random.normal(tuple(case["quantize"]))
            params["weight"], params["scales"], params["biases"] = mx.quantize(w, 32, 4)
        pred = (_all_to_sharded if case["kind"] == "all-to-sharded" else _sharded_to_all)(case["segments"])
        for k, v in params.items():
            arrays[f"{name}.in.{k}"] = v
        for r in range(2):
            for k, v in _shard(params, pred, Group(r, 2)).items():
                arrays[f"{name}.r{r}.{k}"] = v
    mx.save_safetensors(os.path.join(out, "shards.safetensors"), arrays)


if __name__ == "__main__":
    main()
