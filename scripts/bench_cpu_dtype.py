#!/usr/bin/env python3
"""CPU compute dtype measurement (docs/bench/cpu-dtype.md): MLX on the CPU,
the same libmlx hf2go links.

1. GEMV (the decode step's bulk): y = W x for a 2048x8192 weight in float32,
   float16, bfloat16 and 4-bit affine (group 32, float16 / float32 scales),
   in GB/s of weight read.
2. SmolLM2-135M-Instruct (the demo GGUF) decoding with mlx-lm's model code:
   as loaded (Q4_1 -> 4-bit, float16 scales), scales cast to float32 (what
   mlxlm's --dtype auto does on the CPU), and fully dequantized to float32.

    bench_cpu_dtype.py GGUF_FILE [--tokens 48]
"""
import argparse
import time

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_map

mx.set_default_device(mx.cpu)


def gemv(reps=30):
    rows, cols = 8192, 2048
    w32 = mx.random.normal((rows, cols))
    x32 = mx.random.normal((1, cols))
    out = []
    for name, dt in [("float32", mx.float32), ("float16", mx.float16), ("bfloat16", mx.bfloat16)]:
        w, x = w32.astype(dt), x32.astype(dt)
        mx.eval(w, x)
        out.append((name, w.nbytes, lambda w=w, x=x: x @ w.T))
    for sdt in (mx.float16, mx.float32):
        wq, s, b = mx.quantize(w32.astype(sdt), group_size=32, bits=4)
        x = x32.astype(sdt)
        mx.eval(wq, s, b, x)
        nb = wq.nbytes + s.nbytes + b.nbytes
        out.append((f"4-bit (g32, {sdt} scales)", nb,
                    lambda wq=wq, s=s, b=b, x=x: mx.quantized_matmul(x, wq, s, b, group_size=32, bits=4)))
    res = []
    for name, nb, f in out:
        for _ in range(3):
            mx.eval(f())
        t = time.perf_counter()
        for _ in range(reps):
            mx.eval(f())
        dt = (time.perf_counter() - t) / reps
        res.append((name, nb / dt / 1e9, dt * 1e3))
    return res


def smollm2(path, n):
    import sys, os
    sys.path.insert(0, os.path.dirname(__file__))
    from mlx_lm.generate import generate_step
    from mlx_lm.models import llama
    w, md = mx.load(path, return_metadata=True)
    names = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm", "attn_q": "self_attn.q_proj",
             "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
             "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
    heads, kv = int(md["llama.attention.head_count"].item()), int(md["llama.attention.head_count_kv"].item())
    weights = {}
    for k, v in w.items():
        p = k.split(".")
        if p[0] == "blk":
            n_ = f"model.layers.{p[1]}.{names[p[2]]}.{p[3]}"
        else:
            n_ = {"token_embd": "model.embed_tokens", "output_norm": "model.norm"}[p[0]] + "." + p[1]
        if "q_proj" in n_ or "k_proj" in n_:
            h = heads if "q_proj" in n_ else kv
            s = v.shape
            v = v.reshape(h, s[0] // h // 2, 2, *s[1:]).swapaxes(1, 2).reshape(s)
        weights[n_] = v
    def build():
        args = llama.ModelArgs(model_type="llama", hidden_size=576, num_hidden_layers=30, intermediate_size=1536,
                               num_attention_heads=heads, rms_norm_eps=1e-5, vocab_size=49152, num_key_value_heads=kv,
                               rope_theta=100000.0, tie_word_embeddings=True)
        m = llama.Model(args)
        nn.quantize(m, 32, 4, class_predicate=lambda p, l: {"group_size": 32, "bits": 8} if p == "model.embed_tokens"
                    else f"{p}.scales" in weights)
        m.load_weights(list(weights.items()))
        return m
    prompt = mx.array([1, 4093, 198, 22640, 549, 253, 1789, 563, 253, 5345, 30, 2, 198, 1, 520, 9531, 198])
    res = []
    for mode in ["as loaded (float16 scales)", "float32 scales (--dtype auto)", "dequantized to float32"]:
        m = build()
        if mode.startswith("float32"):
            m.update(tree_map(lambda x: x.astype(mx.float32) if x.dtype == mx.float16 else x, m.parameters()))
        elif mode.startswith("dequantized"):
            def deq(mod):
                for name, child in mod.children().items():
                    pass
            flat = {}
            for name, mod in m.named_modules():
                if isinstance(mod, nn.QuantizedLinear):
                    lin = nn.Linear(mod.weight.shape[1] * 32 // mod.bits, mod.weight.shape[0], bias=False)
                    lin.weight = mx.dequantize(mod.weight, mod.scales, mod.biases, mod.group_size, mod.bits).astype(mx.float32)
                    flat[name] = lin
                elif isinstance(mod, nn.QuantizedEmbedding):
                    emb = nn.Embedding(*mod.weight.shape[:1], 576)
                    emb.weight = mx.dequantize(mod.weight, mod.scales, mod.biases, mod.group_size, mod.bits).astype(mx.float32)
                    flat[name] = emb
            from mlx.utils import tree_unflatten
            m.update_modules(tree_unflatten(list(flat.items())))
            m.update(tree_map(lambda x: x.astype(mx.float32) if x.dtype == mx.float16 else x, m.parameters()))
        mx.eval(m.parameters())
        t0 = time.perf_counter()
        toks = 0
        for (tok, _), i in zip(generate_step(prompt, m), range(n)):
            if i == 0:
                t1 = time.perf_counter()
            toks += 1
        t2 = time.perf_counter()
        res.append((mode, len(prompt) / (t1 - t0), (toks - 1) / (t2 - t1)))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gguf")
    ap.add_argument("--tokens", type=int, default=48)
    a = ap.parse_args()
    print("GEMV 8192x2048 (CPU):")
    for name, gbs, ms in gemv():
        print(f"  {name:32s} {gbs:6.2f} GB/s  {ms:7.2f} ms")
    print(f"SmolLM2-135M decode, {a.tokens} tokens (CPU):")
    for mode, ptps, gtps in smollm2(a.gguf, a.tokens):
        print(f"  {mode:32s} prompt {ptps:7.1f} tok/s  generation {gtps:6.1f} tok/s")


if __name__ == "__main__":
    main()
