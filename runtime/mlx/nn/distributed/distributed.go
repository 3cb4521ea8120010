// Package distributed is a hand port of mlx's mlx/nn/layers/distributed.py
// (mlx 0.32.4, the Python package, not mlx-lm): tensor-parallel linear layers
// and the functions that shard a model's parameters across the processes of
// an mx.distributed group. mlx-lm's model files call them from their shard()
// methods (llama.py: shard_linear(q_proj, "all-to-sharded", group=group)).
//
// It lives under runtime/mlx/nn rather than ported/ because ported/'s
// provenance headers name mlx-lm files, pinned by upstream.lock (and
// upstream/provenance.go accepts only "Upstream: mlx-lm <commit>"); this
// package's upstream is in the mlx wheel, at mlx 0.32.4:
//
//	.venv/lib/python3.11/site-packages/mlx/nn/layers/distributed.py
//
// Semantics kept exactly:
//
//   - "all-to-sharded": every rank holds rows [r·out/N, (r+1)·out/N) of the
//     weight (axis max(ndim-2, 0); for a quantized layer the packed weight,
//     scales and biases alike) and the same slice of the bias (axis -1). The
//     input is common to all ranks; the output is sharded. No communication
//     in the forward pass (Python's sum_gradients only acts on gradients).
//   - "sharded-to-all": every rank holds columns [r·in/N, (r+1)·in/N) of the
//     weight (axis -1, packed words for a quantized layer, scales and biases
//     alike) and the whole bias. The input is sharded; each rank computes its
//     partial x·Wᵣᵀ, all_sum adds them, then the bias is added once.
//   - segments: a fused weight (QKV) is split into segments first, each
//     segment is split across the group, and rank r's pieces are
//     concatenated: Segments{N: 3} for a fused QKV.
//
// Not ported: FullyShardedModule / fully_shard (training-time parameter
// sharding, needs gradients) and sum_gradients' backward pass (Go has no
// autograd); the forward passes are identical.
package distributed

