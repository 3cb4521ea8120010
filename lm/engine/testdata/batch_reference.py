#!/usr/bin/env python3
"""The models and mlx-lm's greedy tokens for lm/engine's batching tests, in
one process (mlx-lm's import is most of the cost).

For each case, the model is made and saved by lm/server/testdata/make_model.py
(its arguments), then each prompt runs alone (generate_step, what
mlx_lm.generate runs) and all of them run through BatchGenerator
(continuous batching, as mlx_lm.server runs it), the second group of prompts
inserted after the first has taken `join_after` steps.

usage: batch_reference.py SPEC.json
  SPEC: {"prompts": [[[tok, ...], ...], [[tok, ...], ...]], "max_tokens": N, "join_after": K,
         "cases": [{"make_model": [ARGS...], "max_kv_size": S | null}, ...]}
  A case with "ssm_lengths": true (nemotron_h) also runs BatchGenerator with nemotron_h.py's Mamba mixer
  passing lengths=cache.lengths to ssm_update, as ssm.py provides for and the mixer does not at 0.32.2:
  without it a row right-padded in the prefill batch takes the padding into its SSM state ("batch_ssm_lengths").
prints [{"alone": [[tok, ...], ...], "batch": [[tok, ...], ...], "batch_ssm_lengths": ...}, ...], one per case
"""
import contextlib
import json
import sys
from pathlib import Path

import mlx.core as mx
from mlx_lm.generate import BatchGenerator, generate_step
from mlx_lm.utils import load_model

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server" / "testdata"))
import make_model  # noqa: E402


def reference(model, groups, n, join_after, max_kv_size):
    prompts = [p for g in groups for p in g]
    alone = []
    for p in prompts:
        toks = [int(t) for t, _ in generate_step(mx.array(p), model, max_tokens=n, max_kv_size=max_kv_size)]
        alone.append(toks)

    # No stop tokens: a random model's EOS would end rows at different points
    # in the two runs only by chance; length is the finish for every row.
    gen = BatchGenerator(model, stop_tokens=[], max_kv_size=max_kv_size)
    out = {}
    order = list(gen.insert(groups[0], [n] * len(groups[0])))
    steps = 0
    pending = groups[1]
    while True:
        if pending and steps >= join_after:
            order += gen.insert(pending, [n] * len(pending))
            pending = None
        responses = gen.next_generated()
        if not responses and not pending:
            break
        steps += 1
        for r in responses:
            out.setdefault(r.uid, []).append(int(r.token))
    gen.close()
    return {"alone": alone, "batch": [out[u] for u in order]}


@contextlib.contextmanager
def nemotron_h_ssm_lengths():
    """nemotron_h's mixer with cache.lengths passed on to ssm_update."""
    from mlx_lm.models import nemotron_h

    mixer, update = nemotron_h.NemotronHMamba2Mixer, nemotron_h.ssm_update
    orig_ssm = mixer._ssm
    lengths = [None]

    def _ssm(self, hidden_states, B, C, dt, cache, mask):
        lengths[0] = cache.lengths if cache is not None else None
        return orig_ssm(self, hidden_states, B, C, dt, cache, mask)

    mixer._ssm = _ssm
    nemotron_h.ssm_update = lambda *a, **k: update(*a, **k, lengths=lengths[0])
    try:
        yield
    finally:
        mixer._ssm, nemotron_h.ssm_update = orig_ssm, update


def main():
    spec = json.loads(Path(sys.argv[1]).read_text())
    results = []
    for case in spec["cases"]:
        args = make_model.parser().parse_args(case["make_model"])
        make_model.make(args)
        model, _ = load_model(Path(args.out))
        ref = reference(model, spec["prompts"], spec["max_tokens"], spec["join_after"], case.get("max_kv_size"))
        if case.get("ssm_lengths"):
            with nemotron_h_ssm_lengths():
                ref["batch_ssm_lengths"] = reference(model, spec["prompts"], spec["max_tokens"], spec["join_after"],
                                                     case.get("max_kv_size"))["batch"]
        results.append(ref)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
