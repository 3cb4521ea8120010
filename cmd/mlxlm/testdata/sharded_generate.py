"""mlx-lm's own tensor-parallel greedy generation, for TestLaunchShardedGenerate.

Run under `mlx.launch --backend ring -n 2`: each rank loads the checkpoint,
shards it with Model.shard(group) as mlx_lm.utils.sharded_load does for a model
with shard(), and runs generate_step at temperature 0; rank 0 prints
{"tokens": [...]} as one JSON line.

    sharded_generate.py MODEL_DIR PROMPT_TOKENS(1,2,3) MAX_TOKENS
"""
import json
import sys
from pathlib import Path

import mlx.core as mx
from mlx_lm.generate import generate_step
from mlx_lm.sample_utils import make_sampler
from mlx_lm.utils import load_model


def main():
    model_dir, prompt, max_tokens = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    group = mx.distributed.init(strict=True)
    model, _ = load_model(model_dir, lazy=True, strict=False)
    model.shard(group)
    mx.eval(model.parameters())
    mx.eval(mx.distributed.all_sum(mx.array(1.0), stream=mx.cpu))
    prompt = mx.array([int(t) for t in prompt.split(",")])
    tokens = [
        int(t)
        for t, _ in generate_step(prompt, model, max_tokens=max_tokens, sampler=make_sampler(0.0))
    ]
    if group.rank() == 0:
        print(json.dumps({"tokens": tokens}), flush=True)


if __name__ == "__main__":
    main()
