package py

import (
	"fmt"
	"reflect"

	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// A cache class of a model file (deepseek_v41's LayerCache) is no subclass
// of cache.py's _BaseCache: mlx-lm's generation uses only the protocol its
// state, is_trimmable, empty and nbytes members share with them. The
// generated class has those members as Python does; LocalCache makes an
// instance a cache.Cache for the runtime (the registration wraps what
// make_cache returns and unwraps what the forward pass gets):
//
//   - ClassName is the Python class name; State is its state (fresh
//     handles, as cache.Cache's State), SetState is an error (Python's
//     class has no setter, so mlx-lm cannot load it from a prompt-cache
//     file either);
//   - IsTrimmable, Empty, Nbytes are its methods (false, false, 0 where
//     the class has none); Trim drops nothing and Size is 0 (it has no
//     trim or size);
//   - Handles are the arrays its fields hold (found by reflection: what a
//     scope must keep), Copy a copy whose array fields are fresh handles
//     to the same data (the class only rebinds its fields, never writes an
//     array in place, so this is copy.deepcopy).

// LocalCacheOps are the protocol members of a model's cache class T.
type LocalCacheOps[T any] struct {
	Name        string
	State       func(T) []*mlx.Array // nil: the class has no state
	IsTrimmable func(T) bool
	Empty       func(T) bool
	Nbytes      func(T) int
}

// LocalCache is an instance of a model's cache class as a cache.Cache.
type LocalCache[T any] struct {
	V   T
	ops *LocalCacheOps[T]
	// held are the arrays the instance's fields held at the last Handles:
	// the cache owns them (cache.Cache's contract), so one the instance has
	// since replaced is freed at the next Handles, as cache.py's classes
	// free what they replace (the generated class only rebinds its fields,
	// and a graph that still reads the old array keeps its data).
	held map[*mlx.Array]bool
}

// WrapCaches wraps the instances make_cache returns.
func WrapCaches[T any](cs []T, ops *LocalCacheOps[T]) []cache.Cache {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		out[i] = &LocalCache[T]{V: c, ops: ops}
	}
	return out
}

// UnwrapCaches are the instances of the forward pass's caches (nil for
// nil); a cache of another class raises TypeError.
func UnwrapCaches[T any](cs []cache.Cache) []T {
	if cs == nil {
		return nil
	}
	out := make([]T, len(cs))
	for i, c := range cs {
		lc, ok := c.(*LocalCache[T])
		if !ok {
			var zero T
			Raise("TypeError", "cache %d is a %s, but the model takes its own %T caches (from its make_cache)", i, c.ClassName(), zero)
		}
		out[i] = lc.V
	}
	return out
}

func (c *LocalCache[T]) ClassName() string { return c.ops.Name }

func (c *LocalCache[T]) State() cache.State {
	if c.ops.State == nil {
		return nil
	}
	var s cache.State
	for _, a := range c.ops.State(c.V) {
		if a == nil {
			s = append(s, nil)
			continue
		}
		s = append(s, a.Index(mlx.Ellipsis))
	}
	return s
}

func (c *LocalCache[T]) SetState(cache.State) error {
	return fmt.Errorf("%s: the model's cache class has no state setter", c.ops.Name)
}

func (c *LocalCache[T]) IsTrimmable() bool { return c.ops.IsTrimmable != nil && c.ops.IsTrimmable(c.V) }
func (c *LocalCache[T]) Trim(int) int      { return 0 }
func (c *LocalCache[T]) Size() int         { return 0 }
func (c *LocalCache[T]) Empty() bool       { return c.ops.Empty != nil && c.ops.Empty(c.V) }

func (c *LocalCache[T]) Nbytes() int {
	if c.ops.Nbytes == nil {
		return 0
	}
	return c.ops.Nbytes(c.V)
}

// Handles are the arrays the instance's fields hold; those it held at the
// last call and has replaced since are freed.
func (c *LocalCache[T]) Handles() []*mlx.Array {
	out := c.fields()
	now := make(map[*mlx.Array]bool, len(out))
	for _, a := range out {
		now[a] = true
	}
	for a := range c.held {
		if !now[a] {
			a.Free()
		}
	}
	c.held = now
	return out
}

// fields are the arrays the instance's fields hold.
func (c *LocalCache[T]) fields() []*mlx.Array {
	var out []*mlx.Array
	v := reflect.ValueOf(c.V)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := range v.NumField() {
		if a, ok := v.Field(i).Interface().(*mlx.Array); ok && a != nil {
			out = append(out, a)
		}
	}
	return out
}

// Copy is copy.deepcopy of the instance (array fields as fresh handles).
func (c *LocalCache[T]) Copy() cache.Cache {
	v := reflect.ValueOf(c.V)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return &LocalCache[T]{V: c.V, ops: c.ops}
	}
	cp := reflect.New(v.Elem().Type())
	cp.Elem().Set(v.Elem())
	for i := range cp.Elem().NumField() {
		f := cp.Elem().Field(i)
		if a, ok := f.Interface().(*mlx.Array); ok && a != nil && f.CanSet() {
			f.Set(reflect.ValueOf(a.Index(mlx.Ellipsis)))
		}
	}
	return &LocalCache[T]{V: cp.Interface().(T), ops: c.ops}
}
