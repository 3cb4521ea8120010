package types

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/syntax"
)

// TestPlainArgsDataclass checks which dataclasses without BaseModelArgs
// count as one: only those whose from_dict is BaseModelArgs.from_dict's
// body (formatted differently here); another filter, another parameter
// name or no @dataclass keeps the class the file's own.
func TestPlainArgsDataclass(t *testing.T) {
	const base = `@dataclass
class ModelArgs:
    model_type: str

    @classmethod
    def from_dict(cls, params):
        return cls(**{k: v for k, v in params.items() if k in inspect.signature(cls).parameters})
`
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"base body", base, true},
		{"other filter", strings.Replace(base, "if k in", "if k not in", 1), false},
		{"other parameter", strings.ReplaceAll(base, "params", "config"), false},
		{"no dataclass", strings.Replace(base, "@dataclass\n", "", 1), false},
		{"extra statement", strings.Replace(base, "        return cls(", "        params = dict(params)\n        return cls(", 1), false},
	} {
		f, diags := syntax.Parse("m.py", []byte(tc.src))
		if len(diags) > 0 {
			t.Fatal(tc.name, diags)
		}
		if got := isPlainArgsDataclass(f.Body[0].(*syntax.ClassDef)); got != tc.want {
			t.Errorf("%s: isPlainArgsDataclass = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestLegacyCacheAnnotation checks which annotations of a `cache`
// parameter are read as mlx-lm's old tuple-of-arrays caches (and so give
// way to the Cache convention): containers of arrays, Optional or not.
func TestLegacyCacheAnnotation(t *testing.T) {
	for _, tc := range []struct {
		t    *Type
		want bool
	}{
		{OptionalOf(TupleOf(TArray, TArray)), true},
		{DictOf(TStr, TArray), true},
		{ListOf(TArray), true},
		{ListOf(TInt), false},
		{TArray, false},
		{ExtT("Cache"), false},
	} {
		if got := legacyCacheAnnotation(tc.t); got != tc.want {
			t.Errorf("legacyCacheAnnotation(%s) = %v, want %v", tc.t, got, tc.want)
		}
	}
}
