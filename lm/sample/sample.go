// Package sample is mlx_lm.sample_utils (mlx-lm 0.30.4): samplers that pick a
// token from log-probabilities, and logits processors that adjust logits
// before sampling. Each function computes what its Python counterpart does,
// with the same MLX ops in the same order, so that on the same inputs and the
// same mx.random.seed the results are identical (see parity_test.go).
//
// Arrays returned are new; inputs are never freed. Errors are MLX's sticky
// errors: an invalid argument returns an array carrying the error, as the
// Python functions raise ValueError.
package sample

import (
	"fmt"
	"math"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// Sampler maps log-probabilities [B, V] to token ids [B]
// (make_sampler's return value).
type Sampler func(logprobs *mlx.Array) *mlx.Array

// LogitsProcessor adjusts logits [B, V] given the tokens so far [T]
// (an element of make_logits_processors' list).
type LogitsProcessor func(tokens, logits *mlx.Array) *mlx.Array

// Options are make_sampler's arguments. The zero value is greedy sampling.
type Options struct {
	Temp            float64
	TopP            float64
	MinP            float64
	MinTokensToKeep int // make_sampler's default is 1; 0 here means 1
	TopK            int
}

// Validate reports arguments the Python functions would reject when called.
func (o Options) Validate() error {
	if o.Temp < 0 || math.IsNaN(o.Temp) {
		return fmt.Errorf("temp must be >= 0, got %v", o.Temp)
	}
	if o.MinP != 0 && !(o.MinP >= 0 && o.MinP <= 1) {
		return fmt.Errorf("`min_p` has to be a float in the [0, 1] interval, but is %v", o.MinP)
	}
	if o.MinTokensToKeep < 0 {
		return fmt.Errorf("`min_tokens_to_keep` has to be a positive integer, but is %d", o.MinTokensToKeep)
	}
	if o.TopK < 0 {
		return fmt.Errorf("`top_k` has to be a non-negative integer, but is %d", o.TopK)
	}
	return nil
}

// Greedy is the temp == 0 sampler: mx.argmax(x, axis=-1).
func Greedy(logprobs *mlx.Array) *mlx.Array { return mlx.Argmax(logprobs, -1, false) }

// MakeSampler is make_sampler(temp, top_p, min_p, min_tokens_to_keep, top_k):
// argmax at temp 0, else the filters that are enabled (top-p, min-p, top-k,
// in that order) followed by categorical sampling at the temperature.
func MakeSampler(o Options) (Sampler, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Temp == 0 {
		return Greedy, nil
	}
	keep := o.MinTokensToKeep
	if keep == 0 {
		keep = 1
	}
	var methods []func(*mlx.Array) *mlx.Array
	if o.TopP > 0 && o.TopP < 1.0 {
		methods = append(methods, func(x *mlx.Array) *mlx.Array { return ApplyTopP(x, o.TopP) })
	}
	if o.MinP != 0.0 {
		methods = append(methods, func(x *mlx.Array) *mlx.Array { return ApplyMinP(x, o.MinP, keep) })
	}
	if o.TopK > 0 {
		methods = append(methods, func(x *mlx.Array) *mlx.Array { return ApplyTopK(x, o.TopK) })
	}
	temp := o.Temp
	return func(logprobs *mlx.Array) *mlx.Array {
		s := mlx.NewScope()
		defer s.Close()
		for _, m := range methods {
			logprobs = m(logprobs)
		}
		out := CategoricalSampling(logprobs, temp)
		s.Keep(out)
		return out
	}, nil
}

// CategoricalSampling is categorical_sampling: mx.random.categorical(logits *
// (1 / temp)), drawing its key from the global sequence (mlx.Seed).
func CategoricalSampling(logits *mlx.Array, temp float64) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	out := mlx.Categorical(mlx.Multiply(logits, mlx.Float(1/temp)), -1, nil)
	s.Keep(out)
	return out
}

// ApplyTopK is apply_top_k: every token outside the top k gets -inf.
func ApplyTopK(logprobs *mlx.Array, topK int) *mlx.Array {
	if err := logprobs.Err(); err != nil {
		return logprobs.Index(mlx.Ellipsis) // carries the error on
	}
	vocab := logprobs.Dim(-1)
	if !(0 < topK && topK < vocab) {
		return mlx.Errorf("apply_top_k", "`top_k` has to be an integer in the (0, %d] interval, but is %d.", vocab, topK)
	}
	s := mlx.NewScope()
	defer s.Close()
	maskIdx := mlx.Argpartition(mlx.Negative(logprobs), topK-1, -1).Index(mlx.Ellipsis, mlx.Slice(topK, mlx.None, 1))
	out := mlx.PutAlongAxis(logprobs, maskIdx, mlx.Scalar(math.Inf(-1), logprobs.Dtype()), -1)
	s.Keep(out)
	return out
}

// inverse is mx.put_along_axis(zeros_like(idx), idx, arange(n, idx.dtype), -1).
func inverse(sortedIndices *mlx.Array) *mlx.Array {
	n := sortedIndices.Dim(-1)
	return mlx.PutAlongAxis(mlx.ZerosLike(sortedIndices), sortedIndices,
		mlx.Arange(0, float64(n), 1, sortedIndices.Dtype()), -1)
}

