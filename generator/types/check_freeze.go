package types

import "github.com/hf2go/hf2go/generator/syntax"

// self.freeze() / self.unfreeze() as a statement of a module class that
// does not define them (prism_hadamard_qwen35's packed layers freeze their
// weights in __init__) is nn.Module's: it marks parameters as not
// trainable, which only trainable_parameters() (training, optimizers)
// reads. Inference never does, and the Go module tree has no trainable
// flag, so the statement has no Go counterpart (the lowering emits none).

// IsFreezeCall reports such a statement's call.
func IsFreezeCall(c *syntax.Call, cls *Class) bool {
	a, ok := c.Func.(*syntax.Attribute)
	if !ok || (a.Attr != "freeze" && a.Attr != "unfreeze") || cls == nil || cls.IsArgs {
		return false
	}
	if n, ok := a.X.(*syntax.Name); !ok || n.Id != "self" {
		return false
	}
	if _, own := cls.ByMeth[a.Attr]; own {
		return false
	}
	for _, k := range c.Keywords {
		if !pureRead(k.Value) {
			return false
		}
	}
	for _, x := range c.Args {
		if !pureRead(x) {
			return false
		}
	}
	return true
}
