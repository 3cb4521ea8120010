package py

import (
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// AnyPop is d.pop(key) (hasDefault false) or d.pop(key, default) as a
// statement, on a value of no static type: a nested dict (tree_unflatten's
// subtrees). A missing key is KeyError without a default; a value that is not
// a dict has no pop (AttributeError), as in Python.
func AnyPop(d any, key string, hasDefault bool) {
	m, ok := d.(map[string]any)
	if !ok {
		Raise("AttributeError", "'%s' object has no attribute 'pop'", pyTypeName(d))
	}
	if _, ok := m[key]; !ok && !hasDefault {
		Raise("KeyError", "%q", key)
	}
	delete(m, key)
}

// LinearWeight is linear.weight (the packed weight of a quantized linear).
func LinearWeight(l nn.LinearLayer) *mlx.Array {
	switch x := l.(type) {
	case *nn.Linear:
		return x.Weight
	case *nn.QuantizedLinear:
		return x.Weight
	}
	Raise("AttributeError", "%T has no attribute 'weight'", l)
	return nil
}

// SetLinearWeight is linear.weight = w (gemma3n's AltUp casts and clips its
// coefficients in place, once per call, as the Python does).
func SetLinearWeight(l nn.LinearLayer, w *mlx.Array) {
	switch x := l.(type) {
	case *nn.Linear:
		x.Weight = w
		return
	case *nn.QuantizedLinear:
		x.Weight = w
		return
	}
	Raise("AttributeError", "%T has no attribute 'weight'", l)
}
