package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/gguf"
	"github.com/hf2go/hf2go/lm/hub"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/sample"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// parseTokens reads "1,2,3" and checks every id against the vocabulary.
func parseTokens(flag, s string, vocab int) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("--%s is empty: give comma-separated token ids, e.g. 1,2,3", flag)
	}
	parts := strings.Split(s, ",")
	out := make([]int, 0, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--%s: %q (position %d) is not a token id: expected non-negative integers separated by commas", flag, p, i)
		}
		if vocab > 0 && v >= int64(vocab) {
			return nil, fmt.Errorf("--%s: token id %d (position %d) is out of range: the model's vocab_size is %d", flag, v, i, vocab)
		}
		out = append(out, int(v))
	}
	return out, nil
}

// loadModel loads --model, requiring the flag. A --model that is not an
// existing path but looks like a Hub repository id (org/name) is downloaded
// into the Hugging Face cache first (at --revision), and *model becomes the
// snapshot directory, so the tokenizer is read from there too. A GGUF file
// is read by lm/gguf, which builds its tokenizer from the metadata. The
// returned function gives the model's tokenizer (loaded on first call for a
// directory). dtype is --dtype (see loader.Options.Dtype); when it changed
// the checkpoint's dtype, one line on stderr says what was chosen.
func loadModel(ctx context.Context, model *string, revision, dtype string) (*loader.Model, func() (*tokenizer.Tokenizer, error), error) {
	if *model == "" {
		return nil, nil, fmt.Errorf("--model is required: the path of a model directory, a .gguf file or a Hugging Face repository id (org/name)")
	}
	o := loader.Options{Dtype: dtype}
	var m *loader.Model
	var tokFn func() (*tokenizer.Tokenizer, error)
	if gguf.IsGGUF(*model) {
		var tok *tokenizer.Tokenizer
		var err error
		if m, tok, err = gguf.Load(ctx, *model, o); err != nil {
			return nil, nil, err
		}
		tokFn = func() (*tokenizer.Tokenizer, error) { return tok, nil }
	} else {
		dir, err := resolveModel(ctx, *model, revision)
		if err != nil {
			return nil, nil, err
		}
		*model = dir
		if m, err = loader.Load(ctx, dir, o); err != nil {
			return nil, nil, err
		}
		tokFn = func() (*tokenizer.Tokenizer, error) { return loadTokenizer(dir) }
	}
	if m.ComputeDtype != m.CheckpointDtype {
		fmt.Fprintf(os.Stderr, "[INFO] compute dtype: %s\n", m.DtypeNote)
	}
	return m, tokFn, nil
}

// dtypeUsage is the --dtype flag's help.
const dtypeUsage = "compute dtype: auto (float32 on the CPU for float16/bfloat16 checkpoints, faster there), native (as stored), float32, float16, bfloat16"

// resolveModel returns model itself when it exists on disk or is not a repo
// id, else the snapshot directory hub.Snapshot fills.
func resolveModel(ctx context.Context, model, revision string) (string, error) {
	if _, err := os.Stat(model); err == nil || !hub.LooksLikeRepoID(model) {
		return model, nil
	}
	return hub.Snapshot(ctx, model, hub.Options{Revision: revision, Progress: os.Stderr})
}

// revisionUsage is the --revision flag's help.
const revisionUsage = "Hub revision (branch, tag or commit) when --model is a repository id"

// samplingFlags are make_sampler's flags.
type samplingFlags struct {
	temp, topP, minP float64
	topK, minKeep    int
	seed             int64
}

func (f *samplingFlags) register(cmd *cobra.Command, defTemp float64) {
	cmd.Flags().Float64Var(&f.temp, "temp", defTemp, "sampling temperature (0: greedy)")
	cmd.Flags().Float64Var(&f.topP, "top-p", 1.0, "sampling top-p")
	cmd.Flags().Float64Var(&f.minP, "min-p", 0.0, "sampling min-p")
	cmd.Flags().IntVar(&f.topK, "top-k", 0, "sampling top-k")
	cmd.Flags().IntVar(&f.minKeep, "min-tokens-to-keep", 1, "minimum tokens to keep for min-p sampling")
	cmd.Flags().Int64Var(&f.seed, "seed", -1, "PRNG seed (default: none)")
}

func (f *samplingFlags) sampler() (sample.Sampler, error) {
	if f.seed >= 0 {
		if err := mlx.Seed(uint64(f.seed)); err != nil {
			return nil, err
		}
	}
	return sample.MakeSampler(sample.Options{Temp: f.temp, TopP: f.topP, MinP: f.minP, MinTokensToKeep: f.minKeep, TopK: f.topK})
}
