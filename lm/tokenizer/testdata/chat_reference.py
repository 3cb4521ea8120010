"""Reference chat-template renderings for chat_test.go.

    chat_reference.py TESTDATA_DIR OUT_JSON

For every template in TESTDATA_DIR/templates/*.json (the real templates that
registry packages ship; see SOURCES.md) and every case of chat_cases.json
(each conversation, with and without the tools where listed, generation
prompt on and off, each set of extra variables), renders the conversation
with transformers' own renderer, exactly as apply_chat_template(tokenize=False)
calls it: render_jinja_template(conversations=[messages], tools=...,
chat_template=..., add_generation_prompt=..., **special_tokens, **extra).
A template that raises records the error instead of text.
"""
import json
import os
import sys

from transformers.utils.chat_template_utils import render_jinja_template


def main():
    testdata, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(testdata, "chat_cases.json"), encoding="utf-8") as f:
        spec = json.load(f)
    tdir = os.path.join(testdata, "templates")
    results = []
    for name in sorted(os.listdir(tdir)):
        with open(os.path.join(tdir, name), encoding="utf-8") as f:
            t = json.load(f)
        special = {k: t[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token") if k in t}
        for conv_name, messages in spec["conversations"].items():
            tool_opts = [None, spec["tools"]] if conv_name in spec["with_tools"] else [None]
            for tools in tool_opts:
                for gen in (True, False):
                    for extra in spec["extras"]:
                        case = {"template": name[: -len(".json")], "conversation": conv_name, "tools": tools is not None,
                                "add_generation_prompt": gen, "extra": extra}
                        try:
                            text = render_jinja_template(conversations=[messages], tools=tools,
                                                         chat_template=t["chat_template"], add_generation_prompt=gen,
                                                         **{**special, **extra})
                            case["text"] = text[0][0] if isinstance(text, tuple) else text[0]
                        except Exception as e:  # the template raised: Go must fail too
                            case["error"] = f"{type(e).__name__}: {e}"
                        results.append(case)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
