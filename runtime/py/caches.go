package py

// Caches: the adapters between Python's duck-typed caches and the Go
// interfaces of ported/cache.

import (
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/ported/rope"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Generated code calls the caches' methods through the interfaces of
// ported/cache (c.(cache.KeyValue).UpdateAndFetch(k, v)) and attention
// through cache.ScaledDotProductAttention; what needs Python's duck typing
// is here.

// OffsetOf is cache.offset: an int for the single-sequence caches, a (B,)
// int32 array (one offset per sequence) for the batch caches. It is a
// value of Python's type int | mx.array, held as any.
func OffsetOf(c cache.Cache) any {
	o, err := cache.OffsetOf(c)
	if err != nil {
		Raise("AttributeError", "%v", err)
	}
	if o.IsArray() {
		return o.Array
	}
	return o.Int
}

// KeyValue is a cache as the attention code uses it (update_and_fetch,
// keys_and_values); AttributeError for one without (ArraysCache).
func KeyValue(c cache.Cache) cache.KeyValue {
	kv, ok := c.(cache.KeyValue)
	if !ok {
		Raise("AttributeError", "%s has no attribute 'update_and_fetch'", className(c))
	}
	return kv
}

// RoPE is rope(x, offset=offset) for an offset that is an int or an array
// (OffsetOf's value).
func RoPE(r rope.Layer, x *mlx.Array, offset any) *mlx.Array {
	switch o := offset.(type) {
	case int:
		return r.Forward(x, o)
	case *mlx.Array:
		return r.ForwardArray(x, o)
	}
	Raise("TypeError", "rope offset must be an int or an array, got %T", offset)
	return nil
}

// FastRoPE is mx.fast.rope(x, ..., offset=offset) for an offset that is an
// int or an array.
func FastRoPE(x *mlx.Array, o mlx.RopeOpts, offset any) *mlx.Array {
	switch off := offset.(type) {
	case int:
		return mlx.Rope(x, o, off)
	case *mlx.Array:
		return mlx.RopeArrayOffset(x, o, off)
	}
	Raise("TypeError", "rope offset must be an int or an array, got %T", offset)
	return nil
}

// AsArray is a value of Python's type int | float | mx.array where an array
// is needed: a number becomes a weak scalar (it takes the other operand's
// dtype, as in Python).
func AsArray(v any) *mlx.Array {
	switch x := v.(type) {
	case *mlx.Array:
		return x
	case int:
		return mlx.Int(x)
	case float64:
		return mlx.Float(x)
	case bool:
		return mlx.BoolScalar(x)
	}
	Raise("TypeError", "expected a number or an array, got %T", v)
	return nil
}

func className(c cache.Cache) string {
	if c == nil {
		return "NoneType"
	}
	return c.ClassName()
}

// Caches converts a list of concrete caches into the interface list the
// registry passes around ([KVCache() for ...] in make_cache).
func Caches[T cache.Cache](cs []T) []cache.Cache {
	out := make([]cache.Cache, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}

// AsRoPE adapts a model class with a RoPE-like __call__(x, offset) (such as
// smollm3's NoPE) to the rope.Layer interface of the ported RoPEs.
func AsRoPE(m interface {
	Forward(x *mlx.Array, offset int) *mlx.Array
}) rope.Layer {
	return classRoPE{m}
}

type classRoPE struct {
	m interface {
		Forward(x *mlx.Array, offset int) *mlx.Array
	}
}

func (r classRoPE) Forward(x *mlx.Array, offset int) *mlx.Array { return r.m.Forward(x, offset) }

func (r classRoPE) ForwardArray(x, offset *mlx.Array) *mlx.Array {
	// Array offsets come from batched caches; the model class takes an int.
	n, err := offset.Item()
	if err != nil || offset.Size() != 1 {
		return mlx.Errorf("rope", "a per-sequence offset array is not supported by %T", r.m)
	}
	return r.m.Forward(x, int(n))
}

// OffsetArith is int | array arithmetic with an int (cache.offset + L):
// Python's int arithmetic for an int offset, the MLX op (the int a weak
// scalar) for a batch cache's array of offsets.
func OffsetArith(op string, a, b any) any {
	_, aArr := a.(*mlx.Array)
	_, bArr := b.(*mlx.Array)
	if !aArr && !bArr {
		return Arith(op, a, b)
	}
	x, y := AsArray(a), AsArray(b)
	switch op {
	case "+":
		return mlx.Add(x, y)
	case "-":
		return mlx.Subtract(x, y)
	case "*":
		return mlx.Multiply(x, y)
	case "//":
		return mlx.FloorDivide(x, y)
	case "%":
		return mlx.Remainder(x, y)
	}
	Raise("TypeError", "unsupported operator %s", op)
	return nil
}
