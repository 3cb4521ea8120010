package arch

import (
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/py"
)

// Generated describes a package hf2go generated from an mlx-lm model file:
// its ModelArgs type A and Model type M, and the methods the registry
// needs, as the Python defines them (a nil method is one the Python class
// does not have). Register adapts it to Model; every entry point recovers
// the Python exceptions translated code raises (*py.Error) into errors, so
// no panic leaves a generated package.
type Generated[A, M any] struct {
	ModelType string   // the model file's name
	File      string   // mlx_lm/models/<file>.py
	Aliases   []string // model_types mlx-lm remaps to this file
	// ArchAliases are the (model_type, architecture) pairs mlx-lm's
	// MODEL_ARCHITECTURE_REMAPPING sends to this file.
	ArchAliases []ArchitectureAlias

	Args     func(config map[string]any) A // ModelArgs.from_dict
	NewModel func(args A) M                // Model(args)
	// Forward is Model.__call__(inputs, cache=caches) with the other
	// parameters at their defaults.
	Forward   func(m M, inputs *mlx.Array, caches []cache.Cache) *mlx.Array
	Sanitize  func(m M, weights map[string]*mlx.Array) map[string]*mlx.Array
	MakeCache func(m M) []cache.Cache
	Shard     func(m M, group *mlx.Group)
	Layers    func(m M) int // len(model.layers)
	// QuantPredicate is model.quant_predicate(path, module): false, true, or
	// the layer's own quantization parameters (a dict).
	QuantPredicate func(m M, path string, module any) any
	// CastPredicate is model.cast_predicate(key): whether convert casts it.
	CastPredicate func(m M, key string) bool
}

// Register adds the architecture and mlx-lm's remappings to it.
func (g Generated[A, M]) Register() {
	Register(Arch{ModelType: g.ModelType, File: g.File, New: g.build})
	for _, a := range g.Aliases {
		Remap(a, g.ModelType)
	}
	for _, a := range g.ArchAliases {
		RemapArchitecture(a, g.ModelType)
	}
}

func (g Generated[A, M]) build(config map[string]any) (model Model, err error) {
	defer py.Recover(&err)
	m := &generated[A, M]{g: &g, m: g.NewModel(g.Args(config))}
	if g.Shard != nil {
		return &sharded[A, M]{m}, nil
	}
	return m, nil
}

// generated adapts one constructed model to Model.
type generated[A, M any] struct {
	g *Generated[A, M]
	m M
}

func (r *generated[A, M]) Forward(inputs *mlx.Array, caches []cache.Cache) (out *mlx.Array, err error) {
	defer py.Recover(&err)
	out = r.g.Forward(r.m, inputs, caches)
	return out, out.Err()
}

func (r *generated[A, M]) Sanitize(weights map[string]*mlx.Array) (out map[string]*mlx.Array, err error) {
	defer py.Recover(&err)
	if r.g.Sanitize == nil {
		return weights, nil
	}
	return r.g.Sanitize(r.m, weights), nil
}

func (r *generated[A, M]) MakeCache() (caches []cache.Cache, err error) {
	defer py.Recover(&err)
	if r.g.MakeCache == nil {
		return nil, nil
	}
	return r.g.MakeCache(r.m), nil
}

func (r *generated[A, M]) NumLayers() int {
	if r.g.Layers == nil {
		return 0
	}
	return r.g.Layers(r.m)
}

func (r *generated[A, M]) Module() any { return r.m }

func (r *generated[A, M]) QuantPredicate(path string, module any) (out any, err error) {
	defer py.Recover(&err)
	if r.g.QuantPredicate == nil {
		return true, nil
	}
	return r.g.QuantPredicate(r.m, path, module), nil
}

func (r *generated[A, M]) CastPredicate(key string) (out bool, err error) {
	defer py.Recover(&err)
	if r.g.CastPredicate == nil {
		return true, nil
	}
	return r.g.CastPredicate(r.m, key), nil
}

// sharded is a generated model whose class has shard(group).
type sharded[A, M any] struct{ *generated[A, M] }

func (r *sharded[A, M]) Shard(group *mlx.Group) (err error) {
	defer py.Recover(&err)
	r.g.Shard(r.m, group)
	return nil
}
