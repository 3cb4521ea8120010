package py

import "github.com/hf2go/hf2go/runtime/mlx/nn"

// Freeze is nn.Module.freeze() (and unfreeze()): mlx marks the module's
// parameters as not trainable, which only value_and_grad and the
// optimizers read. Inference computes no gradients, so there is nothing to
// do; the call is kept so the Go reads like the Python.
func Freeze(module any) {}

// UpdateModules is Module.update_modules(tree): nn.UpdateModules, with
// mlx's ValueError for a path the module does not have.
func UpdateModules(module any, tree any) {
	if err := nn.UpdateModules(module, tree); err != nil {
		panic(Exception("ValueError", "%v", err))
	}
}

// DictFromPairs is dict(pairs) of a list of (key, value) tuples, each a
// two-element []any: a later key replaces an earlier one, as in Python.
func DictFromPairs[K comparable, V any](pairs []any) map[K]V {
	out := make(map[K]V, len(pairs))
	for _, p := range pairs {
		kv, ok := p.([]any)
		if !ok || len(kv) != 2 {
			Raise("ValueError", "dictionary update sequence element has length %d; 2 is required", lenOf(p))
		}
		k, ok := kv[0].(K)
		if !ok {
			Raise("TypeError", "dict key %v: %T", kv[0], kv[0])
		}
		var v V
		if kv[1] != nil {
			if v, ok = kv[1].(V); !ok {
				Raise("TypeError", "dict value of %v: %T", kv[0], kv[1])
			}
		}
		out[k] = v
	}
	return out
}

func lenOf(p any) int {
	if kv, ok := p.([]any); ok {
		return len(kv)
	}
	return 1
}
