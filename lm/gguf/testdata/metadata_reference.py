"""mx.load(GGUF, return_metadata=True) for file_test.go: scalar metadata,
array lengths with every 997th element, and the tensor names and shapes.

    metadata_reference.py OUT_DIR FILE.gguf
"""
import json
import os
import sys

import mlx.core as mx


def main():
    out, path = sys.argv[1], sys.argv[2]
    w, md = mx.load(path, return_metadata=True)
    scalars, lists, lengths = {}, {}, {}
    for k, v in md.items():
        if isinstance(v, str):
            scalars[k] = v
        elif isinstance(v, list):
            lengths[k] = len(v)
            lists[k] = [v[(i * 997) % len(v)] for i in range(min(len(v), 50))]
        elif v.ndim == 0:
            scalars[k] = v.item()
        else:
            vals = v.tolist()
            lengths[k] = len(vals)
            lists[k] = [vals[(i * 997) % len(vals)] for i in range(min(len(vals), 50))]
    res = {"scalars": scalars, "lists": lists, "lengths": lengths, "tensors": {k: list(a.shape) for k, a in w.items()}}
    with open(os.path.join(out, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
