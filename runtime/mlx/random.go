package mlx

/*
#include "shim.h"
*/
import "C"

import "time"

// mx.random. As in Python, calls without an explicit key draw the next key
// from a process-wide sequence: next() splits the current key into (new
// current, key to use), so Seed(s) followed by the same calls reproduces
// Python's numbers exactly.

var keySeq struct {
	key *Array // guarded by mu; created on first use
}

// Seed is mx.random.seed(seed).
func Seed(seed uint64) error {
	k := RandomKey(seed)
	if err := k.Err(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	old := keySeq.key
	keySeq.key = detach(k)
	if old != nil {
		freeLocked(old.c)
	}
	return nil
}

// detach takes an array out of any scope: the key sequence owns it. Caller holds mu.
func detach(a *Array) *Array {
	a.scope = nil
	return a
}

// RandomKey is mx.random.key(seed).
func RandomKey(seed uint64) *Array {
	return run("random.key", func(_ []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_key(C.uint64_t(seed), out)
	})
}

// RandomSplit is mx.random.split(key, num): num new keys, shape [num, 2].
func RandomSplit(key *Array, num int) *Array {
	return run("random.split", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_split(hs[0], C.int(num), out)
	}, key)
}

// nextKey returns the key to use when the caller gave none.
func nextKey() *Array {
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	mu.Lock()
	cur := keySeq.key
	mu.Unlock()
	if cur == nil {
		if err := Seed(uint64(time.Now().UnixNano())); err != nil {
			return errArray(err)
		}
		mu.Lock()
		cur = keySeq.key
		mu.Unlock()
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
	mu.Lock()
	keySeq.key = detach(next)
	mu.Unlock()
	cur.Free()
	return use
}

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
	return run("random.uniform", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_uniform(hs[0], hs[1], intsPtr(s), C.int(len(s)), C.int(dtype), hs[2], out)
	}, low, high, k)
}

// Normal is mx.random.normal(shape, dtype, loc, scale, key); key may be nil.
func Normal(shape []int, dtype Dtype, loc, scale float32, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	return run("random.normal", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_normal(intsPtr(s), C.int(len(s)), C.int(dtype), C.float(loc), C.float(scale), hs[0], out)
	}, k)
}

// Randint is mx.random.randint(low, high, shape, dtype, key); key may be nil.
func Randint(low, high *Array, shape []int, dtype Dtype, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	return run("random.randint", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_randint(hs[0], hs[1], intsPtr(s), C.int(len(s)), C.int(dtype), hs[2], out)
	}, low, high, k)
}

// Bernoulli is mx.random.bernoulli(p, shape, key); key may be nil.
func Bernoulli(p *Array, shape []int, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	return run("random.bernoulli", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_bernoulli(hs[0], intsPtr(s), C.int(len(s)), hs[1], out)
	}, p, k)
}

// Categorical is mx.random.categorical(logits, axis, key); key may be nil.
func Categorical(logits *Array, axis int, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	return run("random.categorical", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_categorical(hs[0], C.int(axis), hs[1], out)
	}, logits, k)
}

// Gumbel is mx.random.gumbel(shape, dtype, key); key may be nil.
func Gumbel(shape []int, dtype Dtype, key *Array) *Array {
	k, own := keyOr(key)
	if own {
		defer k.Free()
	}
	s := cInts(shape)
	return run("random.gumbel", func(hs []C.mlxg_array, out *C.mlxg_array) C.mlxg_err {
		return C.mlxg_random_gumbel(intsPtr(s), C.int(len(s)), C.int(dtype), hs[0], out)
	}, k)
}
