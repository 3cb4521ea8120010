package types

// A field that quantization may replace.
//
// nn.quantize replaces every leaf module that has a to_quantized method by
// what that method returns (mlx's quantize, which mlx-lm's loader and
// quantize_model run). Where a file's class defines to_quantized returning
// another class of the file (afm7's FusedLinear.to_quantized returns a
// FusedQuantizedLinear), a field assigned the first may hold the second
// after loading: the field's type is the union of the two (an interface of
// module classes, their common __call__), as if __init__ had assigned
// either.

// quantizedForm is the class the to_quantized of ty's class returns, when
// that is another class of the unit; nil otherwise.
func (t *checker) quantizedForm(ty *Type) *Type {
	if ty == nil || ty.Kind != ClassK {
		return nil
	}
	c := t.u.ByClass[ty.Name]
	if c == nil || c.IsArgs {
		return nil
	}
	m := c.ByMeth["to_quantized"]
	if m == nil || m.Skipped != "" || m.Ret == nil || m.Ret.Kind != ClassK || m.Ret.Name == ty.Name {
		return nil
	}
	return m.Ret
}
