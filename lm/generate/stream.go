// Ported from mlx_lm/generate.py
// Upstream: mlx-lm 0.32.2
// Blob: 8a348b25519e3e960d0032607f56a198fac0311b

package generate

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// StreamOptions are stream_generate's arguments besides the model and prompt.
type StreamOptions struct {
	Options
	// Tokenizer decodes the text pieces; nil yields tokens without text.
	Tokenizer *tokenizer.Tokenizer
	// EOSTokenIDs stop generation (the tokenizer's eos_token_ids).
	EOSTokenIDs []int
	// StopStrings stop generation when the text contains one; the text
	// yielded ends before it.
	StopStrings []string
}

// Response is stream_generate's GenerationResponse.
type Response struct {
	Text             string
	Token            int
	Logprobs         *mlx.Array // valid until the loop body returns
	PromptTokens     int
	PromptTPS        float64
	GenerationTokens int
	GenerationTPS    float64
	PeakMemoryGB     float64
	// FinishReason is "" while generating, then "stop" or "length".
	FinishReason string
	// Elapsed is the time since the previous response (for the first, the
	// time to the first token).
	Elapsed time.Duration
}

// Stream is stream_generate(model, tokenizer, prompt, max_tokens, ...): one
// Response per generated token, the last one with a FinishReason. An EOS
// token ends generation without adding text, as in mlx-lm.
func Stream(ctx context.Context, model arch.Model, prompt []int, o StreamOptions) iter.Seq2[Response, error] {
	return func(yield func(Response, error) bool) {
		if o.MaxTokens == 0 {
			// 0.32 refuses what used to generate nothing.
			yield(Response{}, errors.New("generate: Maximum number of tokens must be non-zero (use -1 for no limit)."))
			return
		}
		var det *tokenizer.StreamDecoder
		if o.Tokenizer != nil {
			det = o.Tokenizer.NewStreamDecoder()
		}
		stop := newStopper(o.StopStrings)
		isEOS := func(t int) bool { return slices.Contains(o.EOSTokenIDs, t) }
		tic := time.Now()
		last := tic
		var promptTPS float64
		var r Response
		n := -1
		stopped := false
		peak := func() float64 { return float64(mlx.MemoryStats().Peak) / 1e9 }
		for st, err := range GenerateStep(ctx, model, prompt, o.Options) {
			if err != nil {
				yield(Response{}, err)
				return
			}
			n++
			now := time.Now()
			if n == 0 {
				promptTPS = float64(len(prompt)) / now.Sub(tic).Seconds()
				tic = now
			}
			r = Response{Token: st.Token, Logprobs: st.Logprobs, PromptTokens: len(prompt), PromptTPS: promptTPS,
				GenerationTokens: n + 1, Elapsed: now.Sub(last)}
			last = now
			if isEOS(st.Token) {
				break
			}
			piece := ""
			if det != nil {
				piece = det.Add(st.Token)
			}
			var hit bool
			r.Text, hit = stop.add(piece)
			if hit {
				stopped = true
				break
			}
			if n+1 == o.MaxTokens {
				break
			}
			r.GenerationTPS = float64(n+1) / time.Since(tic).Seconds()
			r.PeakMemoryGB = peak()
			if !yield(r, nil) {
				return
			}
		}
		if n < 0 {
			return // MaxTokens 0: nothing generated
		}
		if det != nil && !stopped {
			t, hit := stop.add(det.Flush())
			r.Text += t
			stopped = hit
			if err := det.Err(); err != nil {
				yield(Response{}, err)
				return
			}
		}
		if !stopped {
			r.Text += stop.flush()
		}
		r.Logprobs = nil // the step's array is gone once the loop ended
		r.GenerationTPS = float64(n+1) / time.Since(tic).Seconds()
		r.PeakMemoryGB = peak()
		r.FinishReason = "length"
		if stopped || isEOS(r.Token) {
			r.FinishReason = "stop"
		}
		yield(r, nil)
	}
}

// stopper holds back text that may be the start of a stop string.
type stopper struct {
	stops []string
	held  string
}

func newStopper(stops []string) *stopper {
	var s []string
	for _, x := range stops {
		if x != "" {
			s = append(s, x)
		}
	}
	return &stopper{stops: s}
}

// add returns the text that is now safe to emit and whether a stop string
// was found (the text then ends before it).
func (s *stopper) add(piece string) (string, bool) {
	if len(s.stops) == 0 {
		return piece, false
	}
	buf := s.held + piece
	cut := -1
	for _, x := range s.stops {
		if i := strings.Index(buf, x); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		s.held = ""
		return buf[:cut], true
	}
	// Hold back the longest suffix that is a prefix of some stop string.
	hold := 0
	for _, x := range s.stops {
		for k := min(len(x)-1, len(buf)); k > hold; k-- {
			if strings.HasSuffix(buf, x[:k]) {
				hold = k
				break
			}
		}
	}
	s.held = buf[len(buf)-hold:]
	return buf[:len(buf)-hold], false
}

func (s *stopper) flush() string {
	out := s.held
	s.held = ""
	return out
}
