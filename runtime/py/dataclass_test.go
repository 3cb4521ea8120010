package py_test

import (
	"testing"

	"github.com/hf2go/hf2go/runtime/py"
)

type dcPart struct {
	On   bool `json:"on"`
	Size *int `json:"size"`
}

func (p *dcPart) PostInit() error {
	if !p.On {
		p.Size = nil
	}
	return nil
}

type dcPair struct {
	A *dcPart `json:"a,required"`
	N int     `json:"n"`
}

// TestDataclassCtor compares py.Dataclass with CPython's constructor of
// the same frozen dataclasses called with keywords: the fields set (a
// value of the field's type stored as is, a JSON number converted), a
// keyword that names no field and a missing field without default
// (TypeError), __post_init__ run after the fields are filled.
func TestDataclassCtor(t *testing.T) {
	const defs = `__import__('dataclasses').make_dataclass('Part', [('on', bool, __import__('dataclasses').field(default=False)), ('size', int, __import__('dataclasses').field(default=None))], frozen=True, namespace={'__post_init__': lambda self: None if self.on else object.__setattr__(self, 'size', None)})`
	pair := `__import__('dataclasses').make_dataclass('Pair', [('a', object), ('n', int, __import__('dataclasses').field(default=0))], frozen=True)`
	three := 3
	cases := []struct {
		py  string
		go_ func() any
	}{
		{"(lambda p: [p.on, p.size])(" + defs + "(**{'on': True, 'size': 3}))", func() any {
			p := py.Dataclass(&dcPart{}, map[string]any{"on": true, "size": 3.0})
			return []any{p.On, p.Size}
		}},
		{"(lambda p: [p.on, p.size])(" + defs + "(**{'size': 3}))", func() any {
			p := py.Dataclass(&dcPart{}, map[string]any{"size": &three})
			return []any{p.On, p.Size}
		}},
		{defs + "(**{'on': True, 'colour': 1})", func() any { return py.Dataclass(&dcPart{}, map[string]any{"on": true, "colour": 1.0}) }},
		{pair + "(n=2)", func() any { return py.Dataclass(&dcPair{}, map[string]any{"n": 2}) }},
		{"(lambda q: [q.a.on, q.n])(" + pair + "(a=" + defs + "(on=True), n=4))", func() any {
			q := py.Dataclass(&dcPair{}, map[string]any{"a": py.Dataclass(&dcPart{}, map[string]any{"on": true}), "n": 4})
			return []any{q.A.On, q.N}
		}},
	}
	var exprs []string
	for _, c := range cases {
		exprs = append(exprs, c.py)
	}
	want := pythonOutcomes(t, exprs)
	for i, c := range cases {
		if got := outcome(c.go_); normalize(got) != normalize(want[i]) {
			t.Errorf("%s: Go %s, Python %s", c.py, got, want[i])
		}
	}
}
