// Not ported from mlx-lm: the submitter threads of the two-thread decode loop (decodeAhead) are hf2go's;
// generate_step builds and submits on one thread.

package generate

import (
	"errors"
	"runtime"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// pending is a built step whose token has not been yielded yet.
type pending struct{ y, logprobs *mlx.Array }

// submission is what decodeAhead hands its submitter: submit one step's
// graph (async_eval), then wait for the step before it and read its token.
type submission struct {
	step       pending
	read       *pending // the previous step, or nil
	clearCache bool     // mx.clear_cache() at the end
	end        bool     // the generation is over (no step): answered when all before it are
}

type submitted struct {
	tok int
	err error
}

var errSubmitterFailed = errors.New("generate: an earlier submission failed")

// A submitter is the OS thread decodeAhead hands its steps to. Threads are
// kept and reused across generations (idleSubmitters): on MLX-CUDA the first
// graphs a new OS thread evaluates cost it ~0.15 s more than later ones (seen
// on the H200 as a slow first token in the second and third generation of a
// process, the loop's threads being new), so a generation should not start on
// a fresh thread when an earlier one left one behind.
//
// Each submitter serves one generation at a time. Its jobs arrive in order on
// jobs; every job is answered on results, in order, and a job with end set is
// answered once everything before it is done, after which the generation
// returns the submitter to the pool.
type submitter struct {
	jobs    chan submission
	results chan submitted
}

// idleSubmitters holds the submitters no generation is using. It is only a
// pool of interchangeable threads: taking and returning one is a channel
// operation, so concurrent generations never share one.
var idleSubmitters = make(chan *submitter, 64)

func takeSubmitter() *submitter {
	select {
	case s := <-idleSubmitters:
		return s
	default:
	}
	s := &submitter{jobs: make(chan submission, 2), results: make(chan submitted, 2)}
	go s.serve()
	return s
}

// release gives s back once the generation is over (its end job answered).
func (s *submitter) release() {
	select {
	case idleSubmitters <- s:
	default:
		close(s.jobs) // the pool is full: the thread ends
	}
}

func (s *submitter) serve() {
	runtime.LockOSThread() // for good: the thread is the point (see submitter)
	failed := false
	for j := range s.jobs {
		var r submitted
		switch {
		case j.end:
			failed = false // the next generation starts clean
		case failed:
			r.err = errSubmitterFailed
		default:
			r.err = mlx.AsyncEval(j.step.y, j.step.logprobs)
			if r.err == nil && j.read != nil {
				if r.tok, r.err = j.read.y.IntItem(); r.err == nil {
					// The log-probabilities come from the same graph: wait
					// for them here, so the consumer's read is a plain read.
					r.err = mlx.Eval(j.read.logprobs)
				}
			}
			if j.clearCache {
				mlx.ClearCache()
			}
			failed = r.err != nil
		}
		s.results <- r
	}
}