import (
	"fmt"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// The sharding kinds of shard_linear and shard_inplace.
const (
	AllToSharded = "all-to-sharded"
	ShardedToAll = "sharded-to-all"
)

// Segments says how a weight is made of parts before it is sharded (the
// segments argument: an int, a list of split indices, or a list of
// fractions of the axis). The zero value is one segment.
type Segments struct {
	N         int       // equal parts (0 or 1: the whole weight)
	Indices   []int     // split before these indices (mx.split with a list of ints)
	Fractions []float64 // split at int(f·size) for each fraction (_split's float case)
}

// split is _split: mx.split allowing fractional segments.
func (s Segments) split(w *mlx.Array, axis int) ([]*mlx.Array, error) {
	switch {
	case len(s.Fractions) > 0:
		n := w.Dim(axis)
		idx := make([]int, len(s.Fractions))
		for i, f := range s.Fractions {
			idx[i] = int(f * float64(n)) // Python's int() truncates toward zero
		}
		return mlx.SplitAt(w, idx, axis)
	case len(s.Indices) > 0:
		return mlx.SplitAt(w, s.Indices, axis)
	case s.N > 1:
		return mlx.Split(w, s.N, axis)
	default:
		return mlx.Split(w, 1, axis)
	}
}

// A Sharding decides how one parameter is sharded (Python's sharding
// predicate): ok false leaves it whole; otherwise it is split along axis
// (negative counts from the end) after splitting it into segs.
type Sharding func(path string, w *mlx.Array) (axis int, segs Segments, ok bool)

// AllToShardedSharding is _all_to_sharded(segments).
func AllToShardedSharding(segs Segments) Sharding {
	return func(path string, w *mlx.Array) (int, Segments, bool) {
		if endsWith(path, "bias") {
			return -1, segs, true
		}
		return max(w.Ndim()-2, 0), segs, true
	}
}

// ShardedToAllSharding is _sharded_to_all(segments).
func ShardedToAllSharding(segs Segments) Sharding {
	return func(path string, w *mlx.Array) (int, Segments, bool) {
		if endsWith(path, "bias") {
			return 0, Segments{}, false
		}
		return -1, segs, true
	}
}

func endsWith(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// shardingOf is _check_sharding plus the choice of predicate.
func shardingOf(kind string, segs Segments) (Sharding, error) {
	switch kind {
	case AllToSharded:
		return AllToShardedSharding(segs), nil
	case ShardedToAll:
		return ShardedToAllSharding(segs), nil
	}
	return nil, fmt.Errorf("Sharding type sharding=%q not supported, choose one of 'all-to-sharded' or 'sharded-to-all'", kind)
}

// defaultGroup is `group or mx.distributed.init()`.
func defaultGroup(g *mlx.Group) (*mlx.Group, error) {
	if g != nil {
		return g, nil
	}
	return mlx.DistributedInit(false, "any")
}

// shardArray is _shard's _shard_fn for one array: rank r's part of every
// segment, concatenated along axis, made contiguous.
func shardArray(w *mlx.Array, axis int, segs Segments, n, r int) (*mlx.Array, error) {
	if err := w.Err(); err != nil {
		return nil, err
	}
	if axis < 0 {
		axis += w.Ndim()
	}
	if axis < 0 || axis >= w.Ndim() {
		return nil, fmt.Errorf("sharding axis out of range for shape %v", w.Shape())
	}
	parts, err := segs.split(w, axis)
	if err != nil {
		return nil, err
	}
	mine := make([]*mlx.Array, 0, len(parts))
	var free []*mlx.Array
	defer func() {
		for _, a := range free {
			a.Free()
		}
	}()
	free = append(free, parts...)
	for _, p := range parts {
		if p.Dim(axis)%n != 0 {
			return nil, fmt.Errorf("cannot split an axis of size %d (shape %v, axis %d) into %d equal parts", p.Dim(axis), w.Shape(), axis, n)
		}
		ps, err := mlx.Split(p, n, axis)
		if err != nil {
			return nil, err
		}
		free = append(free, ps...)
		mine = append(mine, ps[r])
	}
	cat := mlx.Concatenate(mine, axis)
	free = append(free, cat)
	out := mlx.Contiguous(cat)
	return out, out.Err()
}

// shardParams is _shard: the sharded counterparts of params (by dotted path),
// with the arrays the predicate leaves whole passed through.
func shardParams(params map[string]*mlx.Array, sharding Sharding, g *mlx.Group) (map[string]*mlx.Array, error) {
	return shardParamsAs(params, sharding, g.Size(), g.Rank())
}

// shardParamsAs is shardParams for rank r of a group of n.
func shardParamsAs(params map[string]*mlx.Array, sharding Sharding, n, r int) (map[string]*mlx.Array, error) {
	out := make(map[string]*mlx.Array, len(params))
	for path, w := range params {
		axis, segs, ok := sharding(path, w)
		if !ok {
			out[path] = w
			continue
		}
		s, err := shardArray(w, axis, segs, n, r)
		if err != nil {
			for p, a := range out {
				if a != params[p] {
					a.Free()
				}
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[path] = s
	}
	return out, nil
}

// ShardLinear is shard_linear(module, sharding, group=group): a new layer
// holding this rank's shard of a Linear or QuantizedLinear, which
// communicates in its forward pass as the kind says. The original layer is
// not changed. A nil group is the global group (mx.distributed.init()).
func ShardLinear(layer nn.LinearLayer, kind string, group *mlx.Group) (nn.LinearLayer, error) {
	return ShardLinearSegments(layer, kind, Segments{}, group)
}

// ShardLinearSegments is shard_linear(module, sharding, segments=segs,
// group=group).
func ShardLinearSegments(layer nn.LinearLayer, kind string, segs Segments, group *mlx.Group) (nn.LinearLayer, error) {
	if _, err := shardingOf(kind, segs); err != nil {
		return nil, err
	}
	switch l := layer.(type) {
	case *nn.Linear:
		if kind == AllToSharded {
			return AllToShardedLinearFromLinear(l, segs, group)
		}
		return ShardedToAllLinearFromLinear(l, segs, group)
	case *nn.QuantizedLinear:
		if kind == AllToSharded {
			return QuantizedAllToShardedLinearFromQuantizedLinear(l, segs, group)
		}
		return QuantizedShardedToAllLinearFromQuantizedLinear(l, segs, group)
	}
	return nil, fmt.Errorf("shard_linear: cannot shard a %T (want *nn.Linear or *nn.QuantizedLinear)", layer)
}

// ShardInplace is shard_inplace(module, sharding, group=group): it replaces
// every parameter of module (any module of the nn parameter tree: a Linear,
// a SwitchLinear, a whole MLP) by this rank's shard. The module's code is
// unchanged, so it communicates only if it was written to (mlx-lm's MoE
// blocks all_sum over their sharding_group themselves). A nil group is the
// global group.
func ShardInplace(module any, kind string, group *mlx.Group) error {
	return ShardInplaceSegments(module, kind, Segments{}, group)
}

// ShardInplaceSegments is shard_inplace(module, sharding, segments=segs,
// group=group).
func ShardInplaceSegments(module any, kind string, segs Segments, group *mlx.Group) error {
	sh, err := shardingOf(kind, segs)
	if err != nil {
		return err
	}
	return ShardInplaceFunc(module, sh, group)
}

// ShardInplaceFunc is shard_inplace with a sharding predicate (a callable
// in Python).
func ShardInplaceFunc(module any, sharding Sharding, group *mlx.Group) error {
	g, err := defaultGroup(group)
	if err != nil {
		return err
	}
	return shardInplaceAs(module, sharding, g.Size(), g.Rank())
}

func shardInplaceAs(module any, sharding Sharding, n, r int) error {
	sharded, err := shardParamsAs(nn.Parameters(module), sharding, n, r)
	if err != nil {
		return err
	}
	return setParameters(module, sharded)
}

// SumGradients is sum_gradients(group): in Python an identity whose
// backward pass all_sums the gradient over the group. Go has no autograd, so
// it is the identity; it exists so translated __call__ bodies
// (`x = sum_gradients(self.sharding_group)(x)`) read like the Python.
func SumGradients(group *mlx.Group) func(x *mlx.Array) *mlx.Array {
	return func(x *mlx.Array) *mlx.Array { return x }
}
