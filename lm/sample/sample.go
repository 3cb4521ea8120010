// Ported from mlx_lm/sample_utils.py
// Upstream: mlx-lm 0.32.2
// Blob: e6d24efd004d18ac501fd40d0b04c40fab5a41b1

// Package sample is mlx_lm.sample_utils: samplers that pick a
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
	"sync/atomic"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// mlx-lm compiles each filter and the categorical draw with
// @partial(mx.compile, inputs=mx.random.state, outputs=mx.random.state); so
// do these, through mlx.Compile: traced once per input shape and dtype and
// per value of the Python-scalar arguments (top_k, min_p, ... are constants
// of the trace, passed as mlx.Int / mlx.Float and read back while tracing),
// then replayed as one fused graph. The random state is an input of Python's
// trace, which splits it inside; here the split (mlx.NextKey) happens before
// the call and the key is an argument: the same key either way.

// traces counts the traces of the compiled functions below (for the test
// that they are replayed, not re-traced, on later calls).
var traces atomic.Int64

var categoricalC = mlx.Compile(func(a ...*mlx.Array) *mlx.Array {
	traces.Add(1)
	// a: logits, 1/temp (a constant), key
	return mlx.Categorical(mlx.Multiply(a[0], a[1]), -1, a[2])
}, false)

var topKC = mlx.Compile(func(a ...*mlx.Array) *mlx.Array {
	traces.Add(1)
	logprobs := a[0]
	topK, err := a[1].IntItem()
	if err != nil {
		return mlx.Errorf("apply_top_k", "%v", err)
	}
	maskIdx := mlx.Argpartition(mlx.Negative(logprobs), topK-1, -1).Index(mlx.Ellipsis, mlx.Slice(topK, mlx.None, 1))
	return mlx.PutAlongAxis(logprobs, maskIdx, mlx.Scalar(math.Inf(-1), logprobs.Dtype()), -1)
}, false)

var minPC = mlx.Compile(func(a ...*mlx.Array) *mlx.Array {
	traces.Add(1)
	logprobs := a[0]
	minP, err := a[1].Item()
	if err != nil {
		return mlx.Errorf("apply_min_p", "%v", err)
	}
	minTokensToKeep, err := a[2].IntItem()
	if err != nil {
		return mlx.Errorf("apply_min_p", "%v", err)
	}
	topLogprobs := mlx.Max(logprobs, true, -1)
	scaledMinP := mlx.Add(topLogprobs, mlx.Float(math.Log(minP)))
	tokensToRemove := mlx.Less(logprobs, scaledMinP)
	if minTokensToKeep > 1 {
		topIndices := mlx.Argpartition(logprobs, -minTokensToKeep, -1)
		topIndices = topIndices.Index(mlx.Ellipsis, mlx.Slice(-minTokensToKeep, mlx.None, 1))
		tokensToRemove = mlx.PutAlongAxis(tokensToRemove, topIndices, mlx.Scalar(0, mlx.Bool), -1)
	}
	return mlx.Where(tokensToRemove, mlx.Float(math.Inf(-1)), logprobs)
}, false)

var topPC = mlx.Compile(func(a ...*mlx.Array) *mlx.Array {
	traces.Add(1)
	logprobs, topP := a[0], a[1]
	sortedLogprobs := mlx.Sort(logprobs, -1)
	sortedProbs := mlx.Exp(mlx.Astype(sortedLogprobs, mlx.Float32))
	massAbove := mlx.Cumsum(sortedProbs, -1, true, false)
	first := mlx.Slice(mlx.None, 1, 1)
	totalMass := mlx.Add(massAbove.Index(mlx.Ellipsis, first), sortedProbs.Index(mlx.Ellipsis, first))
	numDropped := mlx.Sum(mlx.GreaterEqual(massAbove, mlx.Multiply(topP, totalMass)), true, -1)
	threshold := mlx.TakeAlongAxis(sortedLogprobs, numDropped, -1)
	return mlx.Where(mlx.Less(logprobs, threshold), mlx.Float(math.Inf(-1)), logprobs)
}, false)

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
	if err := logits.Err(); err != nil {
		return logits.Index(mlx.Ellipsis) // carries the error on
	}
	key := mlx.NextKey()
	defer key.Free()
	return categoricalC(logits, mlx.Float(1/temp), key)
}

// ApplyTopK is apply_top_k: every token outside the top k gets -inf.
func ApplyTopK(logprobs *mlx.Array, topK int) *mlx.Array {
	if err := logprobs.Err(); err != nil {
		return logprobs.Index(mlx.Ellipsis) // carries the error on
	}
	vocab := logprobs.Dim(-1)
	if !(0 < topK && topK < vocab) {
		return mlx.Errorf("apply_top_k", "`top_k` has to be an integer in the (0, %d) interval, but is %d.", vocab, topK)
	}
	return topKC(logprobs, mlx.Int(topK))
}

// ApplyMinP is apply_min_p: tokens whose probability is below min_p times the
// top token's are dropped, keeping at least minTokensToKeep (the top ones by
// argpartition). 0.32 computes it in place instead of through a sort.
func ApplyMinP(logprobs *mlx.Array, minP float64, minTokensToKeep int) *mlx.Array {
	if !(minP >= 0 && minP <= 1.0) {
		return mlx.Errorf("apply_min_p", "`min_p` has to be a float in the [0, 1] interval, but is %v", minP)
	}
	if minTokensToKeep < 1 {
		return mlx.Errorf("apply_min_p", "`min_tokens_to_keep` has to be a positive integer, but is %d", minTokensToKeep)
	}
	if err := logprobs.Err(); err != nil {
		return logprobs.Index(mlx.Ellipsis) // carries the error on
	}
	return minPC(logprobs, mlx.Float(minP), mlx.Int(minTokensToKeep))
}

