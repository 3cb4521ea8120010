package types

import "github.com/hf2go/hf2go/generator/syntax"

// Ported from the recurrent branch (ff48831, field_mixed.go), which has the
// rest of this file; take recurrent's version on merge.

// definesClass reports whether file f defines a top-level class name.
func definesClass(f *syntax.File, name string) bool {
	for _, st := range f.Body {
		if c, ok := st.(*syntax.ClassDef); ok && c.Name == name {
			return true
		}
	}
	return false
}
