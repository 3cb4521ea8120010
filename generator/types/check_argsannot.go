package types

// A config parameter annotated with the wrong config class.
//
// Python does not check annotations: llama4's `MLP.__init__(self, args:
// ModelArgs, ...)` is given the text config (TextArgs) by every call site,
// and reads TextArgs' fields. Where a parameter annotated with one of the
// file's config dataclasses is passed another of them, the value is what
// the body works with: the parameter takes the passed class (the first
// call site's; a call site passing yet another class then fails to convert,
// as it should). An unannotated `args` (typed ModelArgs by its name, as
// llama4's MoE(self, args)) is retyped so too.

// misannotatedArgs reports a parameter annotated with a config dataclass
// that a call site passes another config dataclass.
func (t *checker) misannotatedArgs(p *Param, v *Type) bool {
	if p.Type == nil || v == nil || p.Type.Kind != ClassK || v.Kind != ClassK || p.Type.Name == v.Name {
		return false
	}
	pc, vc := t.u.ByClass[p.Type.Name], t.u.ByClass[v.Name]
	if pc == nil || vc == nil || !pc.IsArgs || !vc.IsArgs || p.argsRetyped {
		return false
	}
	p.argsRetyped = true
	return true
}