// ApplyMinP is apply_min_p: tokens whose probability is below min_p times the
// top token's are dropped, keeping at least minTokensToKeep.
func ApplyMinP(logprobs *mlx.Array, minP float64, minTokensToKeep int) *mlx.Array {
	if !(minP >= 0 && minP <= 1.0) {
		return mlx.Errorf("apply_min_p", "`min_p` has to be a float in the [0, 1] interval, but is %v", minP)
	}
	if minTokensToKeep < 1 {
		return mlx.Errorf("apply_min_p", "`min_tokens_to_keep` has to be a positive integer, but is %d", minTokensToKeep)
	}
	s := mlx.NewScope()
	defer s.Close()
	sortedIndices := mlx.Argsort(mlx.Negative(logprobs), -1)
	sortedLogprobs := mlx.TakeAlongAxis(logprobs, sortedIndices, -1)
	topLogprobs := sortedLogprobs.Index(mlx.Colon, mlx.Slice(0, 1, 1))
	scaledMinP := mlx.Add(topLogprobs, mlx.Float(math.Log(minP)))
	tokensToRemove := mlx.Less(sortedLogprobs, scaledMinP)
	tokensToRemove = tokensToRemove.SetIndex(mlx.BoolScalar(false), mlx.Ellipsis, mlx.Slice(mlx.None, minTokensToKeep, 1))
	selected := mlx.Where(tokensToRemove, mlx.Float(math.Inf(-1)), sortedLogprobs)
	out := mlx.TakeAlongAxis(selected, inverse(sortedIndices), -1)
	s.Keep(out)
	return out
}

// ApplyTopP is apply_top_p: nucleus filtering at cumulative probability top_p.
func ApplyTopP(logprobs *mlx.Array, topP float64) *mlx.Array {
	s := mlx.NewScope()
	defer s.Close()
	probs := mlx.Exp(logprobs)
	sortedIndices := mlx.Argsort(logprobs, -1)
	sortedProbs := mlx.TakeAlongAxis(probs, sortedIndices, -1)
	cum := mlx.Cumsum(sortedProbs, -1, false, true)
	cum = mlx.TakeAlongAxis(cum, inverse(sortedIndices), -1)
	out := mlx.Where(mlx.Greater(cum, mlx.Float(1-topP)), logprobs, mlx.Float(math.Inf(-1)))
	s.Keep(out)
	return out
}

// MakeLogitsProcessors is make_logits_processors(logit_bias,
// repetition_penalty, repetition_context_size). A nil or empty bias and a
// penalty of 0 add nothing. contextSize is Python's default 20 when 0.
func MakeLogitsProcessors(logitBias map[int]float64, repetitionPenalty float64, contextSize int) ([]LogitsProcessor, error) {
	var out []LogitsProcessor
	if len(logitBias) > 0 {
		out = append(out, LogitBias(logitBias))
	}
	if repetitionPenalty != 0 {
		p, err := MakeRepetitionPenalty(repetitionPenalty, contextSize)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// LogitBias is logit_bias_processor: logits[:, indices] += values. Python
// builds the index and value arrays from the dict in insertion order; Go maps
// have none, so the keys are taken in ascending order (the sum is the same
// for distinct keys).
func LogitBias(bias map[int]float64) LogitsProcessor {
	keys := make([]int32, 0, len(bias))
	for k := range bias {
		keys = append(keys, int32(k))
	}
	sortInt32(keys)
	vals := make([]float32, len(keys))
	for i, k := range keys {
		vals[i] = float32(bias[int(k)])
	}
	return func(_, logits *mlx.Array) *mlx.Array {
		s := mlx.NewScope()
		defer s.Close()
		indices := mlx.FromSlice(keys, len(keys))
		values := mlx.FromSlice(vals, len(vals))
		sel := logits.Index(mlx.Colon, indices)
		out := logits.SetIndex(mlx.Add(sel, values), mlx.Colon, indices)
		s.Keep(out)
		return out
	}
}

func sortInt32(a []int32) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// MakeRepetitionPenalty is make_repetition_penalty(penalty, context_size).
func MakeRepetitionPenalty(penalty float64, contextSize int) (LogitsProcessor, error) {
	if penalty < 0 || math.IsNaN(penalty) {
		return nil, fmt.Errorf("penalty must be a non-negative float, got %v", penalty)
	}
	if contextSize == 0 {
		contextSize = 20
	}
	return func(tokens, logits *mlx.Array) *mlx.Array {
		if tokens == nil || tokens.Size() == 0 {
			return logits.Index(mlx.Ellipsis)
		}
		s := mlx.NewScope()
		defer s.Close()
		t := tokens.Index(mlx.Slice(-contextSize, mlx.None, 1))
		sel := logits.Index(mlx.Colon, t)
		sel = mlx.Where(mlx.Less(sel, mlx.Int(0)), mlx.Multiply(sel, mlx.Float(penalty)), mlx.Divide(sel, mlx.Float(penalty)))
		out := logits.SetIndex(sel, mlx.Colon, t)
		s.Keep(out)
		return out
	}, nil
}
