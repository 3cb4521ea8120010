package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// fstringConv applies an f-string part's !r / !s / !a conversion to its
// value: Python calls repr(), str() or ascii() first and formats the
// resulting str, so the Go is runtime/py's Repr / StrOf / ASCII (CPython's
// quoting and escaping) and the part is formatted as a string (%s, with any
// width from the format spec). Without a conversion it returns v as is.
func (t *translator) fstringConv(p syntax.FPart, v val) val {
	if p.Conv == "" {
		return v
	}
	isStr := v.t.Kind == types.Str
	var c model.Expr
	switch p.Conv {
	case "r":
		if isStr {
			c = call(t.qual("py", "ReprStr"), v.c, id("false"))
		} else {
			c = call(t.qual("py", "Repr"), v.c)
		}
	case "a":
		if isStr {
			c = call(t.qual("py", "ReprStr"), v.c, id("true"))
		} else {
			c = call(t.qual("py", "ASCII"), v.c)
		}
	case "s":
		if isStr {
			c = v.c
		} else {
			c = call(t.qual("py", "StrOf"), v.c)
		}
	}
	return prim(c, types.TStr)
}

// fstringOptional formats an Optional value of an f-string part with no
// conversion and no format spec as Python does, str() of the value or
// "None" (py.StrOf reads the pointer), rather than printing the Go pointer.
func (t *translator) fstringOptional(p syntax.FPart, v val) val {
	if p.Conv != "" || p.Format != "" || v.t.Kind != types.Optional {
		return v
	}
	return prim(call(t.qual("py", "StrOf"), v.c), types.TStr)
}
