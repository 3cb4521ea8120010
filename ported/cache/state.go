// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// State is a cache's state property: the tuple Python returns, as a list
// whose elements are each one of
//
//	*mlx.Array  an array (nil stands for None, as does an untyped nil)
//	int         a Python int (offset, _idx, max_size, ...)
//	float64     a Python float
//	bool        a Python bool (BatchRotatingKVCache.rotated)
//	string      a Python str (a CacheList member's class name)
//	State       a nested tuple or list (QuantizedKVCache's (weights,
//	            scales, biases), ArraysCache's list of arrays, ...)
//
// which is what save_prompt_cache serializes (arrays as tensors, the rest as
// the "scalars" it records) and what load_prompt_cache hands to from_state.
type State []any

// Arrays are the State's arrays in tree_flatten order (nil entries skipped).
func (s State) Arrays() []*mlx.Array {
	var out []*mlx.Array
	for _, v := range s {
		switch x := v.(type) {
		case *mlx.Array:
			if x != nil {
				out = append(out, x)
			}
		case State:
			out = append(out, x.Arrays()...)
		}
	}
	return out
}

// Free releases the State's arrays (a State from State() holds fresh
// handles).
func (s State) Free() {
	for _, a := range s.Arrays() {
		a.Free()
	}
}

// copyState is a State with fresh handles to the same arrays.
func copyState(s State) State {
	out := make(State, len(s))
	for i, v := range s {
		switch x := v.(type) {
		case *mlx.Array:
			out[i] = alias(x)
		case State:
			out[i] = copyState(x)
		default:
			out[i] = v
		}
	}
	return out
}

// stateReader reads the elements of a State a setter expects, remembering
// the first error (an element of the wrong kind names the class and index:
// a State may come from an untrusted file).
type stateReader struct {
	class string
	s     State
	err   error
}

func (r *stateReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s state: "+format, append([]any{r.class}, args...)...)
	}
}

// len checks the number of elements (Python's tuple unpacking).
func (r *stateReader) len(n int) bool {
	if len(r.s) != n {
		r.fail("%d elements, want %d", len(r.s), n)
		return false
	}
	return true
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case *mlx.Array:
		if x == nil {
			return "None"
		}
		return "array"
	case int:
		return "int"
	case float64:
		return "float"
	case bool:
		return "bool"
	case string:
		return "str"
	case State:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

// array is element i as an array; nil (None) only when allowNil.
func (r *stateReader) array(i int, allowNil bool) *mlx.Array {
	if r.err != nil || i >= len(r.s) {
		return nil
	}
	switch x := r.s[i].(type) {
	case *mlx.Array:
		if x == nil && !allowNil {
			break
		}
		if x != nil {
			if err := x.Err(); err != nil {
				r.fail("element %d: %v", i, err)
				return nil
			}
		}
		return x
	case nil:
		if allowNil {
			return nil
		}
	}
	r.fail("element %d is %s, want an array", i, kindOf(r.s[i]))
	return nil
}

func (r *stateReader) int(i int) int {
	if r.err != nil || i >= len(r.s) {
		return 0
	}
	if v, ok := r.s[i].(int); ok {
		return v
	}
	r.fail("element %d is %s, want an int", i, kindOf(r.s[i]))
	return 0
}

func (r *stateReader) bool(i int) bool {
	if r.err != nil || i >= len(r.s) {
		return false
	}
	if v, ok := r.s[i].(bool); ok {
		return v
	}
	r.fail("element %d is %s, want a bool", i, kindOf(r.s[i]))
	return false
}

func (r *stateReader) string(i int) string {
	if r.err != nil || i >= len(r.s) {
		return ""
	}
	if v, ok := r.s[i].(string); ok {
		return v
	}
	r.fail("element %d is %s, want a str", i, kindOf(r.s[i]))
	return ""
}

// list is element i as a nested State.
func (r *stateReader) list(i int) State {
	if r.err != nil || i >= len(r.s) {
		return nil
	}
	if v, ok := r.s[i].(State); ok {
		return v
	}
	r.fail("element %d is %s, want a list", i, kindOf(r.s[i]))
	return nil
}

// pair checks that elements i and j (keys and values) are both arrays or
// both None, and returns the reader's error.
func (r *stateReader) pair(i, j int) error {
	if r.err == nil && (r.array(i, true) == nil) != (r.array(j, true) == nil) {
		r.fail("elements %d and %d: one is None, the other is not", i, j)
	}
	return r.err
}

// FromState is globals()[class_name].from_state(state): a cache of that
// class, made without __init__, given the state. It is how load_prompt_cache
// and CacheList's state setter rebuild caches.
func FromState(className string, s State) (Cache, error) {
	var c Cache
	switch className {
	case "KVCache":
		c = &KVCache{}
	case "ConcatenateKVCache":
		c = &ConcatenateKVCache{}
	case "RotatingKVCache":
		c = &RotatingKVCache{}
	case "QuantizedKVCache":
		c = &QuantizedKVCache{}
	case "ChunkedKVCache":
		c = &ChunkedKVCache{}
	case "ArraysCache":
		c = &ArraysCache{}
	case "CacheList":
		c = &CacheList{}
	case "BatchKVCache":
		c = &BatchKVCache{}
	case "BatchRotatingKVCache":
		c = &BatchRotatingKVCache{}
	case "MambaCache":
		return nil, fmt.Errorf("cache class MambaCache was removed in mlx-lm 0.32 (its models now use ArraysCache(size=2)); mlx-lm 0.32.2 cannot load it either")
	default:
		return nil, fmt.Errorf("unknown cache class %q", className)
	}
	if err := c.SetState(s); err != nil {
		Free(c)
		return nil, err
	}
	return c, nil
}
