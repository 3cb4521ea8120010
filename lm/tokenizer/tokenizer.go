// Package tokenizer implements Hugging Face tokenizer.json tokenizers (BPE
// models: byte-level GPT-2 / Llama 3 / Qwen style and SentencePiece-style
// Llama 2 / Gemma with byte fallback) in pure Go. Its behaviour is checked
// against the Python `tokenizers` package by the parity tests in this package.
package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/hf2go/hf2go/lm/modelfs"
)

// Tokenizer is safe for concurrent use.
type Tokenizer struct {
	normalizer normalizer
	pre        preTokenizer
	model      *bpeModel
	post       postProcessor
	decoder    decoder
	added      *addedVocab

	bos, eos     int // -1 when unknown
	chatTemplate string
	// bos_token, eos_token, ... as strings, for chat templates.
	specialTokenStrings map[string]string
}

// Load reads a tokenizer from a model directory (tokenizer.json, plus
// tokenizer_config.json when present) or from a path to a tokenizer.json
// file. A ".gz" variant of either file is read transparently.
func Load(path string) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if gz, err2 := os.Stat(path + ".gz"); err2 == nil && !gz.IsDir() {
				path += ".gz"
				st = gz
				err = nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	dir, file := filepath.Dir(path), path
	if st.IsDir() {
		dir = path
		file = findFile(dir, "tokenizer.json")
		if file == "" {
			return nil, fmt.Errorf("tokenizer: %s: no tokenizer.json", dir)
		}
	}
	data, err := readMaybeGz(file)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := FromJSON(filepath.Base(file), data)
	if err != nil {
		return nil, err
	}
	if cfg := findFile(dir, "tokenizer_config.json"); cfg != "" {
		data, err := readMaybeGz(cfg)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		if err := t.applyConfig(filepath.Base(cfg), data); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func findFile(dir, name string) string {
	for _, n := range []string{name, name + ".gz"} {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); err == nil {
			return p // readMaybeGz says what is wrong with it, if anything
		}
	}
	return ""
}

// readMaybeGz reads a tokenizer file through modelfs: a regular file inside
// its directory, at most modelfs.Limit bytes (after gunzip for ".gz").
func readMaybeGz(path string) ([]byte, error) {
	return modelfs.ReadFile(filepath.Dir(path), filepath.Base(path))
}

type rawAddedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

// FromJSON builds a tokenizer from the contents of a tokenizer.json; name is
// used in error messages.
func FromJSON(name string, data []byte) (_ *Tokenizer, err error) {
	// Added tokens are normalized while building, which can run a regex.
	defer catchRegexLimit(&err)
	return fromJSON(name, data)
}

func fromJSON(name string, data []byte) (*Tokenizer, error) {
	var raw struct {
		AddedTokens   []rawAddedToken `json:"added_tokens"`
		Normalizer    json.RawMessage `json:"normalizer"`
		PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
		Model         *rawModel       `json:"model"`
		PostProcessor json.RawMessage `json:"post_processor"`
		Decoder       json.RawMessage `json:"decoder"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		// A non-BPE model (e.g. Unigram's list vocab) fails the typed decode;
		// name the model type rather than the JSON shape.
		var probe struct {
			Model struct {
				Type string `json:"type"`
			} `json:"model"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Model.Type != "" && probe.Model.Type != "BPE" {
			return nil, unsupported(name, "model", probe.Model.Type)
		}
		return nil, &configError{file: name, msg: "invalid JSON: " + err.Error()}
	}
	if raw.Model == nil {
		return nil, &configError{file: name, key: "model", msg: "is missing"}
	}
	t := &Tokenizer{bos: -1, eos: -1}
	var err error
	if t.normalizer, err = buildNormalizer(name, "normalizer", raw.Normalizer); err != nil {
		return nil, err
	}
	if t.pre, err = buildPreTokenizer(name, "pre_tokenizer", raw.PreTokenizer); err != nil {
		return nil, err
	}
	// Old BPE files may omit model.type; they are recognisable by merges.
	if mt := raw.Model.Type; mt != "BPE" && (mt != "" || isNull(raw.Model.Merges)) {
		if mt == "" {
			return nil, &configError{file: name, key: "model", msg: "has no \"type\""}
		}
		return nil, unsupported(name, "model", mt)
	}
	if t.model, err = buildBPE(name, raw.Model); err != nil {
		return nil, err
	}
	if t.post, err = buildPostProcessor(name, "post_processor", raw.PostProcessor, t); err != nil {
		return nil, err
	}
	if t.decoder, err = buildDecoder(name, "decoder", raw.Decoder); err != nil {
		return nil, err
	}
	assignAddedIDs(raw.AddedTokens, t.model)
	t.added = newAddedVocab(raw.AddedTokens, t.normalizer)
	return t, nil
}

// assignAddedIDs gives added tokens the ids HF gives them on load, which
// ignores the "id" field: a token already in the model vocabulary keeps that
// id, others get the next id after the vocabulary (AddedVocabulary::add_tokens).
// For well-formed files this reproduces the stored ids.
func assignAddedIDs(toks []rawAddedToken, m *bpeModel) {
	seen := map[string]int{}
	next := len(m.vocab)
	for i := range toks {
		c := toks[i].Content
		if id, ok := seen[c]; ok {
			toks[i].ID = id
			continue
		}
		if id, ok := m.vocab[c]; ok {
			toks[i].ID = id
		} else {
			toks[i].ID = next
			next++
		}
		seen[c] = toks[i].ID
	}
}

// applyConfig reads what tokenizer.json lacks: BOS/EOS and the chat template.
func (t *Tokenizer) applyConfig(name string, data []byte) error {
	var cfg struct {
		BOS          json.RawMessage `json:"bos_token"`
		EOS          json.RawMessage `json:"eos_token"`
		PAD          json.RawMessage `json:"pad_token"`
		UNK          json.RawMessage `json:"unk_token"`
		ChatTemplate json.RawMessage `json:"chat_template"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return &configError{file: name, msg: "invalid JSON: " + err.Error()}
	}
	t.specialTokenStrings = map[string]string{}
	for k, raw := range map[string]json.RawMessage{"bos_token": cfg.BOS, "eos_token": cfg.EOS, "pad_token": cfg.PAD, "unk_token": cfg.UNK} {
		if s, err := specialTokenString(raw); err == nil && s != "" {
			t.specialTokenStrings[k] = s
		}
	}
	for _, f := range []struct {
		key string
		raw json.RawMessage
		dst *int
	}{{"bos_token", cfg.BOS, &t.bos}, {"eos_token", cfg.EOS, &t.eos}} {
		tok, err := specialTokenString(f.raw)
		if err != nil {
			return &configError{file: name, key: f.key, msg: err.Error()}
		}
		if tok == "" {
			continue
		}
		id, ok := t.TokenToID(tok)
		if !ok {
			return &configError{file: name, key: f.key, msg: fmt.Sprintf("%q is not in the vocabulary", tok)}
		}
		*f.dst = id
	}
	if !isNull(cfg.ChatTemplate) {
		// Either a string or a list of {"name", "template"}; keep "default".
		var s string
		if json.Unmarshal(cfg.ChatTemplate, &s) == nil {
			t.chatTemplate = s
		} else {
			var named []struct{ Name, Template string }
			if err := json.Unmarshal(cfg.ChatTemplate, &named); err != nil {
				return &configError{file: name, key: "chat_template", msg: "is neither a string nor a list of named templates"}
			}
			for _, n := range named {
				if n.Name == "default" {
					t.chatTemplate = n.Template
				}
			}
		}
	}
	return nil
}

// specialTokenString accepts a token given as a string or as an AddedToken
// object {"content": ...}.
func specialTokenString(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var o struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return "", errors.New("is neither a string nor an object with \"content\"")
	}
	return o.Content, nil
}

// Encode tokenizes text. With addSpecialTokens, the post-processor adds what
// the model expects around a sequence (e.g. BOS).
func (t *Tokenizer) Encode(text string, addSpecialTokens bool) (_ []int, err error) {
	defer catchRegexLimit(&err)
	if !utf8.ValidString(text) {
		return nil, errors.New("tokenizer: Encode: text is not valid UTF-8")
	}
	var ids []int
	for _, sp := range t.added.split(text, t.normalizer) {
		if sp.id >= 0 {
			ids = append(ids, sp.id)
			continue
		}
		ps := []piece{{text: sp.text, first: sp.first}}
		if t.pre != nil {
			ps = t.pre.preTokenize(ps)
		}
		for _, p := range ps {
			ids = t.model.tokenize(p.text, ids)
		}
	}
	if addSpecialTokens && t.post != nil {
		ids = t.post.process(ids)
	}
	if ids == nil {
		ids = []int{}
	}
	return ids, nil
}

// idToken returns the token string for id, preferring added tokens as HF does.
func (t *Tokenizer) idToken(id int) (string, bool) {
	if s, ok := t.added.text[id]; ok {
		return s, true
	}
	return t.model.idToToken(id)
}

// Decode turns ids back into text. Unlike HF, which silently drops unknown
// ids, an id outside the vocabulary is an error: it means a model/tokenizer
// mismatch that should not pass unnoticed.
func (t *Tokenizer) Decode(ids []int, skipSpecial bool) (_ string, err error) {
	defer catchRegexLimit(&err)
	toks := make([]string, 0, len(ids))
	for i, id := range ids {
		s, ok := t.idToken(id)
		if !ok {
			return "", fmt.Errorf("tokenizer: Decode: id %d at position %d is out of range (vocabulary size %d)", id, i, t.VocabSize())
		}
		if skipSpecial && t.added.isSpecial(id) {
			continue
		}
		toks = append(toks, s)
	}
	if t.decoder == nil {
		return strings.Join(toks, " "), nil
	}
	return strings.Join(t.decoder.decodeChain(toks), ""), nil
}

// TokenToID returns the id of a token string (added tokens first).
func (t *Tokenizer) TokenToID(tok string) (int, bool) {
	if at, ok := t.added.byContent[tok]; ok {
		return at.ID, true
	}
	id, ok := t.model.vocab[tok]
	return id, ok
}

// IDToToken returns the token string of an id.
func (t *Tokenizer) IDToToken(id int) (string, bool) { return t.idToken(id) }

// VocabSize is the number of ids, added tokens included (HF's
// get_vocab_size(with_added_tokens=True)).
func (t *Tokenizer) VocabSize() int {
	n := len(t.model.vocab)
	for id := range t.added.byID {
		if _, ok := t.model.idToToken(id); !ok {
			n++
		}
	}
	return n
}

// BOS returns the beginning-of-sequence id from tokenizer_config.json.
func (t *Tokenizer) BOS() (int, bool) { return t.bos, t.bos >= 0 }

// EOS returns the end-of-sequence id from tokenizer_config.json.
func (t *Tokenizer) EOS() (int, bool) { return t.eos, t.eos >= 0 }

// ChatTemplate returns the Jinja chat template from tokenizer_config.json, or "".
func (t *Tokenizer) ChatTemplate() string { return t.chatTemplate }

// IsSpecial reports whether id is a special added token (skipped by
// Decode(ids, true)).
func (t *Tokenizer) IsSpecial(id int) bool { return t.added.isSpecial(id) }
