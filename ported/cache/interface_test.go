package cache

import (
	"fmt"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// decode runs steps of what an attention layer does with its cache
// (offset, update_and_fetch, attention) and returns the bytes of every
// attention output. The mask is "causal" / None (an array mask would come
// from base.CreateCausalMask, which opens an mlx.Scope; see below).
func decode(c KV, inputs []*mlx.Array) ([][]byte, error) {
	var out [][]byte
	for i, x := range inputs {
		_ = c.Offset()
		mask := mlx.NoMask
		if x.Dim(2) > 1 {
			mask = mlx.CausalMask
		}
		k, v := c.UpdateAndFetch(x, x)
		o := ScaledDotProductAttention(x, k, v, c, 0.125, mask, nil)
		b, err := o.Bytes()
		for _, a := range []*mlx.Array{k, v, o} {
			a.Free()
		}
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func decodeInputs(t *testing.T, workers, steps int) [][]*mlx.Array {
	inputs := make([][]*mlx.Array, workers)
	for w := range workers {
		for s := range steps {
			S := 1
			if s == 0 {
				S = 7
			}
			inputs[w] = append(inputs[w], mlx.Normal([]int{1, 2, S, 32}, mlx.Float32, 0, 1, mlx.RandomKey(uint64(100*w+s))))
		}
		if err := mlx.Eval(inputs[w]...); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, in := range inputs {
			for _, a := range in {
				a.Free()
			}
		}
	})
	return inputs
}

// TestConcurrentCaches: requests decoding at once, each with its own
// caches, get exactly what each gets alone (run with -race). The quantized
// caches are not in the concurrent part: quantized attention goes through
// base.QuantizedScaledDotProductAttention, which opens an mlx.Scope, and
// mlx.Scope is process-wide (runtime/mlx: a scope frees arrays other
// goroutines create meanwhile; reported to perf and pin). Their state is
// their own all the same, which TestInterleavedQuantizedCaches checks.
func TestConcurrentCaches(t *testing.T) {
	const workers, steps = 6, 12
	inputs := decodeInputs(t, workers, steps)
	mk := func(w int) KV {
		switch w % 3 {
		case 0:
			return NewConcatenateKVCache()
		case 1:
			return NewKVCache()
		}
		return NewRotatingKVCache(5, 1)
	}
	alone := make([][][]byte, workers)
	for w := range workers {
		c := mk(w)
		var err error
		if alone[w], err = decode(c, inputs[w]); err != nil {
			t.Fatal(err)
		}
		Free(c)
	}
	together := make([][][]byte, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := mk(w)
			together[w], errs[w] = decode(c, inputs[w])
			Free(c)
		}()
	}
	wg.Wait()
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		for s := range steps {
			if string(together[w][s]) != string(alone[w][s]) {
				t.Errorf("worker %d step %d: attention output differs from the run alone", w, s)
			}
		}
	}
}

// TestInterleavedQuantizedCaches: three quantized caches updated and
// attended in lockstep give what each gives alone: attention finds each
// cache's tuples on the cache itself (0.30's port kept them in a
// process-wide map keyed by cache, which also kept every cache alive).
func TestInterleavedQuantizedCaches(t *testing.T) {
	const n, steps = 3, 10
	inputs := decodeInputs(t, n, steps)
	alone := make([][][]byte, n)
	for w := range n {
		c := NewQuantizedKVCache(32, 4+4*(w%2))
		var err error
		if alone[w], err = decode(c, inputs[w]); err != nil {
			t.Fatal(err)
		}
		Free(c)
	}
	cs := make([]*QuantizedKVCache, n)
	for w := range cs {
		cs[w] = NewQuantizedKVCache(32, 4+4*(w%2))
		defer Free(cs[w])
	}
	for s := range steps {
		ks, vs := make([]*mlx.Array, n), make([]*mlx.Array, n)
		for w, c := range cs {
			ks[w], vs[w] = c.UpdateAndFetch(inputs[w][s], inputs[w][s])
		}
		for w, c := range cs {
			mask := mlx.NoMask
			if s == 0 {
				mask = mlx.CausalMask
			}
			o := ScaledDotProductAttention(inputs[w][s], ks[w], vs[w], c, 0.125, mask, nil)
			b, err := o.Bytes()
			if err != nil || string(b) != string(alone[w][s]) {
				t.Errorf("cache %d step %d: differs from the run alone (%v)", w, s, err)
			}
			for _, a := range []*mlx.Array{o, ks[w], vs[w]} {
				a.Free()
			}
		}
	}
}