// ApplyTopP is apply_top_p: nucleus filtering at cumulative probability
// top_p. 0.32 computes a threshold log-probability from the sorted masses
// (in float32) and drops what is below it, instead of mapping cumulative
// sums back through the inverse permutation.
func ApplyTopP(logprobs *mlx.Array, topP float64) *mlx.Array {
	if err := logprobs.Err(); err != nil {
		return logprobs.Index(mlx.Ellipsis) // carries the error on
	}
	return topPC(logprobs, mlx.Float(topP))
}

// MakeLogitsProcessors is make_logits_processors(logit_bias,
// repetition_penalty, repetition_context_size). A nil or empty bias and a
// penalty of 0 add nothing. contextSize is Python's default 20 when 0.
func MakeLogitsProcessors(logitBias map[int]float64, repetitionPenalty float64, contextSize int) ([]LogitsProcessor, error) {
	return MakeLogitsProcessorsOpts(ProcessorOptions{LogitBias: logitBias, RepetitionPenalty: repetitionPenalty,
		RepetitionContextSize: contextSize})
}

// ProcessorOptions are make_logits_processors' arguments. A penalty of 0 is
// Python's None (no processor); a context size of 0 is the default 20.
type ProcessorOptions struct {
	LogitBias             map[int]float64
	RepetitionPenalty     float64
	RepetitionContextSize int
	// New in 0.32 (OpenAI's presence_penalty and frequency_penalty).
	PresencePenalty      float64
	PresenceContextSize  int
	FrequencyPenalty     float64
	FrequencyContextSize int
}

// MakeLogitsProcessorsOpts is make_logits_processors with every argument:
// logit bias, then the repetition, presence and frequency penalties, each
// when set, in that order.
func MakeLogitsProcessorsOpts(o ProcessorOptions) ([]LogitsProcessor, error) {
	var out []LogitsProcessor
	if len(o.LogitBias) > 0 {
		out = append(out, LogitBias(o.LogitBias))
	}
	if o.RepetitionPenalty != 0 {
		p, err := MakeRepetitionPenalty(o.RepetitionPenalty, o.RepetitionContextSize)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if o.PresencePenalty != 0 {
		out = append(out, MakePresencePenalty(o.PresencePenalty, o.PresenceContextSize))
	}
	if o.FrequencyPenalty != 0 {
		out = append(out, MakeFrequencyPenalty(o.FrequencyPenalty, o.FrequencyContextSize))
	}
	return out, nil
}

// MakePresencePenalty is make_presence_penalty(penalty, context_size):
// logits[:, tokens] -= penalty over the last context_size tokens, once per
// distinct token (a setitem: repeated indices write the same value).
func MakePresencePenalty(penalty float64, contextSize int) LogitsProcessor {
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
		sel := mlx.Subtract(logits.Index(mlx.Colon, t), mlx.Float(penalty))
		out := logits.SetIndex(sel, mlx.Colon, t)
		s.Keep(out)
		return out
	}
}

// MakeFrequencyPenalty is make_frequency_penalty(penalty, context_size):
// logits.at[:, tokens].subtract(penalty) over the last context_size tokens,
// a scatter-add, so a token is penalized once per occurrence.
func MakeFrequencyPenalty(penalty float64, contextSize int) LogitsProcessor {
	if contextSize == 0 {
		contextSize = 20
	}
	return func(tokens, logits *mlx.Array) *mlx.Array {
		if tokens == nil || tokens.Size() == 0 {
			return logits.Index(mlx.Ellipsis)
		}
		if err := logits.Err(); err != nil {
			return logits.Index(mlx.Ellipsis)
		}
		s := mlx.NewScope()
		defer s.Close()
		t := tokens.Index(mlx.Slice(-contextSize, mlx.None, 1))
		out := scatterAddColumns(logits, t, mlx.Negative(mlx.Scalar(penalty, logits.Dtype())))
		s.Keep(out)
		return out
	}
}

// scatterAddColumns is logits.at[:, idx].add(v) for a 2-D logits, a 1-D idx
// and a scalar or (len(idx),) v: each (row, idx[j]) gets v[j] added, in j
// order, repeated indices accumulating.
func scatterAddColumns(logits, idx, v *mlx.Array) *mlx.Array {
	b, n := logits.Dim(0), idx.Dim(0)
	// Scatter along axis 1 with update slices of shape (B, 1) per index:
	// updates (n, B, 1).
	upd := v
	if v.Ndim() == 1 {
		upd = mlx.Reshape(v, n, 1, 1)
	}
	upd = mlx.BroadcastTo(mlx.Astype(upd, logits.Dtype()), n, b, 1)
	return mlx.ScatterAdd(logits, []*mlx.Array{idx}, upd, []int{1})
}

// LogitBias is logit_bias_processor: logits.at[:, indices].add(values)
// (0.32; a setitem of logits[:, indices] + values before, the same for the
// distinct keys of a dict). Python takes the dict's insertion order; Go maps
// have none, so the keys are taken in ascending order (each key's sum is the
// same either way).
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
		if err := logits.Err(); err != nil {
			return logits.Index(mlx.Ellipsis)
		}
		s := mlx.NewScope()
		defer s.Close()
		indices := mlx.FromSlice(keys, len(keys))
		values := mlx.FromSlice(vals, len(vals))
		out := scatterAddColumns(logits, indices, values)
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
