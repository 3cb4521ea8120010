package names

import (
	"strings"
	"unicode"
)

// Go names for Python names. Fields and methods are exported (the parameter
// tree reads fields by reflection) and keep Python's words: q_proj → QProj,
// n_kv_heads → NKvHeads. Locals are lowerCamel: head_dim → headDim; names
// that are all capitals (B, L, D) stay as they are.

// GoExported is the Go name of a field, method or class member: q_proj →
// QProj.
func GoExported(py string) string {
	lead := len(py) - len(strings.TrimLeft(py, "_"))
	parts := strings.Split(strings.Trim(py, "_"), "_")
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		r := []rune(p)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	s := b.String()
	if s == "" {
		s = "X"
	}
	if lead > 0 {
		// _freqs: not a parameter in mlx (leading underscore); keep it visible
		// in the name so a reader can map it back.
		s = s + "_"
	}
	return s
}

// GoLocal is the Go name of a local: head_dim → headDim.
func GoLocal(py string) string {
	if py == "_" {
		return "_"
	}
	if strings.ToUpper(py) == py && !strings.Contains(py, "_") {
		return avoid(py)
	}
	parts := strings.Split(strings.Trim(py, "_"), "_")
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i == 0 || b.Len() == 0 {
			b.WriteString(p)
			continue
		}
		r := []rune(p)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return avoid(b.String())
}

// reserved are Go keywords, predeclared names the generated code relies on,
// and the import names of the packages generated code uses.
var reserved = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true, "default": true, "defer": true,
	"else": true, "fallthrough": true, "for": true, "func": true, "go": true, "goto": true, "if": true,
	"import": true, "interface": true, "map": true, "package": true, "range": true, "return": true,
	"select": true, "struct": true, "switch": true, "type": true, "var": true,
	"len": true, "cap": true, "min": true, "max": true, "append": true, "make": true, "new": true,
	"nil": true, "true": true, "false": true, "string": true, "int": true, "float64": true, "float32": true,
	"bool": true, "any": true, "error": true, "copy": true, "delete": true, "panic": true, "print": true,
	"mlx": true, "nn": true, "py": true, "rt": true, "lmbase": true, "lmcache": true, "lmrope": true,
	"lmswitch": true, "math": true, "strings": true, "fmt": true, "self": true,
}

func avoid(s string) string {
	if reserved[s] {
		return s + "_"
	}
	return s
}
