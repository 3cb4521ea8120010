package gguf

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/tokenizer"
)

// Load opens a GGUF file as a model and its tokenizer: the header is parsed
// and validated, the config and tokenizer come from the metadata, the
// tensors from libmlx's reader under mlx-lm's names, and the model is built
// through the same loader path as a model directory (architecture registry,
// sanitize, quantization, strict load). The server and mlxlm call this for a
// --model that is a .gguf file.
func Load(ctx context.Context, path string, o loader.Options) (*loader.Model, *tokenizer.Tokenizer, error) {
	g, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	tok, err := g.Tokenizer()
	if err != nil {
		return nil, nil, err
	}
	cfg, spec, err := g.Config()
	if err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	weights, err := g.Weights(spec, cfg)
	if err != nil {
		return nil, nil, err
	}
	if cfg, err = jsonRoundTrip(cfg); err != nil {
		for _, w := range weights {
			w.Free()
		}
		return nil, nil, err
	}
	m, err := loader.FromWeights(ctx, path, cfg, weights, o)
	if err != nil {
		return nil, nil, err
	}
	return m, tok, nil
}

// jsonRoundTrip gives the config the types json.Unmarshal gives a
// config.json (float64 numbers, []any, map[string]any), which is what the
// generated constructors read.
func jsonRoundTrip(cfg map[string]any) (map[string]any, error) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Vocab is the tokenizer metadata of the file.
func (g *File) Vocab() (tokenizer.GGUFVocab, error) {
	v := tokenizer.GGUFVocab{BOS: -1, EOS: -1, UNK: -1, PAD: -1}
	var err error
	fail := func(e error) (tokenizer.GGUFVocab, error) { return v, fmt.Errorf("%s: %w", g.Path, e) }
	if v.Model, _, err = g.String("tokenizer.ggml.model"); err != nil {
		return fail(err)
	}
	if v.Pre, _, err = g.String("tokenizer.ggml.pre"); err != nil {
		return fail(err)
	}
	if v.Tokens, _, err = g.Strings("tokenizer.ggml.tokens"); err != nil {
		return fail(err)
	}
	if v.TokenTypes, _, err = g.Ints("tokenizer.ggml.token_type"); err != nil {
		return fail(err)
	}
	if v.Scores, _, err = g.Floats("tokenizer.ggml.scores"); err != nil {
		return fail(err)
	}
	if v.Merges, _, err = g.Strings("tokenizer.ggml.merges"); err != nil {
		return fail(err)
	}
	for key, dst := range map[string]*int{"tokenizer.ggml.bos_token_id": &v.BOS, "tokenizer.ggml.eos_token_id": &v.EOS,
		"tokenizer.ggml.unknown_token_id": &v.UNK, "tokenizer.ggml.padding_token_id": &v.PAD} {
		id, ok, err := g.Int(key)
		if err != nil {
			return fail(err)
		}
		if ok {
			if id < 0 || id >= int64(len(v.Tokens)) {
				return fail(fmt.Errorf("metadata %s: %d is outside the vocabulary (%d tokens)", key, id, len(v.Tokens)))
			}
			*dst = int(id)
		}
	}
	for key, dst := range map[string]**bool{"tokenizer.ggml.add_bos_token": &v.AddBOS, "tokenizer.ggml.add_eos_token": &v.AddEOS,
		"tokenizer.ggml.add_space_prefix": &v.AddSpacePrefix} {
		b, ok, err := g.Bool(key)
		if err != nil {
			return fail(err)
		}
		if ok {
			*dst = &b
		}
	}
	if v.ChatTemplate, _, err = g.String("tokenizer.chat_template"); err != nil {
		return fail(err)
	}
	return v, nil
}

// Tokenizer builds the file's tokenizer.
func (g *File) Tokenizer() (*tokenizer.Tokenizer, error) {
	v, err := g.Vocab()
	if err != nil {
		return nil, err
	}
	return tokenizer.FromGGUF(g.Path, v)
}
