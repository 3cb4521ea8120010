package jinja

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
)

// TestConformance renders the cases of testdata/conformance.py (whitespace
// control, printing of Python values, operators, loops and scoping, macros,
// filters, tests, string/dict/list methods, and errors including the
// sandbox's refusals) and compares with transformers' own jinja2
// environment: the same text, or an error where Python raised.
func TestConformance(t *testing.T) {
	out := filepath.Join(t.TempDir(), "conformance.json")
	pyref.Run(t, filepath.Join("testdata", "conformance.py"), out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Vars  json.RawMessage `json:"vars"`
		Cases []struct {
			Name, Template string
			Text           *string
			Error          string
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	v, err := FromJSON(ref.Vars)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{
		"raise_exception": Func(func(a []Value, _ map[string]Value) (Value, error) {
			return nil, &Error{Msg: toStr(a[0])}
		}),
	}
	d := v.(*Dict)
	for i, k := range d.keys {
		vars[k.(string)] = d.vals[i]
	}
	if len(ref.Cases) < 80 {
		t.Fatalf("only %d cases", len(ref.Cases))
	}
	for _, c := range ref.Cases {
		got, err := func() (string, error) {
			tpl, err := Compile(c.Template)
			if err != nil {
				return "", err
			}
			return tpl.Render(context.Background(), vars, Limits{})
		}()
		switch {
		case c.Text == nil && err == nil:
			t.Errorf("%s: Python raised %q, Go rendered %q", c.Name, c.Error, got)
		case c.Text != nil && err != nil:
			t.Errorf("%s: %v (Python rendered %q)", c.Name, err, *c.Text)
		case c.Text != nil && got != *c.Text:
			t.Errorf("%s:\n got  %q\n want %q", c.Name, got, *c.Text)
		}
	}
}
