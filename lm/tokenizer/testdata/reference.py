"""Reference outputs for the Go tokenizer parity tests.

Run by tokenizer_test.go with the project venv:

    reference.py TESTDATA_DIR OUT_DIR

Builds a deterministic corpus, writes every tokenizer under test (the real
ones in TESTDATA_DIR/<family>/tokenizer.json.gz plus variants derived from
them that exercise components the real files do not use) to
OUT_DIR/<family>/tokenizer.json, and writes OUT_DIR/reference.json with, per
family and corpus string, what the Python `tokenizers` package produces.
Nothing here is hard-coded expected output: it all comes from `tokenizers`.
"""

import copy
import gzip
import json
import os
import random
import sys

import tokenizers
from tokenizers import Tokenizer

REAL = ["llama3", "qwen3", "llama2", "gemma3", "gpt4"]


def load_json(testdata, family):
    with gzip.open(os.path.join(testdata, family, "tokenizer.json.gz"), "rt", encoding="utf-8") as f:
        return json.load(f)


GPT2_BYTELEVEL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}


def variants(testdata):
    """Derived tokenizers: real vocabularies, other pipeline components."""
    out = {}

    # GPT-2 / RoBERTa style: the ByteLevel pre-tokenizer does the regex split.
    g = load_json(testdata, "gpt4")
    g["pre_tokenizer"] = dict(GPT2_BYTELEVEL)
    g["post_processor"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    out["gpt2-style"] = g
    g2 = copy.deepcopy(g)
    g2["pre_tokenizer"]["add_prefix_space"] = True
    out["gpt2-prefix-space"] = g2

    # Current Llama/Mistral conversion: Metaspace pre-tokenizer, prepend "first".
    m = load_json(testdata, "llama2")
    m["normalizer"] = None
    m["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
    m["decoder"] = {
        "type": "Sequence",
        "decoders": [
            {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
        ],
    }
    out["llama2-metaspace"] = m
    m2 = copy.deepcopy(m)
    m2["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    m2["decoder"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    out["llama2-metaspace-split"] = m2

    # Other normalizers / pre-tokenizers and added-token flags on Llama 3's vocab.
    x = load_json(testdata, "llama3")
    x["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]}
    x["pre_tokenizer"] = {
        "type": "Sequence",
        "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            # No Punctuation pre-tokenizer here: HF classifies with the
            # unicode_categories crate (Unicode 9 tables), Go with Unicode 15,
            # so newer punctuation such as U+061D differs by design.
            x["pre_tokenizer"]["pretokenizers"][0],
            {"type": "Split", "pattern": {"String": "x"}, "behavior": "MergedWithNext", "invert": False},
            {"type": "Split", "pattern": {"String": "q"}, "behavior": "MergedWithPrevious", "invert": False},
            {"type": "Split", "pattern": {"Regex": "[aeiou]+"}, "behavior": "Contiguous", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ],
    }
    base = max(t["id"] for t in x["added_tokens"]) + 1
    extra = [
        ("<lstrip>", dict(lstrip=True)),
        ("<rstrip>", dict(rstrip=True)),
        ("<both>", dict(lstrip=True, rstrip=True)),
        ("zeta", dict(single_word=True, normalized=True, special=False)),
        ("Norm", dict(normalized=True, special=False)),
        ("<plain>", dict(special=False)),
    ]
    for i, (content, flags) in enumerate(extra):
        tok = {"id": base + i, "content": content, "single_word": False, "lstrip": False,
               "rstrip": False, "normalized": False, "special": True}
        tok.update(flags)
        x["added_tokens"].append(tok)
    out["llama3-components"] = x
    return out


# ---------------------------------------------------------------- corpus ----

SPECIALS = [
    "<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|end_of_text|>",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<s>", "</s>", "<unk>",
    "<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>", "<pad>", "<mask>", "<|fim_prefix|>",
    "<lstrip>", "<rstrip>", "<both>", "zeta", "Norm", "<plain>", "<|reserved_special_token_5|>",
    "<0x41>", "<|im_start", "im_end|>",
]

WORDS = {
    "latin": ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Hello", "WORLD", "naïve",
              "café", "résumé", "Straße", "façade", "über", "coöperate", "piñata", "Ångström", "zeta", "Norm"],
    "cyrillic": ["Привет", "мир", "язык", "программирование", "Ёлка", "щука"],
    "greek": ["Καλημέρα", "κόσμε", "λόγος", "ΣΊΣΥΦΟΣ", "ψυχή"],
    "arabic": ["مرحبا", "بالعالم", "اللغة", "العربية", "كتاب"],
    "hebrew": ["שלום", "עולם", "עִבְרִית"],
    "devanagari": ["नमस्ते", "दुनिया", "हिन्दी", "क्षत्रिय"],
    "thai": ["สวัสดี", "ภาษาไทย", "ครับ"],
    "cjk": ["你好", "世界", "中文分词测试", "漢字", "龘", "𠮷野家", "東京都", "北京大学"],
    "japanese": ["こんにちは", "カタカナ", "ひらがな", "ｶﾀｶﾅ", "日本語の文章です"],
    "korean": ["안녕하세요", "한국어", "세계"],
    "misc": ["Ⅻ", "①②③", "ﬁ", "ﬀ", "Ｈｅｌｌｏ", "½", "²³", "㎏", "™", "℃", "İstanbul", "ǅ", "ß"],
}

EMOJI = ["😀", "👍", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇫🇷", "🇯🇵", "🧑🏿‍🚀", "🤷‍♀️", "✨", "🔥", "💯", "🫠"]

COMBINING = ["e\u0301", "a\u0308", "n\u0303", "o\u0302\u0323", "\u0301", "Z\u0351\u036b\u0343\u036a", "\u200d", "\u200b", "\ufeff"]

WHITESPACE = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n ", "\u00a0", "\u3000", "\u2028",
              "\u0085", "\u000b", "\u000c", "\u001c", "\u2009", "    ", "\n\t  "]

CODE = [
    "def f(x):\n    return x ** 2  # square\n",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}",
    "func main() {\n\tfmt.Println(\"hi\")\n}",
    "SELECT * FROM users WHERE id = 42;",
    "const x = () => { return `${a}-${b}`; };",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "<div class=\"a\">&nbsp;&lt;tag&gt;</div>",
    "#include <stdio.h>\nint main(void){printf(\"%d\\n\",1);}",
    "x = [1, 2, 3]; y = {'a': 1, \"b\": 2}",
    "if err != nil {\n\t\treturn nil, fmt.Errorf(\"wrap: %w\", err)\n\t}",
    "    indented\n        more\n\n\n",
    "$ ls -la | grep '\\.go$' && echo done",
    "@decorator\nclass A(B, metaclass=M):\n    pass",
]

PUNCT = [".", ",", "!", "?", "...", "—", "–", "-", "'", "\"", "(", ")", "[", "]", "{", "}", ":", ";", "/", "\\",
         "«", "»", "“", "”", "‘", "’", "¿", "¡", "。", "、", "！", "？", "・", "@", "#", "$", "%", "^", "&", "*",
         "_", "+", "=", "~", "`", "|", "<", ">"]

CONTRACTIONS = ["it's", "you're", "we've", "I'm", "they'll", "he'd", "don't", "IT'S", "You'Re", "'s", "'re",
                "'ve", "'m", "'ll", "'d", "'t", "o'clock", "rock'n'roll"]


def number(rng):
    n = rng.choice([1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 17, 25, 40])
    s = "".join(rng.choice("0123456789") for _ in range(n))
    r = rng.random()
    if r < 0.1:
        s = s + "." + str(rng.randint(0, 99999))
    elif r < 0.15:
        s = "-" + s
    elif r < 0.2:
        s = "1,234,567"
    elif r < 0.25:
        s = "٣٤٥" + s  # Arabic-Indic digits
    elif r < 0.3:
        s = "１２３" + s  # fullwidth digits
    return s


def random_codepoint(rng):
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F),
              (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2190, 0x23FF), (0x3040, 0x30FF),
              (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE00, 0xFE0F), (0xFF00, 0xFFEF),
              (0x1F300, 0x1FAFF), (0x20000, 0x2A6DF), (0x1D400, 0x1D7FF), (0xE000, 0xE0FF), (0x0, 0x1F)]
    lo, hi = rng.choice(ranges)
    return chr(rng.randint(lo, hi))


def fragment(rng):
    k = rng.random()
    if k < 0.35:
        return rng.choice(WORDS[rng.choice(list(WORDS))])
    if k < 0.42:
        return rng.choice(EMOJI)
    if k < 0.47:
        return rng.choice(COMBINING)
    if k < 0.55:
        return number(rng)
    if k < 0.63:
        return rng.choice(PUNCT)
    if k < 0.69:
        return rng.choice(CONTRACTIONS)
    if k < 0.74:
        return rng.choice(SPECIALS)
    if k < 0.78:
        return rng.choice(CODE)
    if k < 0.86:
        return "".join(random_codepoint(rng) for _ in range(rng.randint(1, 6)))
    return rng.choice(WHITESPACE)


HANDWRITTEN = [
    "", " ", "  ", "\n", "\t", "\r\n", "a", "Hello, world!", " Hello", "Hello ", "  leading and trailing  ",
    "<|begin_of_text|>Hello<|eot_id|>", "<s>hi</s>", "<bos><start_of_turn>user\nHi<end_of_turn>\n",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    "x <lstrip> y", "x   <rstrip>   y", "a <both>  b", "zeta", "a zeta b", "azeta", "zetab", "Norm Normal",
    "the number 1234567890 and 3.14159", "I'm sure you're right, it's fine; they'll see.",
    "   \n\n   \t\t\n", "a\r\nb\r\n\r\nc", "👨‍👩‍👧‍👦👍🏽🏳️‍🌈", "e\u0301e\u0301", "\u0301leading combining",
    "中文没有空格所以是一个很长的词" * 3, "ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "ﬁne ﬂow", "İİİ", "ΣΑΣ σας",
    "<0x41><0x42>", "<unk>", "<|endoftext|><|endoftext|>", "<<|im_start|>>", "<|im_start|><|im_start|>",
    "tab\tseparated\tvalues", "trailing newline\n", "\n\nleading newlines", "emoji at end 🔥",
]


def corpus():
    rng = random.Random(20240611)
    out = list(HANDWRITTEN)
    while len(out) < 2400:
        n = rng.randint(1, 24)
        parts = []
        for _ in range(n):
            parts.append(fragment(rng))
            r = rng.random()
            if r < 0.5:
                parts.append(" ")
            elif r < 0.6:
                parts.append(rng.choice(WHITESPACE))
        s = "".join(parts)
        if rng.random() < 0.1:
            s = " " + s
        if rng.random() < 0.1:
            s = s + rng.choice(WHITESPACE)
        out.append(s)
    # A few long inputs so encode cost and merge-cache behaviour are exercised.
    for i in range(3):
        out.append("".join(fragment(rng) + " " for _ in range(800)))
    out.append("a" * 5000)
    out.append(" " * 3000)
    out.append("中" * 3000)
    out.append("😀" * 500)
    return out


def hash_name(name):
    # Python's hash() of str is salted per process; this is stable.
    return sum((i + 1) * ord(c) for i, c in enumerate(name))


def main():
    testdata, outdir = sys.argv[1], sys.argv[2]
    texts = corpus()
    result = {"tokenizers_version": tokenizers.__version__, "corpus": texts, "families": {}}
    toks = {}
    for name in REAL:
        with gzip.open(os.path.join(testdata, name, "tokenizer.json.gz"), "rt", encoding="utf-8") as f:
            toks[name] = Tokenizer.from_str(f.read())
    for name, js in variants(testdata).items():
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "tokenizer.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(js, f, ensure_ascii=False)
        toks[name] = Tokenizer.from_file(path)
    for name, tok in toks.items():
        tok.no_truncation()
        tok.no_padding()
        with_sp = [e.ids for e in tok.encode_batch(texts, add_special_tokens=True)]
        without = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
        size = tok.get_vocab_size(with_added_tokens=True)
        # A deterministic sample of ids (both ends, added tokens, the middle).
        sample = sorted({0, 1, 2, 3, size - 1, size - 2, size // 2, size // 3} | set(range(0, size, max(1, size // 50))))
        bos = eos = None
        cfg = os.path.join(testdata, name, "tokenizer_config.json")
        for path, opener in ((cfg, open), (cfg + ".gz", gzip.open)):
            if name in REAL and os.path.exists(path):
                with opener(path, "rt", encoding="utf-8") as f:
                    c = json.load(f)
                def tid(v):
                    if isinstance(v, dict):
                        v = v.get("content")
                    return None if v is None else tok.token_to_id(v)
                bos, eos = tid(c.get("bos_token")), tid(c.get("eos_token"))
        # Random id sequences reach what encoding never produces: invalid
        # UTF-8 from byte-level tokens, broken byte-fallback runs, specials.
        rng = random.Random(hash_name(name))
        vocab = tok.get_vocab(with_added_tokens=True)
        byte_ids = [vocab[f"<0x{b:02X}>"] for b in range(256) if f"<0x{b:02X}>" in vocab]
        random_ids = []
        for k in range(400):
            n = rng.randint(1, 12)
            if byte_ids and k % 2:
                seq = [rng.choice(byte_ids) if rng.random() < 0.7 else rng.randrange(size) for _ in range(n)]
            else:
                seq = [rng.randrange(size) for _ in range(n)]
            random_ids.append(seq)
        result["families"][name] = {
            "random_ids": random_ids,
            "random_decoded": tok.decode_batch(random_ids, skip_special_tokens=False),
            "vocab_size": size,
            "bos": bos,
            "eos": eos,
            "id_sample": sample,
            "token_sample": [tok.id_to_token(i) for i in sample],
            "with_special": with_sp,
            "without_special": without,
            "decoded": tok.decode_batch(with_sp, skip_special_tokens=False),
            "decoded_skip": tok.decode_batch(with_sp, skip_special_tokens=True),
        }
    with open(os.path.join(outdir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
