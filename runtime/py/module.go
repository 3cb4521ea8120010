package py

import "github.com/hf2go/hf2go/runtime/mlx/nn"

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

// SetAdd is s.add(x) for a set held as a slice of distinct elements: x
// appended when it is not already there.
func SetAdd[T comparable](s []T, x T) []T {
	for _, y := range s {
		if y == x {
			return s
		}
	}
	return append(s, x)
}

// ModuleHas is `key in module`: an mlx Module is a dict of its parameters
// and child modules, so the key is in it when the module has a parameter
// or a child of that name (a Linear made with bias=False has no "bias").
func ModuleHas(module any, key string) bool {
	if nn.Parameters(module)[key] != nil {
		return true
	}
	for _, p := range nn.NamedModules(module) {
		if p.([]any)[0] == key {
			return true
		}
	}
	return false
}