// TestQuantizedAttention: attention over a QuantizedKVCache is
// quantized_scaled_dot_product_attention over its tuples, and is refused
// for keys that are not what its update_and_fetch returned.
func TestQuantizedAttention(t *testing.T) {
	x := mlx.Normal([]int{1, 2, 6, 64}, mlx.Float32, 0, 1, mlx.RandomKey(9))
	q := mlx.Normal([]int{1, 4, 6, 64}, mlx.Float32, 0, 1, mlx.RandomKey(10))
	defer x.Free()
	defer q.Free()
	c := NewQuantizedKVCache(64, 8)
	defer Free(c)
	if o := ScaledDotProductAttention(q, x, x, c, 0.125, mlx.CausalMask, nil); o.Err() == nil {
		t.Error("attention before update_and_fetch did not fail")
	}
	k, v := c.UpdateAndFetch(x, x)
	got := ScaledDotProductAttention(q, k, v, c, 0.125, mlx.CausalMask, nil)
	qk, qv := c.KeysAndValuesQuantized()
	want := base.QuantizedScaledDotProductAttention(q, qk, qv, 0.125, mlx.CausalMask, 64, 8)
	gb, err1 := got.Bytes()
	wb, err2 := want.Bytes()
	if err1 != nil || err2 != nil || string(gb) != string(wb) {
		t.Errorf("quantized attention differs from quantized_scaled_dot_product_attention on the tuples (%v %v)", err1, err2)
	}
	// The dequantized keys are what the tuples hold.
	dk := mlx.Dequantize(qk.Weight, qk.Scales, qk.Biases, 64, 8, "affine", -1)
	kb, _ := k.Bytes()
	db, _ := dk.Bytes()
	if string(kb) != string(db) {
		t.Error("UpdateAndFetch's keys are not the dequantized tuples")
	}
	if o := ScaledDotProductAttention(q, x, v, c, 0.125, mlx.CausalMask, nil); o.Err() == nil {
		t.Error("attention over keys that are not the fetched ones did not fail")
	}
	if o := ScaledDotProductAttention(q, k, v, c, 0.125, mlx.CausalMask, x); o.Err() == nil {
		t.Error("quantized attention with sinks did not fail")
	}
	// A typed nil and no cache take the plain path.
	var nilQ *QuantizedKVCache
	for _, cc := range []Cache{nil, nilQ} {
		o := ScaledDotProductAttention(q, x, x, cc, 0.125, mlx.CausalMask, nil)
		if o.Err() != nil {
			t.Errorf("attention with cache %v: %v", cc, o.Err())
		}
		o.Free()
	}
	if _, err := OffsetOf(NewArraysCache(1, nil)); err == nil {
		t.Error("ArraysCache has an offset")
	}
	if o, err := OffsetOf(c); err != nil || o.Int != 6 {
		t.Errorf("offset %+v %v", o, err)
	}
	b := NewBatchKVCache([]int32{1, 2})
	defer Free(b)
	if o, err := OffsetOf(b); err != nil || o.Array == nil {
		t.Errorf("batch offset %+v %v", o, err)
	} else {
		o.Array.Free()
	}
	for _, a := range []*mlx.Array{k, v, got, want, dk, qk.Weight, qk.Scales, qk.Biases, qv.Weight, qv.Scales, qv.Biases} {
		a.Free()
	}
}
