"""Reference chat-template renderings for chat_test.go.

    chat_reference.py TESTDATA_DIR OUT_JSON FAMILY...

Renders deterministic conversations with transformers' apply_chat_template
(tokenize=False) for each family's committed tokenizer files.
"""

import gzip
import json
import os
import shutil
import sys
import tempfile

from transformers import AutoTokenizer

CONVERSATIONS = [
    [{"role": "user", "content": "Hello!"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "  What is 2+2?  "}],
    [
        {"role": "user", "content": "Translate 'cat' to French."},
        {"role": "assistant", "content": "chat"},
        {"role": "user", "content": "And to Japanese? 日本語で"},
    ],
    [
        {"role": "system", "content": "Line one.\nLine two.\n"},
        {"role": "user", "content": "emoji 👩‍💻 and <tags> & \"quotes\""},
        {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nSure."},
        {"role": "user", "content": "\ttabbed\n\nmultiline"},
    ],
    [{"role": "user", "content": ""}],
]

EXTRAS = [{}, {"enable_thinking": False}]


def main():
    testdata, out, fams = sys.argv[1], sys.argv[2], sys.argv[3:]
    cases = []
    for fam in fams:
        tmp = tempfile.mkdtemp()
        try:
            with gzip.open(os.path.join(testdata, fam, "tokenizer.json.gz"), "rb") as src, \
                    open(os.path.join(tmp, "tokenizer.json"), "wb") as dst:
                shutil.copyfileobj(src, dst)
            shutil.copy(os.path.join(testdata, fam, "tokenizer_config.json"), tmp)
            tok = AutoTokenizer.from_pretrained(tmp)
            for conv in CONVERSATIONS:
                for gen in (True, False):
                    for extra in EXTRAS:
                        text = tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=gen, **extra)
                        cases.append({"family": fam, "messages": conv, "add_generation_prompt": gen,
                                      "extra": extra, "expected": text})
        finally:
            shutil.rmtree(tmp)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
