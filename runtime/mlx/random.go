package mlx

/*
#include "shim.h"
*/
import "C"

import (
	"sync"
	"time"
)

// mx.random. As in Python, calls without an explicit key draw the next key
// from a process-wide sequence: next() splits the current key into (new
// current, key to use), so Seed(s) followed by the same calls reproduces
// Python's numbers exactly.

var keySeq struct {
	sync.Mutex
	key *Array // created on first use
}

// Seed is mx.random.seed(seed).
func Seed(seed uint64) error {
	k := RandomKey(seed)
	if err := k.Err(); err != nil {
		return err
	}
	keySeq.Lock()
	defer keySeq.Unlock()
	old := keySeq.key
	keySeq.key = detach(k)
	if old != nil {
		freeCell(old.c)
	}
	return nil
}

// detach takes an array out of its scope: the key sequence owns it.
func detach(a *Array) *Array {
	if s := a.scope; s != nil {
		lockCtx(s.ctx)
		a.scope = nil
		unlockCtx(s.ctx)
	}
	return a
}

// RandomKey is mx.random.key(seed).
func RandomKey(seed uint64) *Array {
	var ob opBuf
	_, owned, err := ob.prep("random.key", 0)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_key(C.uint64_t(seed), &out)
	return finish("random.key", msg, out, owned)
}

// RandomSplit is mx.random.split(key, num): num new keys, shape [num, 2].
func RandomSplit(key *Array, num int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("random.split", 1, key)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_split(hs[0], C.int(num), &out)
	return finish("random.split", msg, out, owned)
}

// nextKey returns the key to use when the caller gave none. The sequence
// is held locked throughout, so concurrent callers never draw the same key.
func nextKey() *Array {
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	keySeq.Lock()
	defer keySeq.Unlock()
	cur := keySeq.key
	if cur == nil {
		k := RandomKey(uint64(time.Now().UnixNano()))
		if err := k.Err(); err != nil {
			return k
		}
		cur = detach(k)
		keySeq.key = cur
	}
	pair := RandomSplit(cur, 2)
	parts, err := Split(pair, 2, 0)
	pair.Free()
	if err != nil {
		return errArray(err)
	}
	next := Squeeze(parts[0], 0)
	use := Squeeze(parts[1], 0)
	parts[0].Free()
	parts[1].Free()
	if err := next.Err(); err != nil {
		use.Free()
		return next
	}
	keySeq.key = detach(next)
	cur.Free()
	return use
}

// NextKey returns the next key of the process-wide sequence, the one an op
// called without a key would draw (KeySequence::next: Seed(s) followed by the
// same draws reproduces Python's keys). A function compiled with Compile
// takes it as an argument where mlx-lm writes @partial(mx.compile,
// inputs=mx.random.state, outputs=mx.random.state): there the state is an
// input of the trace and the split happens inside it; here the same split
// happens before the call, which gives the same key.
func NextKey() *Array { return nextKey() }

// keyOr returns key, or the next key of the sequence when key is nil, and
// whether the caller must free it.
func keyOr(key *Array) (*Array, bool) {
	if key != nil {
		return key, false
	}
	return nextKey(), true
}

// Uniform is mx.random.uniform(low, high, shape, dtype, key); key may be nil.
func Uniform(low, high *Array, shape []int, dtype Dtype, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("random.uniform", 3, low, high, k)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_uniform(hs[0], hs[1], intsPtr(s), C.int(len(s)), C.int(dtype), hs[2], &out)
	return finish("random.uniform", msg, out, owned)
}

// Normal is mx.random.normal(shape, dtype, loc, scale, key); key may be nil.
func Normal(shape []int, dtype Dtype, loc, scale float32, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("random.normal", 1, k)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_normal(intsPtr(s), C.int(len(s)), C.int(dtype), C.float(loc), C.float(scale), hs[0], &out)
	return finish("random.normal", msg, out, owned)
}

// Randint is mx.random.randint(low, high, shape, dtype, key); key may be nil.
func Randint(low, high *Array, shape []int, dtype Dtype, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("random.randint", 3, low, high, k)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_randint(hs[0], hs[1], intsPtr(s), C.int(len(s)), C.int(dtype), hs[2], &out)
	return finish("random.randint", msg, out, owned)
}

// Bernoulli is mx.random.bernoulli(p, shape, key); key may be nil.
func Bernoulli(p *Array, shape []int, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("random.bernoulli", 2, p, k)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_bernoulli(hs[0], intsPtr(s), C.int(len(s)), hs[1], &out)
	return finish("random.bernoulli", msg, out, owned)
}

// Categorical is mx.random.categorical(logits, axis, key); key may be nil.
func Categorical(logits *Array, axis int, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	var ob opBuf
	hs, owned, err := ob.prep("random.categorical", 2, logits, k)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_categorical(hs[0], C.int(axis), hs[1], &out)
	return finish("random.categorical", msg, out, owned)
}

// Gumbel is mx.random.gumbel(shape, dtype, key); key may be nil.
func Gumbel(shape []int, dtype Dtype, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	var ob opBuf
	hs, owned, err := ob.prep("random.gumbel", 1, k)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_random_gumbel(intsPtr(s), C.int(len(s)), C.int(dtype), hs[0], &out)
	return finish("random.gumbel", msg, out, owned)
}
