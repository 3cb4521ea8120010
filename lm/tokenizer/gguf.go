package tokenizer

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// GGUFVocab is the tokenizer a GGUF file carries in its metadata
// (tokenizer.ggml.*), as plain data so that this package does not depend on
// the GGUF reader.
type GGUFVocab struct {
	Model      string   // tokenizer.ggml.model: "gpt2" (byte-level BPE) or "llama" (SentencePiece)
	Pre        string   // tokenizer.ggml.pre: llama.cpp's name for the pre-tokenizer
	Tokens     []string // tokenizer.ggml.tokens, by id
	TokenTypes []int64  // tokenizer.ggml.token_type (llama.cpp's LLAMA_TOKEN_TYPE_*), optional
	Scores     []float64
	Merges     []string // "left right"
	// Special token ids, -1 when absent.
	BOS, EOS, UNK, PAD int
	// AddBOS / AddEOS are tokenizer.ggml.add_bos_token / add_eos_token when
	// present; nil means llama.cpp's default for the model and pre-tokenizer.
	AddBOS, AddEOS *bool
	AddSpacePrefix *bool
	ChatTemplate   string
}

// llama.cpp's token types (llama_token_type).
const (
	ggufTokenNormal      = 1
	ggufTokenUnknown     = 2
	ggufTokenControl     = 3
	ggufTokenUserDefined = 4
	ggufTokenUnused      = 5
	ggufTokenByte        = 6
)

// Pre-tokenizers of the tokenizer.json files that llama.cpp's names stand
// for. llama.cpp (llama-vocab.cpp) groups names into pre-tokenizer types and
// gives each a list of regexes; convert_hf_to_gguf.py picks the name from
// the Hugging Face tokenizer it converted. Here each supported type is the
// Hugging Face pre-tokenizer of that original tokenizer.json, which the
// regexes transcribe.
const (
	// GPT-2's pattern, which ByteLevel(use_regex) applies.
	llama3Regex = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	qwen2Regex  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

type ggufPre struct {
	normalizer   any
	pre          any
	ignoreMerges bool
	addBOS       bool // llama.cpp's default when the file has no add_bos_token
}

func byteLevel(useRegex bool) map[string]any {
	return map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": useRegex}
}

func splitIsolated(re string) map[string]any {
	return map[string]any{"type": "Split", "pattern": map[string]any{"Regex": re}, "behavior": "Isolated", "invert": false}
}

func seqPre(ps ...any) map[string]any {
	return map[string]any{"type": "Sequence", "pretokenizers": ps}
}

var ggufPreTypes = func() map[string]ggufPre {
	m := map[string]ggufPre{}
	add := func(p ggufPre, names ...string) {
		for _, n := range names {
			m[n] = p
		}
	}
	// LLAMA_VOCAB_PRE_TYPE_GPT2 and the types sharing its single regex.
	add(ggufPre{pre: byteLevel(true)}, "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
		"a.x-4.0", "mellum", "mpt", "olmo", "jais", "trillion", "granite-docling")
	// SMOLLM, COMMAND_R, CODESHELL, EXAONE, MINERVA: "\p{N}" split off one
	// digit at a time, then GPT-2's regex: Digits(individual) + ByteLevel.
	add(ggufPre{pre: seqPre(map[string]any{"type": "Digits", "individual_digits": true}, byteLevel(true))},
		"smollm", "command-r", "codeshell", "exaone", "minerva-7b")
	// LLAMA3: Llama 3's Split regex, ignore_merges, BOS added.
	add(ggufPre{pre: seqPre(splitIsolated(llama3Regex), byteLevel(false)), ignoreMerges: true, addBOS: true},
		"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2")
	// QWEN2: Qwen's Split regex (its tokenizer.json also normalizes to NFC).
	add(ggufPre{normalizer: map[string]any{"type": "NFC"}, pre: seqPre(splitIsolated(qwen2Regex), byteLevel(false))},
		"qwen2", "deepseek-r1-qwen", "kormo")
	return m
}()

// GGUFPreTokenizers lists the tokenizer.ggml.pre names supported.
func GGUFPreTokenizers() []string {
	out := make([]string, 0, len(ggufPreTypes))
	for n := range ggufPreTypes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// GGUFFiles builds the tokenizer.json and tokenizer_config.json equivalent
// to a GGUF tokenizer: what `mlxlm convert` writes beside the weights, and
// what FromGGUF reads, so that Go and Hugging Face tokenizers see the same
// tokenizer. source names the file in errors.
func GGUFFiles(source string, v GGUFVocab) (tokenizerJSON, configJSON []byte, err error) {
	bad := func(key, format string, args ...any) error {
		return &configError{file: source, key: key, msg: fmt.Sprintf(format, args...)}
	}
	n := len(v.Tokens)
	if n == 0 {
		return nil, nil, bad("tokenizer.ggml.tokens", "is missing or empty")
	}
	if v.TokenTypes != nil && len(v.TokenTypes) != n {
		return nil, nil, bad("tokenizer.ggml.token_type", "has %d entries for %d tokens", len(v.TokenTypes), n)
	}
	for _, id := range []struct {
		key string
		id  int
	}{{"tokenizer.ggml.bos_token_id", v.BOS}, {"tokenizer.ggml.eos_token_id", v.EOS},
		{"tokenizer.ggml.unknown_token_id", v.UNK}, {"tokenizer.ggml.padding_token_id", v.PAD}} {
		if id.id >= n {
			return nil, nil, bad(id.key, "%d is outside the vocabulary (%d tokens)", id.id, n)
		}
	}
	vocab := make(map[string]int, n)
	for i, t := range v.Tokens {
		if _, dup := vocab[t]; !dup {
			vocab[t] = i
		}
	}
	typ := func(i int) int64 {
		if v.TokenTypes == nil {
			return ggufTokenNormal
		}
		return v.TokenTypes[i]
	}
	var added []map[string]any
	for i := range v.Tokens {
		special := false
		switch typ(i) {
		case ggufTokenControl, ggufTokenUnknown:
			special = true
		case ggufTokenUserDefined:
		default:
			continue
		}
		added = append(added, map[string]any{"id": i, "content": v.Tokens[i], "single_word": false, "lstrip": false,
			"rstrip": false, "normalized": false, "special": special})
	}
	tok := map[string]any{"version": "1.0", "truncation": nil, "padding": nil, "added_tokens": added}
	addBOS := false
	switch v.Model {
	case "gpt2":
		p, ok := ggufPreTypes[v.Pre]
		if !ok {
			pre := v.Pre
			if pre == "" {
				pre = "(none)"
			}
			return nil, nil, bad("tokenizer.ggml.pre", "%q is not a supported pre-tokenizer (supported: %s)", pre,
				strings.Join(GGUFPreTokenizers(), ", "))
		}
		merges := make([]string, len(v.Merges))
		for i, m := range v.Merges {
			l, r, ok := strings.Cut(m, " ")
			if !ok || l == "" || r == "" {
				return nil, nil, bad("tokenizer.ggml.merges", "entry %d %q is not two tokens separated by a space", i, m)
			}
			merges[i] = m
		}
		tok["normalizer"] = p.normalizer
		tok["pre_tokenizer"] = p.pre
		tok["decoder"] = map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}
		tok["model"] = map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil,
			"end_of_word_suffix": nil, "fuse_unk": false, "byte_fallback": false, "ignore_merges": p.ignoreMerges,
			"vocab": vocab, "merges": merges}
		addBOS = p.addBOS
	case "llama":
		return nil, nil, bad("tokenizer.ggml.model", "\"llama\" (SentencePiece) GGUF tokenizers are not supported yet (gpt2 is)")
	case "":
		return nil, nil, bad("tokenizer.ggml.model", "is missing")
	default:
		return nil, nil, bad("tokenizer.ggml.model", "%q is not supported (gpt2 is)", v.Model)
	}
	if v.AddBOS != nil {
		addBOS = *v.AddBOS
	}
	addEOS := v.AddEOS != nil && *v.AddEOS
	if (addBOS && v.BOS < 0) || (addEOS && v.EOS < 0) {
		return nil, nil, bad("tokenizer.ggml.add_bos_token", "asks for a BOS/EOS token the file does not name")
	}
	tok["post_processor"] = templateProcessing(v, addBOS, addEOS)

	cfg := map[string]any{"tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": false,
		"add_bos_token": addBOS, "add_eos_token": addEOS, "model_max_length": 1 << 30}
	for key, id := range map[string]int{"bos_token": v.BOS, "eos_token": v.EOS, "unk_token": v.UNK, "pad_token": v.PAD} {
		if id >= 0 {
			cfg[key] = v.Tokens[id]
		}
	}
	if v.ChatTemplate != "" {
		cfg["chat_template"] = v.ChatTemplate
	}
	if tokenizerJSON, err = json.MarshalIndent(tok, "", " "); err != nil {
		return nil, nil, err
	}
	if configJSON, err = json.MarshalIndent(cfg, "", "  "); err != nil {
		return nil, nil, err
	}
	return tokenizerJSON, configJSON, nil
}

