"""Reference encodings for the GGUF tokenizer parity test (tokenizer_test.go).

    tokenizer_reference.py OUT_DIR SMOLLM2_GGUF

For each case it writes OUT_DIR/<case>.gguf (a GGUF file holding only a
tokenizer, written with mx.save_gguf) and records, over the tokenizer test
corpus of lm/tokenizer/testdata/reference.py, what Hugging Face `tokenizers`
produces with an *equivalent tokenizer.json*:

- llama3, qwen3: the GGUF is made from the real tokenizer.json in
  lm/tokenizer/testdata the way llama.cpp's convert_hf_to_gguf.py writes
  tokenizers (tokens by id, token types: special added tokens CONTROL, other
  added tokens USER_DEFINED; merges as "a b"; the pre-tokenizer name its
  hash table gives these tokenizers), and the reference is that original
  tokenizer.json itself.
- smollm2: the real GGUF's own tokenizer (tokenizer.ggml.*, read with
  mx.load). No original tokenizer.json ships with it, so the equivalent one
  is built here from the metadata as transformers' GGUF converter built it
  (byte-level BPE over tokens / merges, CONTROL tokens as special added
  tokens; the converter itself left transformers in 5.x), with
  the pre-tokenizer of the SmolLM tokenizer.json that llama.cpp's "smollm"
  name stands for (Digits(individual_digits) + ByteLevel).
"""
import gzip
import json
import os
import sys

import mlx.core as mx
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
TOKDATA = os.path.join(HERE, "..", "..", "tokenizer", "testdata")
sys.path.insert(0, TOKDATA)
import reference  # noqa: E402  (the tokenizer tests' corpus)

CONTROL, USER_DEFINED, NORMAL = 3, 4, 1


def gguf_from_tokenizer_json(tj, pre, add_bos):
    vocab = tj["model"]["vocab"]
    added = {a["id"]: a for a in tj["added_tokens"]}
    n = max(max(vocab.values()), max(added) if added else 0) + 1
    tokens = [None] * n
    for t, i in vocab.items():
        tokens[i] = t
    types = [NORMAL] * n
    for i, a in added.items():
        tokens[i] = a["content"]
        types[i] = CONTROL if a["special"] else USER_DEFINED
    for i, t in enumerate(tokens):
        assert t is not None, i
    merges = [m if isinstance(m, str) else " ".join(m) for m in tj["model"]["merges"]]
    return {
        "general.architecture": "llama",
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": pre,
        "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.token_type": mx.array(types, dtype=mx.int32),
        "tokenizer.ggml.merges": merges,
        "tokenizer.ggml.add_bos_token": mx.array(add_bos),
    }


def smollm2_equivalent(path):
    # What transformers' GGUF converter built for a "gpt2" GGUF tokenizer (its
    # GGUFGPTConverter, removed in transformers 5.x): a byte-level BPE over the
    # GGUF's tokens (ids by position) and merges, no unknown token, ByteLevel
    # decoding. Written out directly with the `tokenizers` schema.
    _, md = mx.load(path, return_metadata=True)
    tokens = md["tokenizer.ggml.tokens"]
    types = md["tokenizer.ggml.token_type"].tolist()
    assert md["tokenizer.ggml.pre"] == "smollm"
    tj = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": None, "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)},
                  "merges": [m.split(" ", 1) for m in md["tokenizer.ggml.merges"]]},
    }
    tj["added_tokens"] = [
        {"id": i, "content": tokens[i], "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, t in enumerate(types) if t == CONTROL
    ]
    tj["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Digits", "individual_digits": True},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    ]}
    assert not bool(md["tokenizer.ggml.add_bos_token"].item())
    tj["post_processor"] = None
    return tj


def main():
    out, smol = sys.argv[1], sys.argv[2]
    texts = reference.corpus()
    cases = {}
    for fam, pre, add_bos in [("llama3", "llama-bpe", True), ("qwen3", "qwen2", False)]:
        with gzip.open(os.path.join(TOKDATA, fam, "tokenizer.json.gz"), "rt", encoding="utf-8") as f:
            tj = json.load(f)
        md = gguf_from_tokenizer_json(tj, pre, add_bos)
        if add_bos:
            bos = next(a["id"] for a in tj["added_tokens"] if a["content"] == "<|begin_of_text|>")
            md["tokenizer.ggml.bos_token_id"] = mx.array(bos, dtype=mx.uint32)
            # The original adds BOS through its post-processor.
            tj["post_processor"] = {"type": "TemplateProcessing",
                                    "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                               {"Sequence": {"id": "A", "type_id": 0}}],
                                    "pair": [{"Sequence": {"id": "A", "type_id": 0}}],
                                    "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [bos],
                                                                               "tokens": ["<|begin_of_text|>"]}}}
        mx.save_gguf(os.path.join(out, fam + ".gguf"), {}, md)
        cases[fam] = (os.path.join(out, fam + ".gguf"), tj)
    cases["smollm2"] = (smol, smollm2_equivalent(smol))

    result = {"corpus": texts, "cases": {}}
    for name, (path, tj) in cases.items():
        tok = Tokenizer.from_str(json.dumps(tj))
        with_special = [e.ids for e in tok.encode_batch(texts, add_special_tokens=True)]
        without = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
        decoded = [tok.decode(ids, skip_special_tokens=False) for ids in without]
        result["cases"][name] = {"gguf": path, "with_special": with_special, "without_special": without,
                                 "decoded": decoded, "vocab_size": tok.get_vocab_size(with_added_tokens=True)}
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
