package py

import (
	"reflect"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
	"github.com/hf2go/hf2go/runtime/mlx/nn/distributed"
)

// DistributedInit is mx.distributed.init() (any backend, not strict).
func DistributedInit() *mlx.Group {
	g, err := mlx.DistributedInit(false, "any")
	if err != nil {
		Raise("RuntimeError", "%v", err)
	}
	return g
}

// segmentsOf reads shard_linear's segments argument: an int, or a list of
// split indices or fractions.
func segmentsOf(v any) distributed.Segments {
	switch x := v.(type) {
	case nil:
		return distributed.Segments{N: 1}
	case int:
		return distributed.Segments{N: x}
	case []int:
		return distributed.Segments{Indices: x}
	case []float64:
		return distributed.Segments{Fractions: x}
	}
	Raise("TypeError", "segments must be an int or a list, got %T", v)
	return distributed.Segments{}
}

// ShardLinear is mlx.nn.layers.distributed.shard_linear(module, sharding,
// segments, group).
func ShardLinear(module any, sharding string, segments any, group *mlx.Group) nn.LinearLayer {
	l, ok := module.(nn.LinearLayer)
	if !ok {
		Raise("TypeError", "shard_linear: %T is not a linear layer", module)
	}
	out, err := distributed.ShardLinearSegments(l, sharding, segmentsOf(segments), group)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return out
}

// ShardInplace is mlx.nn.layers.distributed.shard_inplace(module, sharding,
// segments, group).
func ShardInplace(module any, sharding string, segments any, group *mlx.Group) {
	if err := distributed.ShardInplaceSegments(module, sharding, segmentsOf(segments), group); err != nil {
		Raise("ValueError", "%v", err)
	}
}

// Apply is Module.apply(map_fn) on a module of the model (mlx-lm's shard()
// slices attention heads with it).
func Apply(module any, fn func(*mlx.Array) *mlx.Array) {
	if err := nn.Apply(module, fn); err != nil {
		Raise("ValueError", "%v", err)
	}
}

// Parameter is module.<name> for a parameter of a module the API table
// types by an interface (a SwitchLinear's bias, plain or quantized): an
// AttributeError when the module has none (bias=False), as in Python.
func Parameter(module any, name string) *mlx.Array {
	p := nn.Parameters(module)[name]
	if p == nil {
		Raise("AttributeError", "%T has no parameter %q", module, name)
	}
	return p
}

// SetParameter is module.<name> = v for such a parameter (gpt_oss's
// shard() divides the experts' down_proj bias by the group size). The old
// array is left to its other users (the computation of v reads it).
func SetParameter(module any, name string, v *mlx.Array) {
	rv := reflect.ValueOf(module)
	for rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			Raise("AttributeError", "set %s on a nil module", name)
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		for i := range rv.NumField() {
			f := rv.Type().Field(i)
			if f.IsExported() && f.Tag.Get("mlx") == name && f.Type == reflect.TypeOf(v) && !rv.Field(i).IsNil() {
				rv.Field(i).Set(reflect.ValueOf(v))
				return
			}
		}
	}
	Raise("AttributeError", "%T has no parameter %q", module, name)
}
