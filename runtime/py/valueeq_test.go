package py_test

import (
	"encoding/json"
	"testing"

	"github.com/hf2go/hf2go/runtime/py"
)

// TestValueEq compares py.ValueEq with CPython's == on config values:
// dicts with int vs float values (as config.json decodes them), a missing,
// an extra and a different key, nested lists, bool vs int, None, str.
func TestValueEq(t *testing.T) {
	pairs := [][2]string{
		{`{"bits": 2, "group_size": 128, "mode": "affine"}`, `{"bits": 2.0, "group_size": 128.0, "mode": "affine"}`},
		{`{"bits": 2, "group_size": 128, "mode": "affine"}`, `{"bits": 2, "group_size": 128}`},
		{`{"bits": 2, "group_size": 128}`, `{"bits": 2, "group_size": 128, "mode": "affine"}`},
		{`{"bits": 2, "group_size": 128, "mode": "affine"}`, `{"bits": 2, "group_size": 64, "mode": "affine"}`},
		{`{"bits": 2, "mode": "affine"}`, `{"bits": 2, "mode": "mxfp4"}`},
		{`{"a": [1, 2, {"b": null}]}`, `{"a": [1.0, 2, {"b": null}]}`},
		{`{"a": [1, 2]}`, `{"a": [1, 2, 3]}`},
		{`{"a": true}`, `{"a": 1}`},
		{`{"a": null}`, `{"a": 0}`},
		{`{}`, `{}`},
		{`{"a": "x"}`, `{"a": "x"}`},
	}
	var exprs []string
	for _, p := range pairs {
		exprs = append(exprs, "json.loads('"+p[0]+"') == json.loads('"+p[1]+"')")
	}
	want := pythonOutcomes(t, exprs)
	for i, p := range pairs {
		var a, b map[string]any
		if err := json.Unmarshal([]byte(p[0]), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(p[1]), &b); err != nil {
			t.Fatal(err)
		}
		// The left side as a Go constant holds ints where JSON has integers.
		for k, v := range a {
			if f, ok := v.(float64); ok && f == float64(int(f)) {
				a[k] = int(f)
			}
		}
		if got := outcome(func() any { return py.ValueEq(a, b) }); normalize(got) != normalize(want[i]) {
			t.Errorf("%s == %s: Go %s, Python %s", p[0], p[1], got, want[i])
		}
	}
}
