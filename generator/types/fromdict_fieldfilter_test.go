package types

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/syntax"
)

// TestFieldFilterFromDict checks which from_dict tails read as
// super().from_dict(params): only a filter of params.items() by the set of
// cls.__dataclass_fields__ names, on a class whose fields are all __init__
// parameters; any other filter, set or field kind keeps the body as written.
func TestFieldFilterFromDict(t *testing.T) {
	const base = `@dataclass
class ModelArgs(BaseModelArgs):
    model_type: str
    hidden_size: int = 8

    @classmethod
    def from_dict(cls, params):
        if "text_config" in params:
            params = dict(params)
        fields = {f.name for f in cls.__dataclass_fields__.values()}
        return cls(**{k: v for k, v in params.items() if k in fields})
`
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"field filter", base, true},
		{"other names", strings.NewReplacer("fields =", "keep =", " fields}", " keep}", "params", "config", "f.name", "x.name", "for f in", "for x in", "k: v", "key: val", "for k, v", "for key, val", "if k in", "if key in", "(cls", "(klass", "(**", "(**", "cls.", "klass.", "return cls", "return klass").Replace(base), true},
		{"not in", strings.Replace(base, "if k in", "if k not in", 1), false},
		{"other attribute", strings.Replace(base, "{f.name", "{f.type", 1), false},
		{"values swapped", strings.Replace(base, "{k: v for", "{v: k for", 1), false},
		{"set used before", strings.Replace(base, "params = dict(params)", "params = dict(params, extra=fields)", 1), false},
		{"second filter", strings.Replace(base, "if k in fields}", "if k in fields if v}", 1), false},
		{"classvar field", strings.Replace(base, "hidden_size: int = 8", "hidden_size: ClassVar[int] = 8", 1), false},
		{"init=False field", strings.Replace(base, "hidden_size: int = 8", "hidden_size: int = field(default=8, init=False)", 1), false},
		{"keywords too", strings.Replace(base, "return cls(**", "return cls(model_type=\"m\", **", 1), false},
	} {
		f, diags := syntax.Parse("m.py", []byte(tc.src))
		if len(diags) > 0 {
			t.Fatal(tc.name, diags)
		}
		cd := f.Body[0].(*syntax.ClassDef)
		fd := cd.Body[2].(*syntax.FuncDef)
		n := len(fd.Body)
		fieldFilterFromDict(fd, newClass(cd, "ModelArgs", nil))
		got := len(fd.Body) == n-1
		if got != tc.want {
			t.Fatalf("%s: rewritten = %v, want %v", tc.name, got, tc.want)
		}
		if !got {
			continue
		}
		ret, ok := fd.Body[len(fd.Body)-1].(*syntax.Return)
		if !ok {
			t.Fatalf("%s: last statement %T, want a return", tc.name, fd.Body[len(fd.Body)-1])
		}
		c, ok := ret.Value.(*syntax.Call)
		if !ok || SuperMethod(c) != "from_dict" || len(c.Args) != 1 {
			t.Fatalf("%s: returns %#v, want super().from_dict(params)", tc.name, ret.Value)
		}
		if _, ok := fd.Body[0].(*syntax.If); !ok {
			t.Errorf("%s: the statements before the tail are not kept", tc.name)
		}
	}
}
