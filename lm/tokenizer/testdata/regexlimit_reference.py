"""What HF tokenizers does with a catastrophically backtracking regex
(regexlimit_test.go).

Given <tokenizer.json> <inputs.json> <out.json>: encodes each input string of
inputs.json with tokenizers.Tokenizer.from_file and writes, per input, either
{"ids": [...]} or {"error": "<message>"} (Oniguruma's retry limit surfaces as
a Rust panic, PanicException, which is a BaseException).
"""
import json
import os
import sys

os.environ["RUST_BACKTRACE"] = "0"
from tokenizers import Tokenizer  # noqa: E402

tok = Tokenizer.from_file(sys.argv[1])
out = []
for text in json.load(open(sys.argv[2])):
    try:
        out.append({"ids": tok.encode(text, add_special_tokens=False).ids})
    except BaseException as e:  # PanicException derives from BaseException
        out.append({"error": f"{type(e).__name__}: {e}"})
json.dump(out, open(sys.argv[3], "w"))
