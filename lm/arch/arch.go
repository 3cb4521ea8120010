// Package arch is the registry of model architectures: each generated
// package under generated/models registers its model_type here from an init
// function, and the loader looks the architecture of a checkpoint up by the
// model_type in its config.json (after mlx-lm's MODEL_REMAPPING).
package arch

import (
	"fmt"
	"sort"
	"sync"

	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Model is a constructed model, as the generation loop drives it. Every
// method recovers the Python exceptions of generated code into errors.
type Model interface {
	// Forward is Model.__call__(inputs, cache=caches): logits for token ids
	// [B, L]. caches is nil for a forward pass without a cache.
	Forward(inputs *mlx.Array, caches []cache.Cache) (*mlx.Array, error)
	// Sanitize is Model.sanitize(weights), or weights unchanged.
	Sanitize(weights map[string]*mlx.Array) (map[string]*mlx.Array, error)
	// MakeCache is Model.make_cache(), or nil when the model has none (the
	// caller then makes one KVCache per layer, as make_prompt_cache does).
	MakeCache() ([]cache.Cache, error)
	// NumLayers is len(model.layers).
	NumLayers() int
	// Module is the root module, for nn.Parameters, nn.Update and nn.Quantize.
	Module() any
}

// Sharder is a Model whose upstream class has shard(group): tensor-parallel
// sharding of its linear layers across the processes of an MLX group.
type Sharder interface {
	Shard(group *mlx.Group) error
}

// Converter is a Model as mlx_lm.convert asks it about its parameters. The
// generated models all implement it: a class without quant_predicate
// (cast_predicate) answers true for every layer (parameter), as mlx-lm's
// defaults do.
type Converter interface {
	// QuantPredicate is model.quant_predicate(path, module): false to keep
	// the layer as it is, true for the conversion's parameters, or a
	// map[string]int / map[string]any with the layer's own ("group_size",
	// "bits", "mode").
	QuantPredicate(path string, module any) (any, error)
	// CastPredicate is model.cast_predicate(key): whether the parameter is
	// cast to the conversion's dtype.
	CastPredicate(key string) (bool, error)
}

// Arch is one registered architecture.
type Arch struct {
	ModelType string // the model file's name, e.g. "llama"
	File      string // upstream path, e.g. "mlx_lm/models/llama.py"
	// New builds the model from a config.json map (BaseModelArgs.from_dict).
	New func(config map[string]any) (Model, error)
}

var (
	mu       sync.RWMutex
	registry = map[string]Arch{}
	remap    = map[string]string{}
	// archRemap: mlx-lm's MODEL_ARCHITECTURE_REMAPPING.
	archRemap = map[ArchitectureAlias]string{}
)

// ArchitectureAlias is a (model_type, architecture) pair of mlx-lm's
// MODEL_ARCHITECTURE_REMAPPING: a config with that model_type whose
// architectures list names that architecture loads another file
// (bailing_hybrid + BailingMoeV3ForCausalLM → bailing_moe_v3).
type ArchitectureAlias struct{ ModelType, Architecture string }

// RemapArchitecture records a MODEL_ARCHITECTURE_REMAPPING entry.
func RemapArchitecture(a ArchitectureAlias, to string) {
	mu.Lock()
	defer mu.Unlock()
	archRemap[a] = to
}

// LookupConfig finds the architecture for a config as mlx-lm's
// _get_classes does: the first of its architectures (a list or one
// string) that MODEL_ARCHITECTURE_REMAPPING pairs with its model_type
// decides; otherwise the model_type, through MODEL_REMAPPING.
func LookupConfig(config map[string]any) (Arch, error) {
	mt, ok := config["model_type"].(string)
	if !ok {
		return Arch{}, fmt.Errorf("model_type: expected a string")
	}
	var archs []string
	switch v := config["architectures"].(type) {
	case string:
		archs = []string{v}
	case []any:
		for _, a := range v {
			if s, ok := a.(string); ok {
				archs = append(archs, s)
			}
		}
	case []string:
		archs = v
	}
	mu.RLock()
	for _, a := range archs {
		if to, ok := archRemap[ArchitectureAlias{mt, a}]; ok {
			got, ok := registry[to]
			mu.RUnlock()
			if !ok {
				return Arch{}, fmt.Errorf("model_type %q with architecture %q: mlx-lm loads %s, which is not generated", mt, a, to)
			}
			return got, nil
		}
	}
	mu.RUnlock()
	return Lookup(mt)
}

// Register adds an architecture; a second registration of a model_type is a
// programming error in the generated code and is reported by Lookup.
func Register(a Arch) {
	mu.Lock()
	defer mu.Unlock()
	registry[a.ModelType] = a
}

// Remap records mlx-lm's MODEL_REMAPPING entries (mistral → llama, ...).
func Remap(from, to string) {
	mu.Lock()
	defer mu.Unlock()
	remap[from] = to
}

// Lookup finds the architecture for a config's model_type.
func Lookup(modelType string) (Arch, error) {
	mu.RLock()
	defer mu.RUnlock()
	mt := modelType
	if to, ok := remap[mt]; ok {
		mt = to
	}
	if a, ok := registry[mt]; ok {
		return a, nil
	}
	known := make([]string, 0, len(registry))
	for k := range registry {
		known = append(known, k)
	}
	sort.Strings(known)
	return Arch{}, fmt.Errorf("model_type %q is not supported (generated architectures: %v)", modelType, known)
}

// Registered lists the registered model types, sorted.
func Registered() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
