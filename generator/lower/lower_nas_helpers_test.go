package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// translateAll translates a snippet and returns the model's declarations
// and diagnostics.
func translateAll(t *testing.T, src string) (*lower.Result, string) {
	t.Helper()
	f, diags := syntax.Parse("m.py", []byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	scope, _ := names.Resolve(f)
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	res := lower.Translate(f, scope, tab, lower.Options{Package: "m", PyPath: "m.py", ModelType: "m"})
	var all []string
	if res.File == nil {
		return res, ""
	}
	for _, d := range res.File.Decls {
		all = append(all, model.Dump(d))
	}
	return res, strings.Join(all, "\n")
}

// diagsText is the diagnostics of a translation, one a line.
func diagsText(res *lower.Result) string {
	var out []string
	for _, d := range res.Diagnostics {
		out = append(out, d.Error())
	}
	return strings.Join(out, "\n")
}
