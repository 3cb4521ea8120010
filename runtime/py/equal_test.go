package py

import "testing"

// TestEqual compares py.Equal / DictEqual with Python's == on the values
// a JSON config holds (the expected column is what CPython 3.11 prints).
func TestEqual(t *testing.T) {
	cases := []struct {
		a, b any
		want bool
	}{
		{2, 2.0, true},   // 2 == 2.0
		{true, 1, true},  // True == 1
		{2, "2", false},  // 2 == "2"
		{nil, nil, true}, // None == None
		{nil, 0, false},  // None == 0
		{"affine", "affine", true},
		{[]any{1, "a"}, []any{1.0, "a"}, true}, // [1, "a"] == [1.0, "a"]
		{[]any{1}, []any{1, 2}, false},
		{map[string]any{"bits": 2.0, "mode": "affine"}, map[string]any{"bits": 2, "mode": "affine"}, true},
		{map[string]any{"bits": 2}, map[string]any{"bits": 3}, false},
		{map[string]any{"bits": 2}, map[string]any{"bits": 2, "mode": "affine"}, false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	cfg := map[string]any{"bits": 2.0, "group_size": 128.0, "mode": "affine"} // as JSON decodes it
	want := map[string]any{"bits": 2, "group_size": 128, "mode": "affine"}
	if !DictEqual(cfg, want) {
		t.Error("a JSON-decoded config dict does not equal the same literal dict")
	}
	want["mode"] = "mxfp4"
	if DictEqual(cfg, want) {
		t.Error("dicts with a different value compare equal")
	}
}