// templateProcessing adds BOS / EOS around a sequence as llama.cpp does when
// add_bos / add_eos is set; nil (no post-processor) otherwise.
func templateProcessing(v GGUFVocab, bos, eos bool) any {
	if !bos && !eos {
		return nil
	}
	var single, pair []any
	special := map[string]any{}
	tokenPiece := func(id int) map[string]any {
		s := v.Tokens[id]
		special[s] = map[string]any{"id": s, "ids": []int{id}, "tokens": []string{s}}
		return map[string]any{"SpecialToken": map[string]any{"id": s, "type_id": 0}}
	}
	seq := func(name string, typeID int) map[string]any {
		return map[string]any{"Sequence": map[string]any{"id": name, "type_id": typeID}}
	}
	if bos {
		single = append(single, tokenPiece(v.BOS))
		pair = append(pair, tokenPiece(v.BOS))
	}
	single = append(single, seq("A", 0))
	pair = append(pair, seq("A", 0))
	if eos {
		single = append(single, tokenPiece(v.EOS))
		pair = append(pair, tokenPiece(v.EOS))
	}
	if bos {
		pair = append(pair, tokenPiece(v.BOS))
	}
	pair = append(pair, seq("B", 1))
	if eos {
		pair = append(pair, tokenPiece(v.EOS))
	}
	return map[string]any{"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": special}
}

// FromGGUF builds the tokenizer a GGUF file describes (see GGUFFiles).
func FromGGUF(source string, v GGUFVocab) (*Tokenizer, error) {
	tj, cj, err := GGUFFiles(source, v)
	if err != nil {
		return nil, err
	}
	t, err := FromJSON(source, tj)
	if err != nil {
		return nil, err
	}
	if err := t.applyConfig(source, cj); err != nil {
		return nil, err
	}
	return t, nil
}
