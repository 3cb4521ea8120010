package py

import (
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
