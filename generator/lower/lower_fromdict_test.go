package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestLowerFieldFilterFromDict checks a from_dict of its own that merges
// text_config into a copy of params (dict.update of a value of no static
// type: converted with py.Dict) and ends with cls(**{field keys of params})
// (types/fromdict_fieldfilter.go): the tail is py.FromDict of the merged
// params, as BaseModelArgs.from_dict's.
func TestLowerFieldFilterFromDict(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", `    head_dim: Optional[int] = None

    @classmethod
    def from_dict(cls, params):
        if "text_config" in params:
            merged = dict(params)
            merged.update(params["text_config"])
            params = merged
        fields = {f.name for f in cls.__dataclass_fields__.values()}
        return cls(**{k: v for k, v in params.items() if k in fields})
`, 1) + `
    def __call__(self, x):
        return x
`
	res := translateSrc(t, src)
	var fn *model.Func
	for _, d := range res.File.Decls {
		if x, ok := d.(*model.Func); ok && x.Name == "ModelArgsFromDict" {
			fn = x
		}
	}
	if fn == nil {
		t.Fatal("no ModelArgsFromDict in the model")
	}
	got := model.Dump(fn.Body)
	for _, w := range []string{
		`(call (qual maps Copy) (ident merged)`,
		`(call (qual py Dict) (index (ident params)`,
		`(return (call (qual py FromDict) (call (ident NewModelArgs)) (ident params)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
	if strings.Contains(got, "__dataclass_fields__") || strings.Contains(got, "fields") {
		t.Errorf("the field-name set is still computed:\n%s", got)
	}
}
